import { FlowEngineError } from '../errors/flowengine-error.js';
import type { Schema } from '../schema/schema.js';
import { ArrayRow } from './array-row.js';
import { ChunkBuilder } from './chunk-builder.js';
import type { ChunkBuilderOptions } from './chunk-builder.js';

/** Pool sizing as in `settings.memoryPools.chunkPool` / `arrayRowPool`. */
export interface PoolSize {
  /** Objects created up front. */
  readonly initialSize: number;
  /** Idle objects kept at most; more can be in use, the surplus is left to the GC on release. */
  readonly maxSize: number;
}

/**
 * A bounded free list. It never blocks or refuses: `acquire` creates when empty, `release`
 * drops when `maxSize` idle objects are already kept. That is all a pool needs to be here.
 */
export class ObjectPool<T> {
  readonly #idle: T[] = [];
  readonly #create: () => T;
  readonly #clean: (item: T) => void;
  readonly maxSize: number;

  constructor(size: PoolSize, create: () => T, clean: (item: T) => void = () => {}) {
    if (!Number.isInteger(size.initialSize) || !Number.isInteger(size.maxSize) || size.initialSize < 0 || size.maxSize < size.initialSize) {
      throw new FlowEngineError('FE_CHUNK_POOL_INVALID',
        `pool size: expected integers 0 <= initialSize <= maxSize, found initialSize ${size.initialSize} and maxSize ${size.maxSize}`,
        { details: { initialSize: size.initialSize, maxSize: size.maxSize } });
    }
    this.#create = create;
    this.#clean = clean;
    this.maxSize = size.maxSize;
    for (let i = 0; i < size.initialSize; i++) this.#idle.push(create());
  }

  get idle(): number {
    return this.#idle.length;
  }

  acquire(): T {
    return this.#idle.pop() ?? this.#create();
  }

  release(item: T): void {
    this.#clean(item);
    if (this.#idle.length < this.maxSize) this.#idle.push(item);
  }
}

/** Reusable builders for one schema; a released builder is reset and keeps its arrays. */
export class ChunkBuilderPool extends ObjectPool<ChunkBuilder> {
  constructor(schema: Schema, size: PoolSize, options: ChunkBuilderOptions = {}) {
    super(size, () => new ChunkBuilder(schema, options), (builder) => builder.reset());
  }
}

/** Reusable row views; a released view forgets its chunk so it does not keep it alive. */
export class ArrayRowPool extends ObjectPool<ArrayRow> {
  constructor(size: PoolSize) {
    super(size, () => new ArrayRow(), (row) => row.clear());
  }
}
