import type { ErrorPolicy, FlowEngineErrorData, PluginKind, RejectedRow } from '@flowengine/sdk';
import type { MetricBatch } from './metric-relay.js';

/**
 * The messages between the host and a plugin runtime. The same protocol runs over a worker's
 * MessagePort, a child process's IPC channel, and direct calls in inline mode; only how a chunk is
 * carried (`W`: an encoded chunk message, or the Chunk itself inline) differs.
 */

/** What the runtime needs to load and open one plugin instance. Plain data: it crosses threads. */
export interface RuntimeInit {
  readonly name: string;
  readonly pluginId: string;
  readonly kind: PluginKind;
  readonly modulePath: string;
  readonly config: unknown;
  readonly errors: ErrorPolicy;
  readonly spillDir: string;
  /** Schema definitions (`Schema#toDefinition()`), not Schema objects: they cross as JSON. */
  readonly inputSchema?: unknown;
  readonly declaredSchema?: unknown;
  readonly resumeFrom?: unknown;
  /** How often the runtime reports its memory unprompted (0: only with replies). */
  readonly sampleIntervalMs: number;
}

/** How the run ended, told to plugins at close through `ctx.signal.reason`. */
export type RunOutcome = 'succeeded' | 'stopped' | 'failed';

export type RequestBody<W> =
  | { readonly op: 'open' }
  | { readonly op: 'next' }
  | { readonly op: 'ack'; readonly position: unknown }
  | { readonly op: 'transform'; readonly chunk: W }
  | { readonly op: 'flush' }
  | { readonly op: 'write'; readonly chunk: W }
  | { readonly op: 'close'; readonly outcome?: RunOutcome | undefined };

export type Op = RequestBody<unknown>['op'];
export type Request<W> = RequestBody<W> & { readonly id: number };

export interface MemorySample {
  readonly heapUsed: number;
  readonly external: number;
  readonly rss: number;
}

export interface ReplyResult<W> {
  /** open: the source schema or the transform's output schema (as a definition). */
  readonly schema?: unknown;
  /** open of a transform: whether the descriptor declares `stateless: true`. */
  readonly stateless?: boolean;
  /** next: a batch, or null at the end of the input. */
  readonly batch?: { readonly chunk: W; readonly position: unknown } | null;
  /** transform/flush: output chunks. */
  readonly chunks?: readonly W[];
}

interface ReplyBase {
  readonly id: number;
  /** Rows rejected so far by this runtime (cumulative). */
  readonly rejected: number;
  readonly memory: MemorySample;
  /** What the plugin's instruments (ctx.meter) recorded since the last reply that carried any. */
  readonly metrics?: MetricBatch;
}

export type Reply<W> =
  | (ReplyBase & { readonly ok: true; readonly result: ReplyResult<W> })
  | (ReplyBase & { readonly ok: false; readonly error: FlowEngineErrorData });

/** Messages the runtime sends unprompted. */
export type RuntimeEvent =
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string; readonly fields?: Record<string, unknown> | undefined }
  | { readonly type: 'reject'; readonly row: RejectedRow }
  | { readonly type: 'memory'; readonly memory: MemorySample };

/** How chunks travel: encoded for workers and processes, as objects inline. */
export interface ChunkCodec<W> {
  encode(chunk: import('@flowengine/sdk').Chunk): { wire: W; transfer: ArrayBuffer[] };
  decode(wire: W): import('@flowengine/sdk').Chunk;
  /** A private copy of a chunk on the wire, kept so a call can be retried after a restart. */
  copy(wire: W): { wire: W; transfer: ArrayBuffer[] };
}
