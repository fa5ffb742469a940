import type { Consumer, Message, MessagesStream } from '@platformatic/kafka';

/** One consumed record with Buffer key, value and headers (no deserializers). */
export type KafkaMessage = Message<Buffer, Buffer, Buffer, Buffer>;

/**
 * Turns the client's flowing message stream into a queue the source pulls from: records are
 * buffered up to `highWater`, then the stream is paused (so a slow pipeline stops fetching
 * instead of growing memory) and resumed once the queue drained to half.
 */
export class RecordFeed {
  readonly stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
  readonly #queue: KafkaMessage[] = [];
  #head = 0;
  readonly #highWater: number;
  #paused = false;
  #error: Error | undefined;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>, highWater: number, signal: AbortSignal) {
    this.stream = stream;
    this.#highWater = highWater;
    stream.on('data', (message: KafkaMessage) => {
      this.#queue.push(message);
      if (!this.#paused && this.size >= this.#highWater) {
        this.#paused = true;
        stream.pause();
      }
      this.#notify();
    });
    stream.on('error', (error: Error) => {
      this.#error ??= error;
      this.#notify();
    });
    stream.on('end', () => {
      this.#ended = true;
      this.#notify();
    });
    signal.addEventListener('abort', () => this.#notify(), { once: true });
  }

  get size(): number {
    return this.#queue.length - this.#head;
  }

  /** The stream failed (fetch, metadata or group errors past the client's retries). */
  get error(): Error | undefined {
    return this.#error;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Whether nothing fetched is waiting: neither in this queue nor in the stream's buffer. */
  get drained(): boolean {
    return this.size === 0 && this.stream.readableLength === 0;
  }

  shift(): KafkaMessage | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const message = this.#queue[this.#head] as KafkaMessage;
    this.#head += 1;
    // Compact now and then instead of Array#shift on every record.
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#paused && this.size <= this.#highWater / 2) {
      this.#paused = false;
      this.stream.resume();
    }
    return message;
  }

  /** Resolves when a record arrives, the stream fails or ends, the signal aborts, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.size > 0 || this.#error !== undefined || this.#ended) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.#wake === done) self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Whether a client error means "the group moved on" (a rebalance), not a broken broker. */
export function isRebalanceError(error: unknown): boolean {
  const found = (error as { findBy?: (key: string, value: unknown) => unknown } | undefined)?.findBy;
  if (typeof found === 'function') {
    const bound = found.bind(error);
    if (bound('needsRejoin', true) || bound('rebalanceInProgress', true)) return true;
  }
  const text = String((error as Error | undefined)?.message ?? '') + JSON.stringify((error as { errors?: unknown } | undefined)?.errors ?? '');
  return /ILLEGAL_GENERATION|UNKNOWN_MEMBER_ID|REBALANCE_IN_PROGRESS|FENCED_INSTANCE_ID/i.test(text);
}

export type { Consumer };
