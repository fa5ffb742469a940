import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MEMORY_LIMIT_MB } from '@flowengine/isolation';
import type { ChannelSettings, IsolationSettings, PoolSettings, RestartPolicy } from './types.js';

/**
 * Defaults of every engine option. The TypeBox schema quotes these as `default:` so the options
 * table in README.md and `flowengine schema` show the same numbers the loader fills in.
 *
 * Channels hold 16 chunks: with 10k-row chunks that is 160k rows in flight per edge, enough to
 * keep a worker busy without letting a slow sink buffer the whole input.
 */
export const CHANNEL_DEFAULTS: ChannelSettings = { bufferSize: 16, backpressureThreshold: 90, fullMode: 'Wait' };

export const ISOLATION_DEFAULTS: Omit<IsolationSettings, 'defaultMode'> = {
  // The host's own default: its warm worker threads start with this heap limit.
  defaultMemoryLimitMB: DEFAULT_MEMORY_LIMIT_MB,
  defaultTimeoutSeconds: 60,
  enableSpillover: false,
  spilloverPath: join(tmpdir(), 'flowengine-spill'),
  preloadPlugins: false,
  enableLazyLoading: false,
};

export const CHUNK_POOL_DEFAULTS: PoolSettings = { initialSize: 16, maxSize: 256 };
export const ARRAY_ROW_POOL_DEFAULTS: PoolSettings = { initialSize: 64, maxSize: 1024 };

/** No automatic restart: a failing plugin fails the run unless the pipeline asks for retries. */
export const RESTART_DEFAULTS: RestartPolicy = { maxRetries: 0, backoffMs: 1000 };

export const PERFORMANCE_DEFAULTS = { failOnRegression: true, maxRegressionPercent: 10 } as const;

/** Dead-letter file of an instance that sets `errors: deadLetter` without `deadLetter.path`. */
export function defaultDeadLetterPath(instance: string): string {
  return `${instance}.dead-letter.jsonl`;
}
