import { FlowEngineError } from '@flowengine/sdk';

/** What a channel does with a push when its memory buffer is full and it cannot spill. */
export type FullMode = 'Wait' | 'DropOldest' | 'DropNewest';

export const FULL_MODES: readonly FullMode[] = ['Wait', 'DropOldest', 'DropNewest'];

/** Spill to disk instead of waiting or dropping (`settings.isolation.enableSpillover`). */
export interface SpillOptions {
  /** Root directory (`settings.isolation.spilloverPath`); the channel makes its own subdirectory in it. */
  readonly directory: string;
  /** Items also spill once the buffered items' `byteLength` would pass this. Needs `byteLength`. */
  readonly memoryBudgetBytes?: number | undefined;
  /** Size at which a spill file rolls over to a new one (default 64 MiB). */
  readonly segmentBytes?: number | undefined;
}

export interface ChannelOptions<T> {
  /** Names the edge in errors and spill file names, e.g. `"source→filter"`. */
  readonly name?: string | undefined;
  /** Items (chunks) held in memory at most. */
  readonly bufferSize: number;
  /** Percent of `bufferSize` at which the upstream is told to pause (default 90). */
  readonly backpressureThreshold?: number | undefined;
  /** Default `Wait`. With `spill`, a full buffer spills instead and nothing is dropped. */
  readonly fullMode?: FullMode | undefined;
  /** Rows in an item: every drop is counted in rows as well as items. */
  readonly rows: (item: T) => number;
  /** Bytes an item holds in memory; needed for `spill.memoryBudgetBytes`. */
  readonly byteLength?: ((item: T) => number) | undefined;
  /** Item → bytes for spilling (the executor passes one based on `encodeChunk`). */
  readonly serialize?: ((item: T) => Uint8Array | ArrayBuffer) | undefined;
  /** Bytes → item when reading a spilled item back; the array owns its ArrayBuffer. */
  readonly deserialize?: ((bytes: Uint8Array<ArrayBuffer>) => T) | undefined;
  readonly spill?: SpillOptions | undefined;
  /** Called with `true` when utilisation reaches the threshold and `false` when it drops below. */
  readonly onBackpressure?: ((paused: boolean) => void) | undefined;
}

export interface ResolvedSpillOptions extends SpillOptions {
  readonly segmentBytes: number;
}

/** Options after validation, defaults filled in. */
export interface ResolvedChannelOptions<T> extends ChannelOptions<T> {
  readonly name: string;
  readonly spill?: ResolvedSpillOptions | undefined;
  readonly fullMode: FullMode;
  /** Buffered item count at or above which the upstream should pause. */
  readonly highWater: number;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/** Checks options once, when the channel is built, and reports every problem in one error. */
export function resolveChannelOptions<T>(options: ChannelOptions<T>): ResolvedChannelOptions<T> {
  const name = options.name ?? 'channel';
  const problems: string[] = [];
  const { bufferSize, spill } = options;
  const threshold = options.backpressureThreshold ?? 90;
  const fullMode = options.fullMode ?? 'Wait';
  if (!Number.isInteger(bufferSize) || bufferSize < 1) problems.push(`bufferSize: expected an integer >= 1 but found ${String(bufferSize)}`);
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 100)) {
    problems.push(`backpressureThreshold: expected a percentage in (0, 100] but found ${String(threshold)}`);
  }
  if (!FULL_MODES.includes(fullMode)) problems.push(`fullMode: expected one of ${FULL_MODES.join(', ')} but found ${String(fullMode)}`);
  if (spill !== undefined) {
    if (typeof spill.directory !== 'string' || spill.directory === '') problems.push(`spill.directory: expected a path but found ${JSON.stringify(spill.directory)}`);
    if (options.serialize === undefined || options.deserialize === undefined) problems.push('spill: expected serialize and deserialize functions to be given with it');
    const budget = spill.memoryBudgetBytes;
    if (budget !== undefined) {
      if (!(Number.isFinite(budget) && budget > 0)) problems.push(`spill.memoryBudgetBytes: expected a number > 0 but found ${String(budget)}`);
      if (options.byteLength === undefined) problems.push('spill.memoryBudgetBytes: expected a byteLength function to measure items with');
    }
    const segment = spill.segmentBytes;
    if (segment !== undefined && !(Number.isInteger(segment) && segment > 0)) problems.push(`spill.segmentBytes: expected an integer > 0 but found ${String(segment)}`);
  }
  if (problems.length > 0) {
    throw new FlowEngineError('FE_CHANNEL_OPTIONS', `channel "${name}": invalid options:\n  ${problems.join('\n  ')}`, { details: { channel: name, problems } });
  }
  return {
    ...options,
    name,
    fullMode,
    highWater: Math.max(1, Math.ceil((bufferSize * threshold) / 100)),
    spill: spill === undefined ? undefined : { ...spill, segmentBytes: spill.segmentBytes ?? DEFAULT_SEGMENT_BYTES },
  };
}
