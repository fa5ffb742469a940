import type { Piscina } from 'piscina';
import { createWorkerPool, preloadModule } from '../worker/worker-pool.js';
import { DEFAULT_MEMORY_LIMIT_MB, placementOf, resolveOptions, startInstance, startResolved } from './start-instance.js';
import type { InstanceHandle, InstanceOptions } from './types.js';

/** What {@link IsolationHost.prepare} needs: the instance's options without its input schema. */
export type PrepareOptions = Pick<InstanceOptions, 'name' | 'plugin' | 'mode' | 'memoryLimitMB' | 'threads'>;

/** Starts instances and closes every one still open on {@link IsolationHost.close}. */
export interface IsolationHost {
  /**
   * Starts an instance as the exported startInstance does, using the worker pool that
   * `startInstance.prepare` (same as {@link IsolationHost.prepare}) readied for its name.
   */
  startInstance: typeof startInstance & { prepare(options: PrepareOptions): void };
  /**
   * Optional hint, before an instance's input schema is known: boots its worker thread(s) and
   * imports its plugin module now, so the next startInstance with the same name only opens it.
   * A pipeline's stages start one after another (each needs its input's schema); prepared, their
   * threads boot side by side. Does nothing outside worker mode or for options startInstance
   * would refuse; a prepared pool never claimed is ended by {@link IsolationHost.close}.
   */
  prepare(options: PrepareOptions): void;
  /** Warm worker threads not yet given to an instance (see {@link HostOptions.warmWorkers}). */
  readonly idleWarmWorkers: number;
  /** Closes all instances started through this host (in parallel); the first error is rethrown. */
  close(): Promise<void>;
}

export interface HostOptions {
  /**
   * Worker threads to boot now, before any instance is known: each loads the plugin runtime and
   * the SDK (about 60 ms of CPU), so a caller that still has a pipeline file to read and validate
   * gets that boot done meanwhile. {@link IsolationHost.prepare} hands them, in turn, to
   * single-thread worker instances with the default memoryLimitMB (the heap limit is fixed when
   * a thread starts); the rest boot their own. Unused ones end with {@link IsolationHost.close}.
   */
  readonly warmWorkers?: number;
}

interface Prepared {
  readonly pool: Piscina;
  readonly key: string;
}

/** A host that tracks its instances, so a shutdown path cannot leave a worker or child behind. */
export function createInstanceHost(options: HostOptions = {}): IsolationHost {
  const open = new Set<InstanceHandle>();
  const prepared = new Map<string, Prepared>();
  // A pool starts its thread at once, and the thread loads the runtime as it starts (worker-shim).
  const warm: Piscina[] = Array.from({ length: Math.max(0, Math.floor(options.warmWorkers ?? 0)) }, () => createWorkerPool(1, DEFAULT_MEMORY_LIMIT_MB));

  const prepare = (options: PrepareOptions): void => {
    const { mode, memoryLimitMB, threads } = placementOf(options);
    if (mode !== 'worker' || typeof options.plugin?.modulePath !== 'string' || !(memoryLimitMB > 0) || !Number.isInteger(threads) || threads < 1) return;
    if (prepared.has(options.name)) return;
    const fitsWarm = threads === 1 && memoryLimitMB === DEFAULT_MEMORY_LIMIT_MB;
    const pool = (fitsWarm ? warm.pop() : undefined) ?? createWorkerPool(threads, memoryLimitMB);
    preloadModule(pool, options.plugin.modulePath, threads);
    prepared.set(options.name, { pool, key: placementKey(options) });
  };

  /** The pool prepared for these options, if it fits them; a pool that does not fit is ended. */
  const claim = (options: InstanceOptions): Piscina | undefined => {
    const entry = prepared.get(options.name);
    if (entry === undefined) return undefined;
    prepared.delete(options.name);
    if (entry.key === placementKey(options)) return entry.pool;
    void entry.pool.destroy();
    return undefined;
  };

  const start = async (options: InstanceOptions): Promise<InstanceHandle> => {
    // Checked before claiming: options that fail leave a prepared pool to a corrected retry (or close()).
    const resolved = resolveOptions(options);
    // A claimed pool fits the placement; the supervisor owns it now and ends it if the start fails.
    const handle = await startResolved(resolved, claim(options));
    open.add(handle);
    const close = handle.close;
    (handle as { close: typeof close }).close = (outcome) => close(outcome).finally(() => open.delete(handle));
    return handle;
  };

  return {
    startInstance: Object.assign(start as typeof startInstance, { prepare }),
    prepare,
    get idleWarmWorkers() {
      return warm.length;
    },
    async close() {
      const unclaimed = [...[...prepared.values()].map((entry) => entry.pool), ...warm].map((pool) => pool.destroy());
      prepared.clear();
      warm.length = 0;
      const results = await Promise.allSettled([...[...open].map((handle) => handle.close()), ...unclaimed]);
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
  };
}

function placementKey(options: PrepareOptions): string {
  const { mode, memoryLimitMB, threads } = placementOf(options);
  return JSON.stringify([options.plugin?.modulePath, mode, memoryLimitMB, threads]);
}
