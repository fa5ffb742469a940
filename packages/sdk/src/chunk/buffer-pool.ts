/** Options of a {@link BufferPool}. */
export interface BufferPoolOptions {
  /** Idle buffers kept per size class (default 16). */
  readonly maxPerClass?: number;
  /** Idle bytes kept in total (default 256 MiB). */
  readonly maxBytes?: number;
}

const MIN_CLASS_BITS = 8; // 256 B: smaller requests are rounded up
const MAX_CLASS_BITS = 30; // 1 GiB: larger buffers are never pooled

/**
 * Recycles ArrayBuffers by power-of-two size class so a steady stream of similar chunks allocates
 * almost nothing. Bounded: beyond `maxPerClass` or `maxBytes` idle buffers are left to the GC.
 * One pool per thread: a buffer transferred to another thread is released into that thread's pool.
 *
 * A released buffer must no longer be read through any view; it is handed out again as is.
 */
export class BufferPool {
  readonly #classes: ArrayBuffer[][] = [];
  readonly #maxPerClass: number;
  readonly #maxBytes: number;
  #idleBytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(options: BufferPoolOptions = {}) {
    this.#maxPerClass = options.maxPerClass ?? 16;
    this.#maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  /** A buffer of at least `byteLength` bytes (its size class); contents are unspecified. */
  acquire(byteLength: number): ArrayBuffer {
    const bits = classBits(byteLength);
    if (bits > MAX_CLASS_BITS) {
      this.#misses++;
      return new ArrayBuffer(byteLength);
    }
    const idle = this.#classes[bits]?.pop();
    if (idle !== undefined) {
      this.#hits++;
      this.#idleBytes -= idle.byteLength;
      return idle;
    }
    this.#misses++;
    return new ArrayBuffer(2 ** bits);
  }

  /** Keeps `buffer` for reuse if it is one of this pool's size classes and the pool has room. */
  release(buffer: ArrayBuffer): void {
    const size = buffer.byteLength;
    if (size === 0 || (size & (size - 1)) !== 0) return; // detached, or not a size class
    const bits = Math.log2(size);
    if (bits < MIN_CLASS_BITS || bits > MAX_CLASS_BITS || this.#idleBytes + size > this.#maxBytes) return;
    const idle = (this.#classes[bits] ??= []);
    if (idle.length >= this.#maxPerClass || idle.includes(buffer)) return;
    idle.push(buffer);
    this.#idleBytes += size;
  }

  /** Counters for metrics and tests. */
  stats(): { hits: number; misses: number; idleBuffers: number; idleBytes: number } {
    return { hits: this.#hits, misses: this.#misses, idleBuffers: this.#classes.reduce((n, c) => n + c.length, 0), idleBytes: this.#idleBytes };
  }

  clear(): void {
    this.#classes.length = 0;
    this.#idleBytes = 0;
  }
}

/**
 * This thread's pool, for buffers whose chunks are made and consumed by different code on one
 * thread: the isolation host decodes a chunk that arrived from another thread into it, and the
 * built-in transforms draw their output from it and release their input to it. A transform that
 * takes one chunk and makes one therefore reuses its last input's buffer instead of allocating
 * (and the allocator zeroing) a fresh one per chunk. Module state is per thread: a worker thread
 * loads its own copy of this module, so no buffer is ever shared between threads through it.
 * Bounded far below a pool's default: it lives as long as the thread, and its idle buffers are
 * external memory, which the isolation host's watchdog counts against the instance's
 * memoryLimitMB. A steady stream needs only one or two idle buffers a size class.
 */
export const threadBufferPool = new BufferPool({ maxPerClass: 4, maxBytes: 8 * 1024 * 1024 });

function classBits(byteLength: number): number {
  if (byteLength <= 1 << MIN_CLASS_BITS) return MIN_CLASS_BITS;
  if (byteLength > 2 ** MAX_CLASS_BITS) return MAX_CLASS_BITS + 1;
  return 32 - Math.clz32(byteLength - 1);
}
