import { startInstance } from './start-instance.js';
import type { InstanceHandle, InstanceOptions } from './types.js';

/** Starts instances and closes every one still open on {@link IsolationHost.close}. */
export interface IsolationHost {
  startInstance: typeof startInstance;
  /** Closes all instances started through this host (in parallel); the first error is rethrown. */
  close(): Promise<void>;
}

/** A host that tracks its instances, so a shutdown path cannot leave a worker or child behind. */
export function createInstanceHost(): IsolationHost {
  const open = new Set<InstanceHandle>();
  const start = async (options: InstanceOptions): Promise<InstanceHandle> => {
    const handle = await startInstance(options);
    open.add(handle);
    const close = handle.close;
    (handle as { close: typeof close }).close = (outcome) => close(outcome).finally(() => open.delete(handle));
    return handle;
  };
  return {
    startInstance: start as typeof startInstance,
    async close() {
      const results = await Promise.allSettled([...open].map((handle) => handle.close()));
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
  };
}
