import type { PluginKind } from './catalog.js';

/** Column types a `schema:` may declare (the SDK's data model). */
export type FieldTypeName = 'int32' | 'int64' | 'float64' | 'bool' | 'string' | 'timestamp';
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';
export type FullMode = 'Wait' | 'DropOldest' | 'DropNewest';
export type IsolationMode = 'worker' | 'inline' | 'process';
export type ErrorPolicy = 'fail' | 'skip' | 'deadLetter';

export interface FieldConfig {
  readonly name: string;
  readonly type: FieldTypeName;
  readonly nullable?: boolean;
  readonly unit?: TimeUnit;
}

export interface DataSchemaConfig {
  readonly fields: readonly FieldConfig[];
}

export interface ChannelSettings {
  /** Capacity in chunks. */
  readonly bufferSize: number;
  /** Percent full at which upstream sources pause (they resume below it). */
  readonly backpressureThreshold: number;
  readonly fullMode: FullMode;
}

export interface IsolationSettings {
  readonly defaultMemoryLimitMB: number;
  readonly defaultTimeoutSeconds: number;
  /** Absent: built-in, first-party and `trusted` plugins run in `worker`, others in `process`. */
  readonly defaultMode?: IsolationMode;
  readonly enableSpillover: boolean;
  readonly spilloverPath: string;
  readonly preloadPlugins: boolean;
  readonly enableLazyLoading: boolean;
}

export interface PoolSettings {
  readonly initialSize: number;
  readonly maxSize: number;
}

export interface EngineSettings {
  /** Named channel profiles; `default` is always present. */
  readonly channels: Readonly<Record<string, ChannelSettings>>;
  readonly isolation: IsolationSettings;
  readonly memoryPools: { readonly chunkPool: PoolSettings; readonly arrayRowPool: PoolSettings };
}

export interface RestartPolicy {
  readonly maxRetries: number;
  readonly backoffMs: number;
}

/** One plugin instance, every default filled. */
export interface PluginInstanceConfig {
  readonly name: string;
  readonly type: string;
  readonly kind: PluginKind;
  readonly builtIn: boolean;
  /**
   * Upstream instance names. When the file gives none, a transform or sink reads the instance
   * listed just before it; a source (or the first instance) reads nothing.
   */
  readonly input: readonly string[];
  /** The plugin's config, validated against its own schema, the schema's defaults filled. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly schema?: DataSchemaConfig;
  readonly errors: ErrorPolicy;
  /** Present when `errors` is `deadLetter`. */
  readonly deadLetter?: { readonly path: string };
  readonly mode: IsolationMode;
  readonly trusted: boolean;
  readonly memoryLimitMB: number;
  readonly timeoutSeconds: number;
  /** Worker threads for a stateless transform (`threads:` in the seed shape). */
  readonly parallelism: number;
  readonly restart: RestartPolicy;
  /** Name of the `settings.channels` profile used for this instance's input edges. */
  readonly channel: string;
  /** Rows per chunk, from `chunkSize:` or the seed's `config.chunkSize`. */
  readonly chunkSize?: number;
}

export interface PerformanceConfig {
  readonly baselineFile: string;
  readonly failOnRegression: boolean;
  readonly maxRegressionPercent: number;
}

/** The canonical, deep-frozen pipeline: what every later stage of the engine reads. */
export interface PipelineConfig {
  readonly name: string;
  readonly plugins: readonly PluginInstanceConfig[];
  readonly performance?: PerformanceConfig;
  readonly settings: EngineSettings;
  /** The profile overlaid on `settings`, if any. */
  readonly profile?: string;
}
