import type { MeterProvider } from '@opentelemetry/api';
import { FlowEngineError, type Chunk, type Schema } from '@flowengine/sdk';
import { buildPipelineGraph } from '../graph/pipeline-graph.js';
import { AckTracker } from './ack-tracker.js';
import { DeadLetterWriter } from './dead-letter-writer.js';
import { serial } from './serial.js';
import { StageStats } from './stage-stats.js';
import type { ExecutionPlan, StagePlan } from './plan.js';
import { createEdgeChannel, type Envelope, type EdgeChannel, type PipelineEdge } from './edge-channel.js';
import type { InstanceHandle, InstanceStatsLike, SinkHandle, SourceHandle, StartInstance, TransformHandle } from './handles.js';
import { summarise, type RunStatus, type RunSummary } from './summary.js';
import { instanceMeterName } from '../metrics/meter-names.js';

export interface RunOptions {
  /** The isolation host's startInstance (or a wrapper that applies the lock file). */
  readonly startInstance: StartInstance;
  /** Aborting it stops the sources; the pipeline then drains, flushes, acknowledges and ends. */
  readonly stopSignal?: AbortSignal;
  /** Aborting it ends the run at once: nothing more is flushed or acknowledged. */
  readonly killSignal?: AbortSignal;
  /** Hides secret values in anything the executor writes (dead letters, messages). */
  readonly redact?: (text: string) => string;
  /**
   * Where plugins' own instruments (`ctx.meter`) are recorded: each instance records into meter
   * `flowengine.<instance>` of this provider, as the engine's per-stage metrics do (see
   * attachMetrics). Default: none, and what plugins record is dropped.
   */
  readonly meterProvider?: MeterProvider;
}

/** What a running pipeline exposes to monitors: live counters, read at any time. */
export interface RunningPipeline {
  readonly stats: ReadonlyMap<string, StageStats>;
  /** Every edge with its two ends, in the order the channels were made (filled once every stage started). */
  readonly edges: readonly PipelineEdge[];
  readonly handles: ReadonlyMap<string, InstanceHandle>;
  readonly startedAt: number;
  /** RunOptions.meterProvider: attachMetrics records the engine's figures there too unless told otherwise. */
  readonly meterProvider?: MeterProvider | undefined;
  /** Resolves with the summary when the run ends, successfully or not; never rejects. */
  readonly done: Promise<RunSummary>;
}

/**
 * Runs a pipeline: starts every stage through the isolation host, joins them with channels,
 * moves chunks until the sources end (or `stopSignal` fires), flushes the sinks, acknowledges
 * positions to the sources, closes everything and returns a summary.
 */
export function startPipeline(plan: ExecutionPlan, options: RunOptions): RunningPipeline {
  const execution = new Execution(plan, options);
  return {
    stats: execution.stats,
    edges: execution.edges,
    handles: execution.handles,
    startedAt: execution.startedAt,
    meterProvider: options.meterProvider,
    done: execution.run(),
  };
}

export async function runPipeline(plan: ExecutionPlan, options: RunOptions): Promise<RunSummary> {
  return startPipeline(plan, options).done;
}

class Execution {
  readonly stats = new Map<string, StageStats>();
  readonly edges: PipelineEdge[] = [];
  readonly handles = new Map<string, InstanceHandle>();
  readonly startedAt = performance.now();
  readonly #plan: ExecutionPlan;
  readonly #options: RunOptions;
  readonly #stages: Map<string, StagePlan>;
  readonly #deadLetters = new Map<string, DeadLetterWriter>();
  readonly #retries = new Map<string, number>();
  readonly #starting = new Map<string, Promise<InstanceHandle>>();
  #tracker!: AckTracker;
  #failure: FlowEngineError | undefined;
  /** Told to stop (signal or failure): sources read no more. */
  #stopping = false;
  /** Stopped by `stopSignal` rather than by a failure. */
  #interrupted = false;
  /** Reads in progress, each ended with STOPPED when the run stops (see #unlessStopped). */
  readonly #onStop = new Set<() => void>();

  constructor(plan: ExecutionPlan, options: RunOptions) {
    this.#plan = plan;
    this.#options = options;
    this.#stages = new Map(plan.stages.map((stage) => [stage.name, stage]));
    for (const stage of plan.stages) this.stats.set(stage.name, new StageStats(stage.name, stage.type, stage.kind));
  }

  async run(): Promise<RunSummary> {
    const onStop = (): void => {
      this.#interrupted = true;
      this.#stop();
    };
    this.#options.stopSignal?.addEventListener('abort', onStop, { once: true });
    const onKill = (): void => this.#fail(new FlowEngineError('FE_RUN_KILLED', 'the run was stopped at once; nothing further was flushed or acknowledged'));
    this.#options.killSignal?.addEventListener('abort', onKill, { once: true });
    if (this.#options.stopSignal?.aborted) onStop();

    try {
      const graph = buildPipelineGraph(this.#plan.stages);
      this.#tracker = new AckTracker(graph.sinksOfSource);
      await this.#startStages();
      this.#createChannels();
      await Promise.all(graph.order.map((name) => this.#pump(this.#stages.get(name) as StagePlan)));
    } catch (error) {
      this.#fail(FlowEngineError.from(error, 'FE_RUN_FAILED'));
    } finally {
      await this.#closeAll();
      this.#options.stopSignal?.removeEventListener('abort', onStop);
      this.#options.killSignal?.removeEventListener('abort', onKill);
    }
    return summarise({
      pipeline: this.#plan.pipeline,
      status: this.#outcome(),
      durationMs: performance.now() - this.startedAt,
      stages: this.#plan.stages.map((stage) => this.stats.get(stage.name) as StageStats),
      edges: this.edges,
      retries: this.#retries,
      error: this.#failure,
    });
  }

  #outcome(): RunStatus {
    return this.#failure !== undefined ? 'failed' : this.#interrupted ? 'stopped' : 'succeeded';
  }

  #stop(): void {
    this.#stopping = true;
    for (const stopRead of this.#onStop) stopRead();
    this.#onStop.clear();
  }

  #fail(error: FlowEngineError): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#stop();
    for (const { channel } of this.edges) void channel.abort(error).catch(() => undefined);
  }

  /**
   * `pending`'s outcome, or STOPPED as soon as the run stops. Unlike a Promise.race against one
   * long-lived stop promise, this leaves nothing behind once `pending` settles (each race would
   * keep a reaction, and through it the value read, until the run ends).
   */
  #unlessStopped<T>(pending: Promise<T>): Promise<T | typeof STOPPED> {
    if (this.#stopping) return Promise.resolve(STOPPED);
    return new Promise<T | typeof STOPPED>((resolve, reject) => {
      const stopped = (): void => resolve(STOPPED);
      this.#onStop.add(stopped);
      pending.then(resolve, reject).finally(() => this.#onStop.delete(stopped));
    });
  }

  /**
   * Starts instances before the first chunk, each as soon as its inputs have started (a transform
   * or sink needs its input schema), so independent stages start their workers in parallel. With
   * `lazy`, only sources start here; the rest start on their first input (#start from the pumps).
   */
  async #startStages(): Promise<void> {
    const eager = this.#plan.lazy === true ? this.#plan.stages.filter((stage) => stage.kind === 'source') : this.#plan.stages;
    // Each stage waits for its inputs' schemas before it can open; booting every worker now
    // (a thread and a module import each) takes that boot off the chain of waits.
    const prepare = this.#options.startInstance.prepare;
    if (prepare !== undefined) for (const stage of eager) prepare(stage.instance);
    // allSettled: when one start fails, wait for the others, so every started worker gets closed.
    const results = await Promise.allSettled(eager.map((stage) => this.#start(stage.name)));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** Starts one instance once (memoised); rejects if it or an input failed to start. */
  #start(name: string): Promise<InstanceHandle> {
    let started = this.#starting.get(name);
    if (started === undefined) {
      started = this.#startInstance(this.#stages.get(name) as StagePlan);
      started.catch(() => undefined);
      this.#starting.set(name, started);
    }
    return started;
  }

  async #startInstance(stage: StagePlan): Promise<InstanceHandle> {
    const inputs = await Promise.all(stage.inputs.map((input) => this.#start(input)));
    const inputSchema = this.#inputSchemaOf(stage, inputs.map(outputSchemaOf));
    const deadLetters = stage.deadLetterPath === undefined ? undefined : this.#deadLetterWriter(stage.deadLetterPath);
    const stats = this.stats.get(stage.name) as StageStats;
    const handle = await this.#options.startInstance({
      ...stage.instance,
      errors: stage.errors,
      ...(this.#options.meterProvider === undefined ? {} : { meter: this.#options.meterProvider.getMeter(instanceMeterName(stage.name)) }),
      ...(inputSchema === undefined ? {} : { inputSchema }),
      onReject: (row) => {
        if (deadLetters === undefined) return;
        stats.deadLettered += 1;
        deadLetters.write({ stage: stage.name, record: row.record, reason: row.reason, code: row.code, location: row.location });
      },
    });
    this.handles.set(stage.name, handle);
    return handle;
  }

  #inputSchemaOf(stage: StagePlan, schemas: readonly Schema[]): Schema | undefined {
    if (schemas.length === 0) return undefined;
    const first = schemas[0] as Schema;
    const mismatch = schemas.findIndex((schema) => schema.fingerprint !== first.fingerprint);
    if (mismatch !== -1) {
      const where = stage.where ? `${stage.where.file}:${stage.where.line}:${stage.where.col}: ` : '';
      throw new FlowEngineError(
        'FE_GRAPH_SCHEMA_MISMATCH',
        `${where}stage "${stage.name}" reads from ${stage.inputs.join(' and ')}, whose rows have different schemas ` +
          `(${describeSchema(first)} vs ${describeSchema(schemas[mismatch] as Schema)}); fan-in needs one schema — add a select or cast before it`,
        { details: { stage: stage.name, inputs: stage.inputs } },
      );
    }
    return first;
  }

  /** One writer per file: stages may share a dead-letter path. */
  #deadLetterWriter(path: string): DeadLetterWriter {
    const existing = this.#deadLetters.get(path);
    if (existing !== undefined) return existing;
    const writer = new DeadLetterWriter(path, this.#options.redact);
    this.#deadLetters.set(path, writer);
    return writer;
  }

  #createChannels(): void {
    for (const stage of this.#plan.stages) {
      for (const input of stage.inputs) {
        const channel = createEdgeChannel(edgeName(input, stage.name), stage.channel, this.#plan.spill);
        this.edges.push({ from: input, to: stage.name, channel });
      }
    }
  }

  async #pump(stage: StagePlan): Promise<void> {
    const outputs = this.edges.filter((edge) => edge.from === stage.name);
    try {
      if (stage.kind === 'source') await this.#pumpSource(stage, outputs);
      else if (stage.kind === 'transform') await this.#pumpTransform(stage, outputs.map((edge) => edge.channel));
      else await this.#pumpSink(stage);
      for (const output of outputs) output.channel.close();
    } catch (error) {
      this.#fail(FlowEngineError.from(error, 'FE_RUN_FAILED', `stage "${stage.name}"`));
    }
  }

  /**
   * Runs `body` for each envelope of one input until it ends or the run fails. A failure of `body`
   * is the run's failure before the loop is left: leaving a `for await` early aborts the channel,
   * and its producer then fails with FE_CHANNEL_ABORTED, a consequence that must not be recorded
   * as the cause (a kafka-sink refused by the broker was reported as "the consumer stopped reading").
   */
  async #consume(stage: StagePlan, input: EdgeChannel, body: (envelope: Envelope) => Promise<void>): Promise<void> {
    for await (const envelope of input) {
      if (this.#failure !== undefined) return;
      try {
        await body(envelope);
      } catch (error) {
        this.#fail(FlowEngineError.from(error, 'FE_RUN_FAILED', `stage "${stage.name}"`));
        throw error;
      }
    }
  }

  #inputsOf(stage: StagePlan): EdgeChannel[] {
    return this.edges.filter((edge) => edge.to === stage.name).map((edge) => edge.channel);
  }

  async #pumpSource(stage: StagePlan, outputs: readonly PipelineEdge[]): Promise<void> {
    const handle = (await this.#start(stage.name)) as SourceHandle;
    const stats = this.stats.get(stage.name) as StageStats;
    const channels = outputs.map((edge) => edge.channel);
    // Backpressure: under `Wait` (and no spillover) a source reads its next chunk only when every
    // channel it feeds is below its threshold. Drop modes and spillover exist to absorb a producer
    // that runs ahead, so there the source is not paused.
    const pausing = this.#plan.spill !== undefined ? [] : outputs
      .filter((edge) => this.#stages.get(edge.to)?.channel.fullMode === 'Wait')
      .map((edge) => edge.channel);
    let seq = 0;
    while (!this.#stopping) {
      for (const output of pausing) await output.waitForCapacity();
      if (this.#stopping) break;
      const started = performance.now();
      // A quiet streaming source may wait long for its next record: a stop must not wait with it.
      // A chunk read after the stop is dropped unacknowledged, so the source reads it again next run.
      const reading = handle.next();
      const batch = await this.#unlessStopped(reading);
      if (batch === STOPPED) {
        reading.catch(() => undefined);
        break;
      }
      if (batch === null) break;
      stats.recordCall(performance.now() - started);
      seq += 1;
      stats.rowsOut += batch.chunk.length;
      this.#tracker.emitted(stage.name, seq, batch.position);
      await this.#emit(channels, { chunk: batch.chunk, source: stage.name, seq });
    }
  }

  async #pumpTransform(stage: StagePlan, outputs: EdgeChannel[]): Promise<void> {
    const stats = this.stats.get(stage.name) as StageStats;
    // Set by the first call once the instance has started; calls made before then wait for the
    // start in order, so a stateful transform still sees its chunks in input order.
    let handle: TransformHandle | undefined;
    const transform = async (chunk: Chunk): Promise<Chunk[]> => {
      handle ??= (await this.#start(stage.name)) as TransformHandle;
      stats.rowsIn += chunk.length;
      const started = performance.now();
      const chunks = await handle.transform(chunk);
      stats.recordCall(performance.now() - started);
      return chunks;
    };
    // Calls are issued in input order and their results emitted in that order, up to four per
    // thread at once (on different workers when `threads > 1`). A marker (no chunk) queues too, so
    // it does not overtake the chunks still being transformed before it. Four, not two: while this
    // thread emits a result downstream, a worker with only one more chunk queued runs dry; on the
    // isolation bench's identity pipeline the worker's steady rate went from ~77% to ~84% of
    // inline (four back-to-back pairs each; eight gave ~86%, for twice the chunks held).
    const threads = typeof stage.instance['threads'] === 'number' ? stage.instance['threads'] : 1;
    const depth = Math.max(1, threads * 4);
    const inFlight: Array<{ produced: Promise<Chunk[]>; envelope: Envelope }> = [];
    // Fan-in: each input's loop may emit; one at a time, or a later result could overtake.
    const oneAtATime = serial();
    const emitOldest = (): Promise<void> => oneAtATime(async () => {
      const oldest = inFlight.shift();
      if (oldest !== undefined) await this.#emitProduced(outputs, await oldest.produced, oldest.envelope, stats);
    });
    await Promise.all(this.#inputsOf(stage).map((input) => this.#consume(stage, input, async (envelope) => {
      const produced = envelope.chunk === null ? NOTHING : transform(envelope.chunk);
      produced.catch(() => undefined);
      inFlight.push({ produced, envelope });
      if (inFlight.length >= depth) await emitOldest();
    })));
    while (inFlight.length > 0 && this.#failure === undefined) await emitOldest();
    // A lazily loaded transform that never got a chunk was never started: nothing to flush.
    const started = this.handles.get(stage.name) as TransformHandle | undefined;
    if (this.#failure !== undefined || started === undefined) return;
    await this.#emitProduced(outputs, await started.flush(), { chunk: null }, stats);
  }

  /** Only the last chunk a transform made from an input carries its seq, so no ack runs ahead of data. */
  async #emitProduced(outputs: EdgeChannel[], produced: readonly Chunk[], input: Envelope, stats: StageStats): Promise<void> {
    const nonEmpty = produced.filter((chunk) => chunk.length > 0);
    if (nonEmpty.length === 0) {
      if (input.source !== undefined) await this.#emit(outputs, { chunk: null, source: input.source, seq: input.seq });
      return;
    }
    for (let i = 0; i < nonEmpty.length; i++) {
      const chunk = nonEmpty[i] as Chunk;
      stats.rowsOut += chunk.length;
      const last = i === nonEmpty.length - 1;
      await this.#emit(outputs, last && input.source !== undefined ? { chunk, source: input.source, seq: input.seq } : { chunk });
    }
  }

  async #pumpSink(stage: StagePlan): Promise<void> {
    const stats = this.stats.get(stage.name) as StageStats;
    const written = new Map<string, number>();
    const oneAtATime = serial();
    let handle: SinkHandle | undefined;
    let lastFlush = performance.now();
    const flush = async (): Promise<void> => {
      // A lazily loaded sink that never got a chunk was never started: nothing to flush.
      const started = this.handles.get(stage.name) as SinkHandle | undefined;
      if (started === undefined) return;
      await started.flush();
      lastFlush = performance.now();
      for (const [source, seq] of written) await this.#acknowledge(stage.name, source, seq);
    };
    await Promise.all(this.#inputsOf(stage).map((input) => this.#consume(stage, input, (envelope) => oneAtATime(async () => {
      handle ??= (await this.#start(stage.name)) as SinkHandle;
      if (envelope.chunk !== null) {
        stats.rowsIn += envelope.chunk.length;
        const started = performance.now();
        await handle.write(envelope.chunk);
        stats.recordCall(performance.now() - started);
        stats.rowsOut += envelope.chunk.length;
      }
      if (envelope.source !== undefined && envelope.seq !== undefined) written.set(envelope.source, envelope.seq);
      if (performance.now() - lastFlush >= this.#plan.flushIntervalMs) await flush();
    }))));
    if (this.#failure !== undefined) return;
    await oneAtATime(flush);
  }

  async #acknowledge(sink: string, source: string, seq: number): Promise<void> {
    const ack = this.#tracker.flushed(sink, source, seq);
    if (ack === undefined) return;
    const handle = this.handles.get(source);
    if (handle?.kind === 'source') await handle.ack(ack.position);
  }

  /** Fan-out: every consumer gets its own copy: sending a chunk to a worker detaches it, and a consumer may release it. */
  async #emit(outputs: readonly EdgeChannel[], envelope: Envelope): Promise<void> {
    for (let i = 0; i < outputs.length; i++) {
      const chunk = envelope.chunk === null || i === outputs.length - 1 ? envelope.chunk : envelope.chunk.copy();
      // push() returns nothing when the item was taken at once: no await, no tick, on that path.
      const pending = (outputs[i] as EdgeChannel).push({ ...envelope, chunk });
      if (pending !== undefined) await pending;
    }
  }

  async #closeAll(): Promise<void> {
    // Plugins learn how the run ended (a file sink commits only after a complete run).
    const outcome = this.#outcome();
    for (const [name, handle] of this.handles) {
      try {
        await handle.close(outcome);
      } catch (error) {
        this.#fail(FlowEngineError.from(error, 'FE_RUN_FAILED', `closing stage "${name}"`));
      }
      const stats = this.stats.get(name) as StageStats;
      const instanceStats = safeStats(handle);
      stats.peakHeapBytes = Math.max(stats.peakHeapBytes, instanceStats?.peakHeapBytes ?? 0);
      if (instanceStats?.restarts) this.#retries.set(name, instanceStats.restarts);
      // The host calls onReject only for dead letters; skipped rows are only counted there.
      if (this.#stages.get(name)?.errors === 'skip') stats.skipped = instanceStats?.rejected ?? 0;
    }
    for (const writer of this.#deadLetters.values()) await writer.close();
  }
}

function safeStats(handle: InstanceHandle): InstanceStatsLike | undefined {
  try {
    return handle.stats();
  } catch {
    return undefined;
  }
}

const STOPPED = Symbol('stopped');
const NOTHING: Promise<Chunk[]> = Promise.resolve([]);

export function edgeName(from: string, to: string): string {
  return `${from} -> ${to}`;
}

function describeSchema(schema: Schema): string {
  return `(${schema.fields.map((field) => `${field.name} ${field.type}`).join(', ')})`;
}

function outputSchemaOf(handle: InstanceHandle): Schema {
  if (handle.kind === 'source') return handle.schema;
  if (handle.kind === 'transform') return handle.outputSchema;
  throw new FlowEngineError('FE_GRAPH_INVALID', `stage "${handle.kind}" has no output; a sink cannot be an input`);
}
