import type { RunOutcome } from '../runtime/protocol.js';
import type { Chunk, ErrorPolicy, PluginKind, PluginLogger, RejectedRow, Schema } from '@flowengine/sdk';
import type { Meter } from '@opentelemetry/api';

/** Where an instance runs. */
export type IsolationMode = 'worker' | 'inline' | 'process';

/** Which plugin to run: the module exporting its descriptor and the package it comes from. */
export interface PluginRef {
  readonly id: string;
  readonly kind: PluginKind;
  /** Absolute path of the built JS module exporting the descriptor (default export or named). */
  readonly modulePath: string;
  readonly packageName?: string | undefined;
  /** The plugin package's directory: what `process` mode lets the plugin read. */
  readonly packageDir?: string | undefined;
  /** First-party plugins default to `worker` mode, third-party ones to `process`. */
  readonly firstParty: boolean;
}

/** Paths and variables a `process`-mode plugin may use besides its own package. */
export interface Grants {
  readonly read?: readonly string[] | undefined;
  readonly write?: readonly string[] | undefined;
  readonly env?: readonly string[] | undefined;
}

/** Restart policy: how often a failed instance is restarted before the failure is final. */
export interface RestartPolicy {
  /** Restarts allowed over the instance's life; 0 fails on the first failure. */
  readonly maxRetries: number;
  /** Wait before the first restart; doubles with each further restart. */
  readonly backoffMs: number;
}

/** Everything {@link startInstance} needs to run one plugin instance. */
export interface InstanceOptions {
  /** The instance name from the pipeline; every error and metric names it. */
  readonly name: string;
  readonly plugin: PluginRef;
  readonly config: unknown;
  /** Default: `worker` for first-party plugins, `process` for third-party ones. */
  readonly mode?: IsolationMode | undefined;
  /** V8 heap limit of the worker/child, also the watchdog's limit on heap + external memory. Default 200. */
  readonly memoryLimitMB?: number | undefined;
  /** Bound on each call (open, next, transform, write, flush, ack, close). Default 60. */
  readonly timeoutSeconds?: number | undefined;
  /** Threads for a `stateless` transform (output order is kept). Default 1. */
  readonly threads?: number | undefined;
  readonly restart?: RestartPolicy | undefined;
  /** What `ctx.reject(row)` does. Default `fail`. */
  readonly errors?: ErrorPolicy | undefined;
  /** Receives every row rejected under `errors: deadLetter`. */
  onReject?(row: RejectedRow): void;
  /** Required for transforms and sinks: the schema of the chunks they receive. */
  readonly inputSchema?: Schema | undefined;
  /**
   * A source position to resume after (`ctx.resumeFrom`), e.g. the last one acknowledged in a
   * previous run. Restarts replace it with the last position acknowledged in this run.
   */
  readonly resumeFrom?: unknown;
  /** The pipeline's `schema:` for a source, passed to it as `ctx.declaredSchema`. */
  readonly declaredSchema?: Schema | undefined;
  readonly grants?: Grants | undefined;
  /** The instance's spill directory (`ctx.spillDir`). Default: a directory under the OS temp dir. */
  readonly spillDir?: string | undefined;
  /** Receives the plugin's log records. Default: warnings and errors to stderr. */
  readonly logger?: PluginLogger | undefined;
  /**
   * Where the plugin's own instruments (`ctx.meter`) are recorded, in any mode: the runtime relays
   * them here with its replies. The engine passes its meter `flowengine.<instance>`. Default: none
   * (what the plugin records is dropped).
   */
  readonly meter?: Meter | undefined;
  /** Keep per-call latencies in stats (also on when FLOWENGINE_ENABLE_DETAILED_METRICS=true). */
  readonly detailedMetrics?: boolean | undefined;
}

/** Counters of one instance, across restarts. */
export interface InstanceStats {
  readonly calls: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly rejected: number;
  readonly restarts: number;
  /** Last sampled V8 heap in use (worker/child; the engine's own heap in inline mode). */
  readonly heapUsedBytes: number;
  readonly peakHeapBytes: number;
  /** Last sampled memory outside the V8 heap (Buffers, typed arrays). */
  readonly externalBytes: number;
  /** Latency of the most recent calls (up to 10,000) when detailed metrics are on. */
  readonly chunkLatenciesMs?: number[];
}

interface HandleBase {
  readonly name: string;
  readonly mode: IsolationMode;
  /**
   * Ends the instance: aborts `ctx.signal` (its reason says how the run ended: FE_PLUGIN_CLOSED
   * after a complete run, FE_RUN_STOPPED or FE_RUN_FAILED otherwise), calls the plugin's close(),
   * stops its worker. Idempotent.
   */
  close(outcome?: RunOutcome): Promise<void>;
  stats(): InstanceStats;
}

/** A running source. */
export interface SourceHandle extends HandleBase {
  readonly kind: 'source';
  readonly schema: Schema;
  /** The next chunk and its position, or null at the end of the input. */
  next(): Promise<{ chunk: Chunk; position: unknown } | null>;
  /** Every sink has durably written all rows up to `position`; a restart resumes after it. */
  ack(position: unknown): Promise<void>;
}

/**
 * A running transform. The handle takes ownership of each chunk passed in (its buffer is
 * transferred to the worker). Calls may overlap: with `threads > 1` they run in parallel and each
 * promise still resolves with the output of its own input, so consuming them in call order keeps order.
 */
export interface TransformHandle extends HandleBase {
  readonly kind: 'transform';
  readonly outputSchema: Schema;
  transform(chunk: Chunk): Promise<Chunk[]>;
  flush(): Promise<Chunk[]>;
}

/** A running sink. Takes ownership of each chunk written. */
export interface SinkHandle extends HandleBase {
  readonly kind: 'sink';
  write(chunk: Chunk): Promise<void>;
  flush(): Promise<void>;
}

export type InstanceHandle = SourceHandle | TransformHandle | SinkHandle;

/** The handle type for a plugin kind (the union for an unknown kind). */
export type HandleFor<K extends PluginKind> = K extends 'source' ? SourceHandle : K extends 'transform' ? TransformHandle : K extends 'sink' ? SinkHandle : never;
