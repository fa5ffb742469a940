import { Piscina } from 'piscina';

// A CommonJS shim: see worker-shim.cts for why piscina must not require() the ES module entry.
const WORKER_ENTRY = new URL('./worker-shim.cjs', import.meta.url).href;

/** A worker pool for one instance: `threads` threads, each with the instance's heap limit. */
export function createWorkerPool(threads: number, memoryLimitMB: number): Piscina {
  return new Piscina({
    filename: WORKER_ENTRY,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    // With atomics a worker could miss a crash scheduled after a task returned; messages it is.
    atomics: 'disabled',
    resourceLimits: { maxOldGenerationSizeMb: memoryLimitMB },
  });
}

/**
 * Imports the plugin module in each thread of `pool` ahead of the instance's `open`, so the
 * import overlaps with whatever the host is still waiting for. Failures are left for `open`
 * to report (it imports the same module again, with the error handling it needs).
 */
export function preloadModule(pool: Piscina, modulePath: string, threads: number): void {
  for (let i = 0; i < threads; i++) pool.run({ modulePath }, { name: 'preload' }).catch(() => undefined);
}
