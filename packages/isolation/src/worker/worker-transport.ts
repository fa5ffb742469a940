import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { FlowEngineError } from '@flowengine/sdk';
import type { EncodedChunk } from '@flowengine/sdk';
import type { Piscina } from 'piscina';
import { transferCodec } from '../runtime/codecs.js';
import type { Reply, RequestBody, RuntimeEvent, RuntimeInit } from '../runtime/protocol.js';
import { Transport } from '../instance/transport.js';
import type { TransportListener } from '../instance/transport.js';

/** One plugin runtime in one worker thread of the instance's pool (a "lane"). */
export class WorkerTransport extends Transport<EncodedChunk> {
  readonly codec = transferCodec;
  readonly #port: MessagePort;
  readonly #abort = new AbortController();
  readonly #task: Promise<unknown>;
  #ended = false;

  constructor(pool: Piscina, init: RuntimeInit, memoryLimitMB: number, listener: TransportListener) {
    super(listener);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    port1.on('message', (message: Reply<EncodedChunk> | RuntimeEvent) => this.receive(message));
    this.#task = pool.run({ port: port2, init }, { transferList: [port2], signal: this.#abort.signal });
    this.#task.then(
      () => this.#endedCleanly(init.name),
      (error: unknown) => {
        if (!this.#ended) this.fail(classifyWorkerFailure(error, init.name, memoryLimitMB));
      },
    );
  }

  protected send(message: RequestBody<EncodedChunk> & { id: number }, transfer: ArrayBuffer[]): void {
    // After close the task returns by design; its end is not a failure.
    if (message.op === 'close') this.#ended = true;
    this.#port.postMessage(message, transfer);
  }

  protected async terminate(): Promise<void> {
    this.#ended = true;
    this.#port.close();
    this.#abort.abort();
    await this.#task.catch(() => undefined);
  }

  async dispose(): Promise<void> {
    this.#ended = true;
    await this.#task.catch(() => undefined);
    this.#port.close();
  }

  #endedCleanly(name: string): void {
    // The task only returns after a close request; anything else is a protocol bug worth surfacing.
    if (!this.#ended) this.fail(new FlowEngineError('FE_PLUGIN_CRASHED', `instance "${name}": the worker task ended without being closed`));
  }
}

/** Maps how piscina reports a dead worker to FlowEngine's codes, naming the instance and the limit. */
export function classifyWorkerFailure(error: unknown, name: string, memoryLimitMB: number): FlowEngineError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new FlowEngineError('FE_PLUGIN_OUT_OF_MEMORY',
      `instance "${name}": its V8 heap reached memoryLimitMB (${memoryLimitMB} MB); the worker was ended`,
      { details: { instance: name, memoryLimitMB, limit: 'heap' }, cause: error });
  }
  const exit = /worker exited with code: (-?\d+)/.exec(message);
  if (exit !== null) {
    return new FlowEngineError('FE_PLUGIN_CRASHED',
      `instance "${name}": the worker thread exited with code ${exit[1]} (did the plugin call process.exit()?)`,
      { details: { instance: name, exitCode: Number(exit[1]) }, cause: error });
  }
  return new FlowEngineError('FE_PLUGIN_CRASHED',
    `instance "${name}": the worker thread died from an uncaught ${error instanceof Error ? error.name : typeof error}: ${message} (an unawaited promise or a callback that threw?)`,
    { details: { instance: name }, cause: error });
}
