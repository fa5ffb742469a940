import { FlowEngineError } from '@flowengine/sdk';
import { Deque } from './deque.js';
import { resolveChannelOptions, type ChannelOptions, type ResolvedChannelOptions } from './options.js';
import { FRAME_HEADER_BYTES } from './spill-frame.js';
import { SpillStore, type SpillRecord } from './spill-store.js';

/** Counters of one channel; rows and chunks (items) are counted separately. */
export interface ChannelStats {
  /** Rows accepted by `push` (dropped ones included: a dropped row was produced). */
  readonly pushed: number;
  readonly pushedChunks: number;
  /** Rows handed to the consumer. */
  readonly delivered: number;
  readonly deliveredChunks: number;
  readonly droppedRows: number;
  readonly droppedChunks: number;
  /** Items held in memory now; never more than `bufferSize`. */
  readonly bufferedChunks: number;
  readonly peakBufferedChunks: number;
  /** `bufferedChunks / bufferSize`, 0..1. */
  readonly utilization: number;
  /** Items written to spill files so far, and their bytes on disk (frames included). */
  readonly spilledChunks: number;
  readonly spilledBytes: number;
  /** Spilled items not yet read back. */
  readonly onDiskChunks: number;
}

interface Waiter<V> {
  resolve(value: V): void;
  reject(error: unknown): void;
}

interface PendingPush<T> extends Waiter<void> {
  readonly item: T;
  readonly rows: number;
}

interface DiskEntry {
  readonly record: SpillRecord;
  readonly rows: number;
  /** The record's write with the channel's accounting done first; never rejects. */
  readonly written: Promise<FlowEngineError | undefined>;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The queue on one pipeline edge: one producer pushes items (chunks with their positions), one
 * consumer iterates them in order. Fan-out is one channel per edge.
 *
 * - When the memory buffer (`bufferSize` items) is full: `Wait` makes `push` return a promise that
 *   settles once the item is in; `DropOldest` evicts the oldest item; `DropNewest` discards the new
 *   one. Every dropped row and item is counted in {@link Channel.stats}.
 * - At `backpressureThreshold` % of `bufferSize` the channel reports itself paused
 *   ({@link Channel.isAboveThreshold}, `onBackpressure`, {@link Channel.waitForCapacity}) until it
 *   drops below again; the executor pauses sources on it.
 * - With `spill`, a full buffer (or one past `memoryBudgetBytes`) sends items to checksummed
 *   files instead, read back in order; nothing is dropped and `push` waits only for the disk. A
 *   failed write rejects that `push` with `FE_SPILL_WRITE` and the item is not counted as accepted.
 *
 * `push` returns `undefined` when the item was taken at once (the fast path allocates nothing)
 * and a promise only when the producer has to wait.
 *
 * @example
 * const channel = new Channel<Item>({ bufferSize: 8, rows: (item) => item.chunk.length });
 * const pending = channel.push(item);
 * if (pending) await pending;
 * channel.close();
 * for await (const item of channel) handle(item);
 */
export class Channel<T> implements AsyncIterableIterator<T> {
  readonly #options: ResolvedChannelOptions<T>;
  readonly #memory = new Deque<T>();
  #memoryBytes = 0;
  readonly #store: SpillStore | undefined;
  readonly #disk = new Deque<DiskEntry>();
  readonly #pendingPushes = new Deque<PendingPush<T>>();
  readonly #consumers = new Deque<Waiter<IteratorResult<T>>>();
  #capacityWaiters: Waiter<void>[] = [];
  #paused = false;
  #closed = false;
  #failure: FlowEngineError | undefined;
  #refilling = false;
  #finished: Promise<void> | undefined;

  #pushed = 0;
  #pushedChunks = 0;
  #delivered = 0;
  #deliveredChunks = 0;
  #droppedRows = 0;
  #droppedChunks = 0;
  #peakBuffered = 0;
  #spilledChunks = 0;
  #spilledBytes = 0;
  #onDisk = 0;

  constructor(options: ChannelOptions<T>) {
    this.#options = resolveChannelOptions(options);
    const spill = this.#options.spill;
    if (spill !== undefined) this.#store = new SpillStore(spill.directory, spill.segmentBytes, this.#options.name);
  }

  get name(): string {
    return this.#options.name;
  }

  /** True from the moment utilisation reaches the threshold until it drops below it again. */
  get isAboveThreshold(): boolean {
    return this.#paused;
  }

  /**
   * Offers an item. Returns `undefined` when it was accepted (or dropped, by the full mode) at once,
   * or a promise that resolves once it is accepted: `Wait` with a full buffer, or a spill write.
   * Throws `FE_CHANNEL_CLOSED` after {@link Channel.close}, and the abort error after an abort.
   */
  push(item: T): Promise<void> | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) {
      throw new FlowEngineError('FE_CHANNEL_CLOSED',
        `channel "${this.name}": push after close(); expected the producer to stop pushing once it closed the channel`,
        { details: { channel: this.name } });
    }
    const rows = this.#options.rows(item);
    // A waiting consumer means memory is empty; the disk must be too or the item would overtake.
    if (this.#consumers.length > 0 && this.#disk.length === 0) {
      this.#countPushed(rows);
      this.#deliver(item, rows);
      return undefined;
    }
    if (this.#store !== undefined) {
      const bytes = this.#bytesOf(item);
      if (this.#disk.length > 0 || !this.#fits(bytes)) return this.#spill(this.#store, item, rows);
      this.#countPushed(rows);
      this.#buffer(item, bytes);
      return undefined;
    }
    if (this.#memory.length < this.#options.bufferSize) {
      this.#countPushed(rows);
      this.#buffer(item, 0);
      return undefined;
    }
    switch (this.#options.fullMode) {
      case 'Wait':
        return new Promise<void>((resolve, reject) => this.#pendingPushes.push({ item, rows, resolve, reject }));
      case 'DropNewest':
        this.#countPushed(rows);
        this.#countDropped(rows);
        return undefined;
      case 'DropOldest':
        this.#countDropped(this.#options.rows(this.#memory.shift()));
        this.#countPushed(rows);
        this.#buffer(item, 0);
        return undefined;
    }
  }

  /** Resolves when the channel is below its threshold again (at once if it is); rejects on abort. */
  waitForCapacity(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (!this.#paused || this.#closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.#capacityWaiters.push({ resolve, reject }));
  }

  /** The producer is done: the consumer gets what is buffered (memory and disk), then the end. */
  close(): void {
    if (this.#closed || this.#failure !== undefined) return;
    this.#closed = true;
    this.#releaseCapacityWaiters();
    this.#settleEnd();
  }

  /**
   * Fails the channel: waiting and later `push` and `next` calls reject with `error` (wrapped as
   * `FE_CHANNEL_ABORTED` unless it is a FlowEngineError), buffered items are discarded and spill
   * files removed. The promise settles once the files are gone; it rejects only if they cannot be.
   */
  abort(error: unknown): Promise<void> {
    if (this.#failure === undefined) this.#fail(error);
    return this.#finish();
  }

  /** Async-iterator protocol: the next item in push order, or the end after `close()`. */
  next(): Promise<IteratorResult<T>> {
    if (this.#memory.length > 0) return Promise.resolve({ done: false, value: this.#take() });
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#drained()) return this.#finish().then(() => DONE);
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.#consumers.push({ resolve, reject });
      this.#kickRefill();
    });
  }

  /**
   * The next item if one is in memory, without a promise: a consumer may loop on this and fall
   * back to `next()` when it returns undefined.
   */
  tryNext(): T | undefined {
    return this.#memory.length > 0 ? this.#take() : undefined;
  }

  /** A consumer that stops iterating early aborts the channel so the producer is not left waiting. */
  async return(): Promise<IteratorResult<T>> {
    if (!this.#drained()) {
      await this.abort(new FlowEngineError('FE_CHANNEL_ABORTED',
        `channel "${this.name}": the consumer stopped reading before the end`, { details: { channel: this.name } }));
    } else {
      await this.#finish();
    }
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  stats(): ChannelStats {
    const buffered = this.#memory.length;
    return {
      pushed: this.#pushed,
      pushedChunks: this.#pushedChunks,
      delivered: this.#delivered,
      deliveredChunks: this.#deliveredChunks,
      droppedRows: this.#droppedRows,
      droppedChunks: this.#droppedChunks,
      bufferedChunks: buffered,
      peakBufferedChunks: this.#peakBuffered,
      utilization: buffered / this.#options.bufferSize,
      spilledChunks: this.#spilledChunks,
      spilledBytes: this.#spilledBytes,
      onDiskChunks: this.#onDisk,
    };
  }

  /** The directory this channel spills into, once it has spilled (diagnostics and tests). */
  spillDirectory(): Promise<string> | undefined {
    return this.#store?.directory();
  }

  #take(): T {
    const item = this.#memory.shift();
    this.#memoryBytes -= this.#bytesOf(item);
    const rows = this.#options.rows(item);
    this.#delivered += rows;
    this.#deliveredChunks++;
    while (this.#pendingPushes.length > 0 && this.#memory.length < this.#options.bufferSize) {
      const pending = this.#pendingPushes.shift();
      this.#countPushed(pending.rows);
      this.#buffer(pending.item, 0);
      pending.resolve();
    }
    if (this.#paused && this.#memory.length < this.#options.highWater) {
      this.#paused = false;
      this.#releaseCapacityWaiters();
      this.#options.onBackpressure?.(false);
    }
    this.#kickRefill();
    return item;
  }

  #buffer(item: T, bytes: number): void {
    this.#memory.push(item);
    this.#memoryBytes += bytes;
    if (this.#memory.length > this.#peakBuffered) this.#peakBuffered = this.#memory.length;
    if (!this.#paused && this.#memory.length >= this.#options.highWater) {
      this.#paused = true;
      this.#options.onBackpressure?.(true);
    }
  }

  #deliver(item: T, rows: number): void {
    this.#delivered += rows;
    this.#deliveredChunks++;
    this.#consumers.shift().resolve({ done: false, value: item });
  }

  #spill(store: SpillStore, item: T, rows: number): Promise<void> {
    const serialized = (this.#options.serialize as (item: T) => Uint8Array | ArrayBuffer)(item);
    const bytes = serialized instanceof Uint8Array ? serialized : new Uint8Array(serialized);
    const record = store.append(bytes);
    const written = record.written.then((error) => {
      if (error === undefined) {
        this.#countPushed(rows);
        this.#spilledChunks++;
        this.#spilledBytes += FRAME_HEADER_BYTES + record.payloadBytes;
        this.#onDisk++;
      }
      return error;
    });
    this.#disk.push({ record, rows, written });
    this.#kickRefill();
    return written.then((error) => {
      if (error !== undefined) throw error;
    });
  }

  #kickRefill(): void {
    if (!this.#refilling && this.#disk.length > 0 && this.#failure === undefined) void this.#refill();
  }

  /**
   * Moves spilled items back into memory, oldest first, while there is room or a consumer waits.
   * The head entry stays on the disk queue until its item is in memory, so pushes made meanwhile
   * keep going to disk behind it and order holds.
   */
  async #refill(): Promise<void> {
    const store = this.#store as SpillStore;
    const deserialize = this.#options.deserialize as (bytes: Uint8Array<ArrayBuffer>) => T;
    this.#refilling = true;
    try {
      while (this.#failure === undefined && this.#disk.length > 0) {
        const head = this.#disk.peek();
        if (this.#consumers.length === 0 && !this.#fits(head.record.payloadBytes)) break;
        const writeError = await head.written;
        let item: T | undefined;
        if (writeError === undefined) item = deserialize(await store.read(head.record));
        if (this.#failure !== undefined) break;
        this.#disk.shift();
        store.release(head.record);
        if (writeError !== undefined) continue; // never accepted: its producer got the error
        this.#onDisk--;
        if (this.#consumers.length > 0) this.#deliver(item as T, head.rows);
        else this.#buffer(item as T, this.#bytesOf(item as T));
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#refilling = false;
    }
    this.#settleEnd();
  }

  #fits(bytes: number): boolean {
    if (this.#memory.length >= this.#options.bufferSize) return false;
    const budget = this.#options.spill?.memoryBudgetBytes;
    return budget === undefined || this.#memoryBytes + bytes <= budget;
  }

  #bytesOf(item: T): number {
    return this.#options.spill?.memoryBudgetBytes === undefined ? 0 : (this.#options.byteLength as (item: T) => number)(item);
  }

  #drained(): boolean {
    return this.#closed && this.#memory.length === 0 && this.#disk.length === 0 && this.#pendingPushes.length === 0;
  }

  #settleEnd(): void {
    if (this.#consumers.length === 0 || !this.#drained()) return;
    const consumers = this.#consumers.clear();
    this.#finish().then(
      () => consumers.forEach((consumer) => consumer.resolve(DONE)),
      (error: unknown) => consumers.forEach((consumer) => consumer.reject(error)),
    );
  }

  #finish(): Promise<void> {
    this.#finished ??= this.#store === undefined ? Promise.resolve() : this.#store.dispose();
    return this.#finished;
  }

  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    const failure = error instanceof FlowEngineError ? error : new FlowEngineError('FE_CHANNEL_ABORTED',
      `channel "${this.name}": aborted: ${error instanceof Error ? error.message : String(error)}`,
      { details: { channel: this.name }, cause: error });
    this.#failure = failure;
    this.#memory.clear();
    this.#memoryBytes = 0;
    this.#disk.clear();
    for (const pending of this.#pendingPushes.clear()) pending.reject(failure);
    for (const consumer of this.#consumers.clear()) consumer.reject(failure);
    for (const waiter of this.#capacityWaiters) waiter.reject(failure);
    this.#capacityWaiters = [];
  }

  #releaseCapacityWaiters(): void {
    const waiters = this.#capacityWaiters;
    this.#capacityWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  #countPushed(rows: number): void {
    this.#pushed += rows;
    this.#pushedChunks++;
  }

  #countDropped(rows: number): void {
    this.#droppedRows += rows;
    this.#droppedChunks++;
  }
}
