import { getHeapStatistics } from 'node:v8';
import { FlowEngineError, Schema, rejectionError, validateConfig } from '@flowengine/sdk';
import type {
  Chunk, PluginContext, PluginDescriptor, PluginLogger, RejectedRow, SinkInstance, SourceBatch, SourceInstance, TransformInstance, TransformOutput,
} from '@flowengine/sdk';
import { loadDescriptor } from './load-descriptor.js';
import { MetricRelay, type MetricBatch } from './metric-relay.js';
import { ReadAheadIterator, type BatchIterator } from './read-ahead.js';
import type { ChunkCodec, MemorySample, Reply, ReplyResult, Request, RunOutcome, RuntimeEvent, RuntimeInit } from './protocol.js';

type Opened =
  | { kind: 'source'; instance: SourceInstance; iterator: BatchIterator<SourceBatch> }
  | { kind: 'transform'; instance: TransformInstance }
  | { kind: 'sink'; instance: SinkInstance };

/**
 * Runs one plugin instance wherever it is placed (worker thread, child process, main thread): it
 * loads the descriptor, validates config, builds `ctx`, and answers the host's requests one at a
 * time. `close` does not queue behind a pending call: it aborts `ctx.signal` first, so a plugin
 * waiting on input can end its wait.
 */
export class PluginRuntime<W> {
  readonly #init: RuntimeInit;
  readonly #codec: ChunkCodec<W>;
  readonly #emit: (event: RuntimeEvent) => void;
  readonly #controller = new AbortController();
  #rejected = 0;
  #opened: Opened | undefined;
  #ctx: PluginContext | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #ackQueue: Promise<unknown> = Promise.resolve();
  #closing: Promise<ReplyResult<W>> | undefined;
  #sampler: ReturnType<typeof setInterval> | undefined;
  /** The plugin's ctx.meter; what it records goes to the host with the replies. */
  readonly #metrics = new MetricRelay();
  readonly #readAhead: boolean;

  /**
   * `readAhead`: a source starts its next read once a batch is handed over (see read-ahead.ts);
   * for runtimes whose replies cross to another thread or process.
   */
  constructor(init: RuntimeInit, codec: ChunkCodec<W>, emit: (event: RuntimeEvent) => void, options: { readAhead?: boolean } = {}) {
    this.#init = init;
    this.#codec = codec;
    this.#emit = emit;
    this.#readAhead = options.readAhead === true;
    if (init.sampleIntervalMs > 0) {
      // The host's watchdog needs samples even while the plugin sits between calls holding memory.
      this.#sampler = setInterval(() => this.#emit({ type: 'memory', memory: sampleMemory(true) }), init.sampleIntervalMs);
      this.#sampler.unref();
    }
  }

  /** Answers one request. Never throws: a plugin failure becomes an error reply with its data. */
  async handle(request: Request<W>): Promise<{ reply: Reply<W>; transfer: ArrayBuffer[] }> {
    const transfer: ArrayBuffer[] = [];
    try {
      let result: ReplyResult<W>;
      if (request.op === 'close') {
        this.#closing ??= this.#close(request.outcome);
        result = await this.#closing;
      } else if (request.op === 'ack') {
        // Acks keep their own order but do not wait behind a read: a streaming source may wait
        // long for its next record, and what it has delivered must still get committed meanwhile.
        const run = this.#ackQueue.then(() => this.#dispatch(request, transfer));
        this.#ackQueue = run.catch(() => undefined);
        result = await run;
      } else {
        const run = this.#queue.then(() => this.#dispatch(request, transfer));
        this.#queue = run.catch(() => undefined);
        result = await run;
      }
      return { reply: { id: request.id, ok: true, result, rejected: this.#rejected, memory: sampleMemory(), ...this.#metricsFor(request) }, transfer };
    } catch (thrown) {
      const error = toPluginError(thrown);
      return { reply: { id: request.id, ok: false, error: error.toData(), rejected: this.#rejected, memory: sampleMemory(), ...this.#metricsFor(request) }, transfer: [] };
    }
  }

  /** The reply's share of the plugin's metrics: everything at a flush or close, else now and then. */
  #metricsFor(request: Request<W>): { metrics?: MetricBatch } {
    const batch = this.#metrics.take(request.op === 'flush' || request.op === 'close');
    return batch === undefined ? {} : { metrics: batch };
  }

  async #dispatch(request: Request<W>, transfer: ArrayBuffer[]): Promise<ReplyResult<W>> {
    if (this.#closing !== undefined) throw new FlowEngineError('FE_PLUGIN_CLOSED', `instance "${this.#init.name}": ${request.op} after close`);
    if (request.op === 'open') return this.#open();
    const opened = this.#opened;
    if (opened === undefined) throw new FlowEngineError('FE_PLUGIN_PROTOCOL', `instance "${this.#init.name}": ${request.op} before open`);
    const ctx = this.#ctx as PluginContext;
    switch (request.op) {
      case 'next': {
        if (opened.kind !== 'source') break;
        const step = await opened.iterator.next();
        if (step.done === true) return { batch: null };
        const batch = step.value as Partial<SourceBatch> | undefined;
        if (batch === undefined || !isChunk(batch.chunk)) {
          throw new FlowEngineError('FE_PLUGIN_PROTOCOL', `instance "${this.#init.name}": read() must yield { chunk, position }, found ${describe(batch)}`);
        }
        const { wire, transfer: buffers } = this.#codec.encode(batch.chunk);
        transfer.push(...buffers);
        return { batch: { chunk: wire, position: batch.position } };
      }
      case 'ack':
        if (opened.kind !== 'source') break;
        await opened.instance.ack?.(request.position);
        return {};
      case 'transform':
        if (opened.kind !== 'transform') break;
        return { chunks: this.#encodeAll(await opened.instance.transform(this.#codec.decode(request.chunk), ctx), transfer, 'transform') };
      case 'flush':
        if (opened.kind === 'transform') return { chunks: this.#encodeAll(await opened.instance.flush?.(), transfer, 'flush') };
        if (opened.kind === 'sink') {
          await opened.instance.flush();
          return {};
        }
        break;
      case 'write':
        if (opened.kind !== 'sink') break;
        await opened.instance.write(this.#codec.decode(request.chunk));
        return {};
    }
    throw new FlowEngineError('FE_PLUGIN_PROTOCOL', `instance "${this.#init.name}": a ${opened.kind} has no "${request.op}" call`);
  }

  async #open(): Promise<ReplyResult<W>> {
    const init = this.#init;
    const descriptor: PluginDescriptor = await loadDescriptor(init.modulePath, init.pluginId, init.kind);
    const config = validateConfig(descriptor.config, init.config, `instance "${init.name}" (${init.pluginId})`);
    const ctx = this.#context(config);
    this.#ctx = ctx;
    if (descriptor.kind === 'source') {
      const instance = await descriptor.open(ctx);
      if (typeof instance?.schema?.toDefinition !== 'function' || typeof instance.read !== 'function') {
        throw new FlowEngineError('FE_PLUGIN_PROTOCOL', `instance "${init.name}": open() must return { schema, read() }, found ${describe(instance)}`);
      }
      const iterator = instance.read()[Symbol.asyncIterator]();
      this.#opened = { kind: 'source', instance, iterator: this.#readAhead ? new ReadAheadIterator(iterator) : iterator };
      return { schema: instance.schema.toDefinition() };
    }
    const inputSchema = Schema.fromDefinition(init.inputSchema, `instance "${init.name}" input schema`);
    if (descriptor.kind === 'transform') {
      const outputSchema = descriptor.outputSchema(inputSchema, config);
      const instance = await descriptor.open(ctx, inputSchema);
      if (typeof instance?.transform !== 'function') {
        throw new FlowEngineError('FE_PLUGIN_PROTOCOL', `instance "${init.name}": open() must return { transform(chunk) }, found ${describe(instance)}`);
      }
      this.#opened = { kind: 'transform', instance };
      return { schema: outputSchema.toDefinition(), stateless: descriptor.stateless === true };
    }
    const instance = await descriptor.open(ctx, inputSchema);
    if (typeof instance?.write !== 'function' || typeof instance.flush !== 'function') {
      throw new FlowEngineError('FE_PLUGIN_PROTOCOL', `instance "${init.name}": open() must return { write(chunk), flush() }, found ${describe(instance)}`);
    }
    this.#opened = { kind: 'sink', instance };
    return {};
  }

  async #close(outcome: RunOutcome | undefined): Promise<ReplyResult<W>> {
    // The abort reason tells the plugin whether the run completed: a file sink commits its output
    // only after a complete run (FE_PLUGIN_CLOSED) and discards it after a stopped or failed one.
    this.#controller.abort(closeReason(this.#init.name, outcome));
    if (this.#sampler !== undefined) clearInterval(this.#sampler);
    await Promise.all([this.#queue, this.#ackQueue]);
    const opened = this.#opened;
    this.#opened = undefined;
    if (opened === undefined) return {};
    try {
      if (opened.kind === 'source') await opened.iterator.return?.();
    } finally {
      await opened.instance.close?.();
    }
    return {};
  }

  #encodeAll(output: TransformOutput, transfer: ArrayBuffer[], call: string): W[] {
    const chunks = output === undefined ? [] : isChunk(output) ? [output] : output;
    if (!Array.isArray(chunks) || !chunks.every(isChunk)) {
      throw new FlowEngineError('FE_PLUGIN_PROTOCOL', `instance "${this.#init.name}": ${call}() must return a Chunk, Chunk[] or nothing, found ${describe(output)}`);
    }
    return chunks.map((chunk) => {
      const { wire, transfer: buffers } = this.#codec.encode(chunk);
      transfer.push(...buffers);
      return wire;
    });
  }

  #context(config: unknown): PluginContext {
    const init = this.#init;
    const emit = this.#emit;
    const log = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) =>
      emit({ type: 'log', level, message: String(message), fields: fields === undefined ? undefined : plain(fields) as Record<string, unknown> });
    const logger: PluginLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    return Object.freeze({
      instanceName: init.name,
      config,
      logger,
      meter: this.#metrics.meter,
      signal: this.#controller.signal,
      spillDir: init.spillDir,
      declaredSchema: init.declaredSchema === undefined ? undefined : Schema.fromDefinition(init.declaredSchema, `instance "${init.name}" schema`),
      resumeFrom: init.resumeFrom,
      reject: (row: RejectedRow) => this.#reject(row),
    });
  }

  #reject(row: RejectedRow): void {
    const init = this.#init;
    if (init.errors === 'fail') throw rejectionError(init.name, row);
    this.#rejected += 1;
    if (init.errors === 'deadLetter') {
      this.#emit({ type: 'reject', row: { record: plain(row.record), reason: row.reason, code: row.code, ...(row.location === undefined ? {} : { location: row.location }) } });
    }
  }
}

/** Unknown throws become FE_PLUGIN_UNCAUGHT; Node's permission errors get their own code. */
function toPluginError(thrown: unknown): FlowEngineError {
  if ((thrown as { code?: unknown } | null)?.code === 'ERR_ACCESS_DENIED') {
    const error = thrown as Error & { permission?: string; resource?: string };
    return new FlowEngineError('FE_PLUGIN_ACCESS_DENIED', `${error.message}${error.resource === undefined ? '' : ` (${error.permission ?? 'access'}: ${error.resource})`}`,
      { details: { permission: error.permission, resource: error.resource }, cause: thrown });
  }
  return FlowEngineError.from(thrown);
}

function isChunk(value: unknown): value is Chunk {
  return typeof value === 'object' && value !== null && (value as Chunk).buffer instanceof ArrayBuffer && typeof (value as Chunk).length === 'number';
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? `an object with keys [${Object.keys(value).join(', ')}]` : typeof value;
}

/** Records and log fields must survive structured clone / IPC; anything else goes as text. */
function plain(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return String(value);
  }
}

/**
 * One memory sample. `v8.getHeapStatistics()` costs about 1 µs where `process.memoryUsage()` costs
 * about 20 µs (it reads RSS from the OS), so replies carry heap + external and only the periodic
 * sample pays for RSS (which is per process: meaningful for a child, not for a worker).
 */
export function sampleMemory(withRss = false): MemorySample {
  const heap = getHeapStatistics();
  return { heapUsed: heap.used_heap_size, external: heap.external_memory, rss: withRss ? process.memoryUsage.rss() : 0 };
}

function closeReason(name: string, outcome: RunOutcome | undefined): FlowEngineError {
  if (outcome === 'stopped') return new FlowEngineError('FE_RUN_STOPPED', `instance "${name}" is closing: the run was stopped before its input ended`);
  if (outcome === 'failed') return new FlowEngineError('FE_RUN_FAILED', `instance "${name}" is closing: the run failed`);
  return new FlowEngineError('FE_PLUGIN_CLOSED', `instance "${name}" is closing`);
}
