import type { InstanceHandle } from '../executor/handles.js';

/** The figures of an isolation-host instance that metrics read; all optional, as hosts differ. */
export interface ObservedInstanceStats {
  readonly calls?: number;
  readonly rejected?: number;
  readonly heapUsedBytes?: number;
  readonly externalBytes?: number;
  readonly chunkLatenciesMs?: readonly number[];
}

/**
 * Reads a handle's stats without letting a closed or failed instance break a metrics callback:
 * a collection must never throw into the exporter.
 */
export function readInstanceStats(handle: InstanceHandle): ObservedInstanceStats | undefined {
  try {
    return handle.stats() as ObservedInstanceStats;
  } catch {
    return undefined;
  }
}
