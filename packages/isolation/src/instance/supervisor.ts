import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowEngineError } from '@flowengine/sdk';
import type { PluginLogger, RejectedRow } from '@flowengine/sdk';
import type { Piscina } from 'piscina';
import { InlineTransport } from '../inline/inline-transport.js';
import { ProcessTransport } from '../process/process-transport.js';
import { inlineCodec, transferCodec } from '../runtime/codecs.js';
import type { RunOutcome } from '../runtime/protocol.js';
import type { ChunkCodec, MemorySample, ReplyResult, RequestBody, RuntimeEvent, RuntimeInit } from '../runtime/protocol.js';
import { createWorkerPool } from '../worker/worker-pool.js';
import { WorkerTransport } from '../worker/worker-transport.js';
import { MetricSink } from './metric-sink.js';
import type { Transport, TransportListener } from './transport.js';
import type { InstanceOptions, InstanceStats, IsolationMode, RestartPolicy } from './types.js';

const MB = 1024 * 1024;
/** A child process carries Node itself (~40-60 MB RSS) on top of what the plugin uses. */
const PROCESS_RSS_HEADROOM_MB = 128;
const SAMPLE_INTERVAL_MS = 100;
const LATENCY_WINDOW = 10_000;
const OPEN_ALLOWANCE_SECONDS = 10;

/** Failures a restart cannot fix: the same code and config would fail the same way again. */
const PERMANENT = new Set([
  'FE_PLUGIN_CONFIG_INVALID', 'FE_PLUGIN_LOAD_FAILED', 'FE_PLUGIN_EXPORT_NOT_FOUND', 'FE_PLUGIN_KIND_MISMATCH',
  'FE_PLUGIN_PROTOCOL', 'FE_PLUGIN_CLOSED', 'FE_PLUGIN_ACCESS_DENIED', 'FE_PLUGIN_DEFINITION_INVALID', 'FE_SCHEMA_INVALID',
]);

type Phase = 'open' | 'read' | 'ack' | 'transform' | 'flush' | 'write' | 'close';

interface Lane {
  transport: Transport<unknown>;
  memory: MemorySample;
  rejected: number;
  inFlight: number;
}

/** The restarts of one lane index (a restart replaces the Lane, so this outlives it). */
interface LaneRestarts {
  /**
   * Bumped when a restart of the lane begins. A call that fails compares it with the value it saw
   * before its attempt: if it moved, the lane died under another call too and is already restarting.
   */
  generation: number;
  /** The restart under way: resolves with the open reply once the lane is open again, rejects when it gives up. */
  reopening: Promise<ReplyResult<unknown>> | undefined;
}

/** Options with defaults applied. */
export interface ResolvedOptions extends InstanceOptions {
  readonly mode: IsolationMode;
  readonly memoryLimitMB: number;
  readonly timeoutSeconds: number;
  readonly threads: number;
}

/**
 * Owns the lanes (worker threads, child process or inline runtime) of one plugin instance and
 * applies the host's rules to every call: a timeout per call, the memory watchdog, error
 * enrichment (instance, plugin, phase), the restart policy, and the instance's stats.
 */
export class Supervisor {
  readonly options: ResolvedOptions;
  readonly codec: ChunkCodec<unknown>;
  readonly #lanes: Lane[] = [];
  readonly #laneRestarts: LaneRestarts[] = [];
  readonly #logger: PluginLogger;
  /** Records what the plugin measures (ctx.meter) into `options.meter`; none without one. */
  readonly #metrics: MetricSink | undefined;
  readonly #spillDir: string;
  readonly #ownsSpillDir: boolean;
  readonly #detailed: boolean;
  #pool: Piscina | undefined;
  #resumeFrom: unknown;
  #restarts = 0;
  #rejectedBefore = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Hooks run after a lane is reopened (a sink replays the writes since its last flush). */
  afterRestart: ((lane: number) => Promise<void>) | undefined;
  readonly counters = { calls: 0, rowsIn: 0, rowsOut: 0, peakHeapBytes: 0 };
  readonly #latencies: number[] = [];

  /** `pool`: a worker pool prepared ahead for this instance (see host.ts); the supervisor owns it from now on. */
  constructor(options: ResolvedOptions, pool?: Piscina) {
    this.options = options;
    this.#pool = pool;
    this.codec = (options.mode === 'inline' ? inlineCodec : transferCodec) as ChunkCodec<unknown>;
    this.#logger = options.logger ?? defaultLogger(options.name);
    this.#metrics = options.meter === undefined ? undefined : new MetricSink(options.meter);
    this.#ownsSpillDir = options.spillDir === undefined;
    this.#spillDir = options.spillDir ?? mkdtempSync(join(tmpdir(), `flowengine-${options.name.replace(/[^\w-]/g, '_')}-`));
    this.#detailed = options.detailedMetrics ?? process.env.FLOWENGINE_ENABLE_DETAILED_METRICS === 'true';
    this.#resumeFrom = options.resumeFrom;
  }

  get laneCount(): number {
    return this.#lanes.length;
  }

  /** Starts lane `index` and opens the plugin in it; returns the open reply (schema, stateless). */
  async openLane(index: number): Promise<ReplyResult<unknown>> {
    return this.withRestart(index, 'open', async () => this.#openOnce(index));
  }

  async #openOnce(index: number): Promise<ReplyResult<unknown>> {
    // A restart may wake from its backoff after close(): start nothing that close() would miss.
    if (this.#closed) throw this.#closedError('open');
    const lane = { memory: { heapUsed: 0, external: 0, rss: 0 }, rejected: 0, inFlight: 0 } as Lane;
    // A restarted runtime numbers its instruments afresh, and what the old one observed is over.
    if (this.#lanes[index] !== undefined) this.#metrics?.laneReplaced(index);
    lane.transport = this.#startTransport(lane);
    this.#lanes[index] = lane;
    return this.call(index, { op: 'open' }, [], 'open');
  }

  /** The lane with the fewest calls in flight (ties: the lowest index). */
  pickLane(): number {
    let best = 0;
    for (let i = 1; i < this.#lanes.length; i++) if ((this.#lanes[i] as Lane).inFlight < (this.#lanes[best] as Lane).inFlight) best = i;
    return best;
  }

  /** Remembers the last acknowledged position: a restarted source resumes after it. */
  acknowledged(position: unknown): void {
    this.#resumeFrom = position;
  }

  /** One call on one lane, bounded by the timeout and checked by the watchdog. */
  async call(index: number, body: RequestBody<unknown>, transfer: ArrayBuffer[], phase: Phase): Promise<ReplyResult<unknown>> {
    if (this.#closed && phase !== 'close') throw this.#closedError(phase);
    const lane = this.#lanes[index] as Lane;
    // open also starts the thread/process and imports the module: it gets a startup allowance.
    const timeoutMs = (this.options.timeoutSeconds + (phase === 'open' ? OPEN_ALLOWANCE_SECONDS : 0)) * 1000;
    const timer = setTimeout(() => {
      void lane.transport.kill(new FlowEngineError('FE_PLUGIN_TIMEOUT',
        `instance "${this.options.name}" (${this.options.plugin.id}): ${phase} did not finish within timeoutSeconds (${this.options.timeoutSeconds} s); the instance was terminated`,
        { details: { instance: this.options.name, plugin: this.options.plugin.id, phase, timeoutSeconds: this.options.timeoutSeconds } }));
    }, timeoutMs);
    const started = performance.now();
    lane.inFlight += 1;
    this.counters.calls += 1;
    try {
      const reply = await lane.transport.request(body, transfer);
      lane.rejected = reply.rejected;
      if (reply.metrics !== undefined) this.#metrics?.apply(index, reply.metrics);
      this.#sample(lane, reply.memory);
      const tripped = this.#watchdog(lane);
      if (tripped !== undefined) {
        await lane.transport.kill(tripped);
        throw tripped;
      }
      if (!reply.ok) throw this.#enrich(FlowEngineError.fromData(reply.error), phase);
      if (this.#detailed && phase !== 'open' && phase !== 'close') {
        if (this.#latencies.length >= LATENCY_WINDOW) this.#latencies.shift();
        this.#latencies.push(performance.now() - started);
      }
      return reply.result;
    } catch (error) {
      throw error instanceof FlowEngineError ? error : FlowEngineError.from(error, 'FE_PLUGIN_CRASHED', `instance "${this.options.name}"`);
    } finally {
      clearTimeout(timer);
      lane.inFlight -= 1;
    }
  }

  /**
   * Runs `attempt`; when it fails with a failure a restart may fix, restarts lane `index` (with
   * backoff, resuming a source after its last acknowledged position) and tries again, up to
   * `restart.maxRetries` over the instance's life. Past the limit: FE_PLUGIN_RESTART_LIMIT.
   * Calls in flight on a lane that dies (a source's read and an ack) share one restart.
   */
  async withRestart<T>(index: number, phase: Phase, attempt: () => Promise<T>): Promise<T> {
    const restarts = (this.#laneRestarts[index] ??= { generation: 0, reopening: undefined });
    for (;;) {
      // A call made while its lane restarts waits for the new lane (and fails if the restart gives up).
      if (restarts.reopening !== undefined) await restarts.reopening;
      const generation = restarts.generation;
      try {
        return await attempt();
      } catch (error) {
        const failure = FlowEngineError.from(error);
        if (this.#closed) throw failure;
        const restartedByAnother = restarts.generation !== generation;
        // The position is recorded and the restarted source resumes after it: an ack is not sent
        // to the new instance, which never read that chunk.
        if (restartedByAnother && phase === 'ack') return undefined as T;
        const reopening = restartedByAnother ? restarts.reopening : this.#restart(index, phase, failure, restarts);
        if (phase === 'ack') {
          await reopening;
          return undefined as T;
        }
        // An `open` attempt is what the restart does again: its reply is the restart's.
        if (phase === 'open') return await reopening as T;
      }
    }
  }

  /** Begins restarting lane `index`, or throws when the failure or the policy allows no restart. */
  #restart(index: number, phase: Phase, failure: FlowEngineError, restarts: LaneRestarts): Promise<ReplyResult<unknown>> {
    this.#checkRestartable(phase, failure);
    restarts.generation += 1;
    const reopening = this.#reopen(index, phase, failure).finally(() => {
      restarts.reopening = undefined;
    });
    restarts.reopening = reopening;
    return reopening;
  }

  /** Replaces lane `index` until it opens (and, for a sink, takes its replayed writes); each try counts as a restart. */
  async #reopen(index: number, phase: Phase, failure: FlowEngineError): Promise<ReplyResult<unknown>> {
    const policy = this.options.restart as RestartPolicy;
    for (;;) {
      this.#restarts += 1;
      this.#logger.warn(`restarting after [${failure.code}] ${failure.message}`, { restart: this.#restarts, maxRetries: policy.maxRetries });
      await this.#stopLane(index);
      await sleep(policy.backoffMs * 2 ** (this.#restarts - 1));
      try {
        const opened = await this.#openOnce(index);
        await this.afterRestart?.(index);
        return opened;
      } catch (error) {
        failure = FlowEngineError.from(error);
        this.#checkRestartable(phase, failure);
      }
    }
  }

  /** Throws `failure` when a restart cannot fix it, and FE_PLUGIN_RESTART_LIMIT when none are left. */
  #checkRestartable(phase: Phase, failure: FlowEngineError): void {
    const policy = this.options.restart;
    if (this.#closed || policy === undefined || policy.maxRetries <= 0 || !isRestartable(failure)) throw failure;
    if (this.#restarts >= policy.maxRetries) {
      throw new FlowEngineError('FE_PLUGIN_RESTART_LIMIT',
        `instance "${this.options.name}" (${this.options.plugin.id}): failed after ${this.#restarts} restart(s) (restart.maxRetries: ${policy.maxRetries}); last failure in ${phase}: [${failure.code}] ${failure.message}`,
        { details: { instance: this.options.name, plugin: this.options.plugin.id, restarts: this.#restarts, lastCode: failure.code }, cause: failure });
    }
  }

  async #stopLane(index: number): Promise<void> {
    const old = this.#lanes[index];
    if (old === undefined) return;
    this.#rejectedBefore += old.rejected;
    old.rejected = 0;
    await old.transport.kill(new FlowEngineError('FE_PLUGIN_CLOSED', `instance "${this.options.name}": lane replaced by a restart`,
      { details: { instance: this.options.name } }));
  }

  /** Closes every lane (plugin close() first, then the thread/process), once. */
  close(outcome?: RunOutcome): Promise<void> {
    this.#closing ??= this.#close(outcome);
    return this.#closing;
  }

  async #close(outcome: RunOutcome | undefined): Promise<void> {
    this.#closed = true;
    let firstError: FlowEngineError | undefined;
    await Promise.all(this.#lanes.map(async (lane, index) => {
      if (lane.transport.failure !== undefined) return;
      try {
        await this.call(index, { op: 'close', outcome }, [], 'close');
        await lane.transport.dispose();
      } catch (error) {
        firstError ??= FlowEngineError.from(error);
        await lane.transport.kill(FlowEngineError.from(error));
      }
    }));
    await this.#pool?.destroy();
    if (this.#ownsSpillDir) rmSync(this.#spillDir, { recursive: true, force: true });
    if (firstError !== undefined) throw firstError;
  }

  get closed(): boolean {
    return this.#closed;
  }

  stats(): InstanceStats {
    const heapUsed = this.#lanes.reduce((sum, lane) => sum + lane.memory.heapUsed, 0);
    const external = this.#lanes.reduce((sum, lane) => sum + lane.memory.external, 0);
    return {
      calls: this.counters.calls,
      rowsIn: this.counters.rowsIn,
      rowsOut: this.counters.rowsOut,
      rejected: this.#rejectedBefore + this.#lanes.reduce((sum, lane) => sum + lane.rejected, 0),
      restarts: this.#restarts,
      heapUsedBytes: heapUsed,
      peakHeapBytes: this.counters.peakHeapBytes,
      externalBytes: external,
      ...(this.#detailed ? { chunkLatenciesMs: [...this.#latencies] } : {}),
    };
  }

  #closedError(phase: Phase): FlowEngineError {
    return new FlowEngineError('FE_PLUGIN_CLOSED', `instance "${this.options.name}" (${this.options.plugin.id}): ${phase} after close()`,
      { details: { instance: this.options.name, phase } });
  }

  #startTransport(lane: Lane): Transport<unknown> {
    const options = this.options;
    // Failures surface as the rejection of the pending or next call; nothing to do when they happen.
    const listener: TransportListener = { event: (event) => this.#onEvent(lane, event), failed: () => undefined };
    const init: RuntimeInit = {
      name: options.name,
      pluginId: options.plugin.id,
      kind: options.plugin.kind,
      modulePath: options.plugin.modulePath,
      config: options.config,
      errors: options.errors ?? 'fail',
      spillDir: this.#spillDir,
      inputSchema: options.inputSchema?.toDefinition(),
      declaredSchema: options.declaredSchema?.toDefinition(),
      resumeFrom: this.#resumeFrom,
      sampleIntervalMs: options.mode === 'inline' ? 0 : SAMPLE_INTERVAL_MS,
    };
    if (options.mode === 'inline') return new InlineTransport(init, listener) as Transport<unknown>;
    if (options.mode === 'process') {
      return new ProcessTransport(init, {
        memoryLimitMB: options.memoryLimitMB,
        packageDir: options.plugin.packageDir,
        read: options.grants?.read ?? [],
        write: options.grants?.write ?? [],
        env: options.grants?.env ?? [],
      }, listener) as Transport<unknown>;
    }
    this.#pool ??= createWorkerPool(options.threads, options.memoryLimitMB);
    return new WorkerTransport(this.#pool, init, options.memoryLimitMB, listener) as Transport<unknown>;
  }

  #onEvent(lane: Lane, event: RuntimeEvent): void {
    if (event.type === 'log') {
      this.#logger[event.level](event.message, event.fields);
    } else if (event.type === 'reject') {
      this.#onReject(event.row);
    } else if (lane.transport.failure === undefined) {
      this.#sample(lane, event.memory);
      const tripped = this.#watchdog(lane);
      if (tripped !== undefined) void lane.transport.kill(tripped);
    }
  }

  #onReject(row: RejectedRow): void {
    try {
      this.options.onReject?.(row);
    } catch (error) {
      this.#logger.error(`onReject threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #sample(lane: Lane, memory: MemorySample): void {
    lane.memory = { heapUsed: memory.heapUsed, external: memory.external, rss: memory.rss === 0 ? lane.memory.rss : memory.rss };
    const heap = this.#lanes.reduce((sum, candidate) => sum + candidate.memory.heapUsed, 0);
    if (heap > this.counters.peakHeapBytes) this.counters.peakHeapBytes = heap;
  }

  /** The heap limit is not a hard wall: Buffers and typed arrays live outside it, so check both. */
  #watchdog(lane: Lane): FlowEngineError | undefined {
    if (this.options.mode === 'inline') return undefined;
    const limit = this.options.memoryLimitMB * MB;
    const used = lane.memory.heapUsed + lane.memory.external;
    const rssLimit = limit + PROCESS_RSS_HEADROOM_MB * MB;
    const overRss = this.options.mode === 'process' && lane.memory.rss > rssLimit;
    if (used <= limit && !overRss) return undefined;
    const what = overRss
      ? `resident memory ${toMB(lane.memory.rss)} MB passed memoryLimitMB + ${PROCESS_RSS_HEADROOM_MB} MB headroom`
      : `heap + external memory ${toMB(used)} MB (heap ${toMB(lane.memory.heapUsed)} MB, external ${toMB(lane.memory.external)} MB) passed memoryLimitMB (${this.options.memoryLimitMB} MB)`;
    return new FlowEngineError('FE_PLUGIN_OUT_OF_MEMORY', `instance "${this.options.name}" (${this.options.plugin.id}): ${what}; the watchdog ended it`,
      { details: { instance: this.options.name, memoryLimitMB: this.options.memoryLimitMB, limit: 'watchdog', heapUsed: lane.memory.heapUsed, external: lane.memory.external, rss: lane.memory.rss } });
  }

  /** Names the instance, plugin and call in an error raised by plugin code. */
  #enrich(error: FlowEngineError, phase: Phase): FlowEngineError {
    const { name, plugin } = this.options;
    if (error.details.instance === name && error.message.includes(`"${name}"`)) return error;
    const prefix = error.message.includes(`instance "${name}"`) ? '' : `instance "${name}" (${plugin.id}) ${phase}: `;
    const enriched = new FlowEngineError(error.code, `${prefix}${error.message}`,
      { details: { ...error.details, instance: name, plugin: plugin.id, phase }, cause: error.cause });
    if (error.stack !== undefined) enriched.stack = error.stack;
    return enriched;
  }
}

function isRestartable(error: FlowEngineError): boolean {
  return !PERMANENT.has(error.code) && error.details.rejected !== true;
}

function toMB(bytes: number): string {
  return (bytes / MB).toFixed(1);
}

function defaultLogger(name: string): PluginLogger {
  const write = (level: string) => (message: string) => console.error(`[flowengine:${name}] ${level}: ${message}`);
  return { debug: () => undefined, info: () => undefined, warn: write('warn'), error: write('error') };
}
