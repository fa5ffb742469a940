import type { FlowEngineError } from '@flowengine/sdk';
import type { ChunkCodec, Reply, RequestBody, RuntimeEvent } from '../runtime/protocol.js';

export interface TransportListener {
  /** Log records, dead letters and memory samples from the runtime. */
  event(event: RuntimeEvent): void;
  /** The thread/process died between or during calls (crash, exit, heap limit). Called once. */
  failed(error: FlowEngineError): void;
}

/**
 * The host's end of one plugin runtime (a worker lane, a child process, or an inline runtime).
 * Pending and later requests reject with the failure once the runtime has died.
 */
export abstract class Transport<W> {
  abstract readonly codec: ChunkCodec<W>;
  protected readonly listener: TransportListener;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve(reply: Reply<W>): void; reject(error: FlowEngineError): void }>();
  #failure: FlowEngineError | undefined;

  constructor(listener: TransportListener) {
    this.listener = listener;
  }

  get failure(): FlowEngineError | undefined {
    return this.#failure;
  }

  request(body: RequestBody<W>, transfer: ArrayBuffer[]): Promise<Reply<W>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<Reply<W>>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.send({ ...body, id }, transfer);
      } catch (error) {
        this.#pending.delete(id);
        reject(error);
      }
    });
  }

  /** Marks the runtime failed (rejecting what is pending) and stops its thread or process. */
  async kill(error: FlowEngineError): Promise<void> {
    this.fail(error);
    await this.terminate();
  }

  /** Stops the thread/process after a clean close. */
  abstract dispose(): Promise<void>;

  protected abstract send(message: RequestBody<W> & { id: number }, transfer: ArrayBuffer[]): void;
  protected abstract terminate(): Promise<void>;

  protected receive(message: Reply<W> | RuntimeEvent): void {
    if ('type' in message) {
      this.listener.event(message);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    pending.resolve(message);
  }

  protected fail(error: FlowEngineError): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.listener.failed(error);
  }
}
