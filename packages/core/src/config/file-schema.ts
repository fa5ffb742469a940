import { Type } from '@flowengine/sdk/typebox';
import {
  ARRAY_ROW_POOL_DEFAULTS, CHANNEL_DEFAULTS, CHUNK_POOL_DEFAULTS, ISOLATION_DEFAULTS, PERFORMANCE_DEFAULTS, RESTART_DEFAULTS,
} from './defaults.js';

// Every object in the file rejects keys it does not know, so a typo is a problem, not a silent no-op.
const strict = { additionalProperties: false } as const;

export const FIELD_TYPES = ['int32', 'int64', 'float64', 'bool', 'string', 'timestamp'] as const;

const Field = Type.Object({
  name: Type.String({ minLength: 1, description: 'Column name, unique within the schema.' }),
  type: Type.Enum([...FIELD_TYPES], { description: 'Column type.' }),
  nullable: Type.Optional(Type.Boolean({ description: 'Whether the column may hold nulls.' })),
  unit: Type.Optional(Type.Enum(['s', 'ms', 'us', 'ns'], { description: 'Unit of a `timestamp` (epoch based).' })),
}, strict);

export const DataSchema = Type.Object({
  fields: Type.Array(Field, { minItems: 1, description: 'Ordered columns.' }),
}, { ...strict, description: 'Row schema: `{ fields: [{ name, type, nullable?, unit? }] }`.' });

export const Channel = Type.Object({
  bufferSize: Type.Optional(Type.Integer({ minimum: 1, default: CHANNEL_DEFAULTS.bufferSize, description: 'Capacity of the channel, in chunks.' })),
  backpressureThreshold: Type.Optional(Type.Number({
    minimum: 1, maximum: 100, default: CHANNEL_DEFAULTS.backpressureThreshold,
    description: 'Percent full at which upstream sources pause; they resume below it.',
  })),
  fullMode: Type.Optional(Type.Enum(['Wait', 'DropOldest', 'DropNewest'], {
    default: CHANNEL_DEFAULTS.fullMode, description: 'What a full channel does: block, or drop (and count) the oldest or newest chunk.',
  })),
}, { ...strict, description: 'A channel profile; unset fields come from the `default` profile.' });

export const Channels = Type.Record(Type.String(), Channel, { description: 'Named channel profiles; plugins pick one with `channel:`.' });

export const Isolation = Type.Object({
  defaultMemoryLimitMB: Type.Optional(Type.Integer({ minimum: 16, default: ISOLATION_DEFAULTS.defaultMemoryLimitMB, description: 'V8 heap limit of each plugin worker, in MB.' })),
  defaultTimeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: ISOLATION_DEFAULTS.defaultTimeoutSeconds, description: 'Time limit of each plugin call, in seconds.' })),
  defaultMode: Type.Optional(Type.Enum(['worker', 'inline', 'process'], { description: 'Mode of every plugin without its own `mode`. Unset: worker for built-in, first-party and trusted plugins, process for others.' })),
  enableSpillover: Type.Optional(Type.Boolean({ default: ISOLATION_DEFAULTS.enableSpillover, description: 'Spill chunks a channel cannot hold in memory to files instead of waiting.' })),
  spilloverPath: Type.Optional(Type.String({ minLength: 1, default: '<os tmpdir>/flowengine-spill', description: 'Directory for spill files.' })),
  preloadPlugins: Type.Optional(Type.Boolean({ default: ISOLATION_DEFAULTS.preloadPlugins, description: 'Start every plugin worker pool before the first chunk.' })),
  enableLazyLoading: Type.Optional(Type.Boolean({ default: ISOLATION_DEFAULTS.enableLazyLoading, description: 'Start each plugin worker pool on first use.' })),
}, { ...strict, description: 'Isolation host defaults.' });

// Accepted and checked so files written for the seed guide load, but not applied yet: the executor
// builds no pools from them (see the core README, "Memory pools"). The descriptions say so, because
// they are the options table users read.
const pool = (defaults: { initialSize: number; maxSize: number }, what: string) => Type.Object({
  initialSize: Type.Optional(Type.Integer({ minimum: 0, default: defaults.initialSize, description: `${what} to allocate up front. Checked, not applied yet.` })),
  maxSize: Type.Optional(Type.Integer({ minimum: 1, default: defaults.maxSize, description: `Most ${what.toLowerCase()} to keep for reuse. Checked, not applied yet.` })),
}, strict);

export const MemoryPools = Type.Object({
  chunkPool: Type.Optional(pool(CHUNK_POOL_DEFAULTS, 'Chunk buffers')),
  arrayRowPool: Type.Optional(pool(ARRAY_ROW_POOL_DEFAULTS, 'Row views')),
}, { ...strict, description: 'Buffer pools of the chunk builders (checked, not applied yet).' });

export const Settings = Type.Object({
  channels: Type.Optional(Channels),
  isolation: Type.Optional(Isolation),
  memoryPools: Type.Optional(MemoryPools),
}, { ...strict, description: 'Engine settings; a profile overlays them.' });

export const PluginInstance = Type.Object({
  name: Type.String({ minLength: 1, description: 'Instance name, unique in the pipeline.' }),
  type: Type.String({ minLength: 1, description: 'Plugin id (`flowengine plugins list`).' }),
  input: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
    description: 'Upstream instance name(s). Default: the instance listed before (none for a source).',
  })),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The plugin\'s own options, checked against its schema.' })),
  schema: Type.Optional(DataSchema),
  errors: Type.Optional(Type.Enum(['fail', 'skip', 'deadLetter'], { default: 'fail', description: 'What a bad row does: fail the run, skip it (counted), or go to the dead-letter file.' })),
  deadLetter: Type.Optional(Type.Object({
    path: Type.String({ minLength: 1, description: 'JSONL file of dead letters.' }),
  }, { ...strict, description: 'Where dead letters go (default `<instance>.dead-letter.jsonl`).' })),
  mode: Type.Optional(Type.Enum(['worker', 'inline', 'process'], { description: 'Where the plugin runs. Default: `isolation.defaultMode`.' })),
  trusted: Type.Optional(Type.Boolean({ default: false, description: 'Run a third-party plugin in a worker thread instead of a child process.' })),
  memoryLimitMB: Type.Optional(Type.Integer({ minimum: 16, description: 'Heap limit, MB. Default: `isolation.defaultMemoryLimitMB`.' })),
  timeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Per-call time limit, s. Default: `isolation.defaultTimeoutSeconds`.' })),
  parallelism: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: 'Worker threads of a stateless transform.' })),
  threads: Type.Optional(Type.Integer({ minimum: 1, description: 'Seed-guide spelling of `parallelism`.' })),
  restart: Type.Optional(Type.Object({
    maxRetries: Type.Optional(Type.Integer({ minimum: 0, default: RESTART_DEFAULTS.maxRetries, description: 'Restarts after a plugin failure before the run fails.' })),
    backoffMs: Type.Optional(Type.Integer({ minimum: 0, default: RESTART_DEFAULTS.backoffMs, description: 'Wait before each restart, ms.' })),
  }, { ...strict, description: 'Restart policy on plugin failure.' })),
  channel: Type.Optional(Type.String({ minLength: 1, default: 'default', description: 'Channel profile (`settings.channels.<name>`) of this instance\'s input edges.' })),
  chunkSize: Type.Optional(Type.Integer({ minimum: 1, description: 'Rows per chunk (also accepted as `config.chunkSize`).' })),
}, { ...strict, description: 'One plugin instance.' });

export const Performance = Type.Object({
  baselineFile: Type.String({ minLength: 1, description: 'JSON file holding the baseline rows/s.' }),
  failOnRegression: Type.Optional(Type.Boolean({ default: PERFORMANCE_DEFAULTS.failOnRegression, description: 'Exit non-zero past `maxRegressionPercent`.' })),
  maxRegressionPercent: Type.Optional(Type.Number({ minimum: 0, default: PERFORMANCE_DEFAULTS.maxRegressionPercent, description: 'Allowed drop in rows/s against the baseline, %.' })),
}, { ...strict, description: 'Compare each run with a baseline.' });

export const Pipeline = Type.Object({
  name: Type.String({ minLength: 1, description: 'Pipeline name (logs, metrics, summary).' }),
  plugins: Type.Array(PluginInstance, { minItems: 1, description: 'Plugin instances, in order.' }),
  schema: Type.Optional(DataSchema),
  performance: Type.Optional(Performance),
}, strict);

/** The whole pipeline file: canonical shape and the seed guide's top-level sections. */
export const PipelineFile = Type.Object({
  pipeline: Pipeline,
  settings: Type.Optional(Settings),
  channels: Type.Optional(Channels),
  isolation: Type.Optional(Isolation),
  memoryPools: Type.Optional(MemoryPools),
  schema: Type.Optional(DataSchema),
  profiles: Type.Optional(Type.Record(Type.String(), Settings, { description: 'Named overlays of `settings`, chosen with `--profile NAME`.' })),
}, strict);
