import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { metrics, type Attributes, type BatchObservableCallback, type Histogram, type Meter, type MeterProvider, type Observable } from '@opentelemetry/api';
import type { RunningPipeline } from '../executor/run-pipeline.js';
import { readInstanceStats } from './instance-stats.js';
import { ENGINE_METER, instanceMeterName } from './meter-names.js';

export interface AttachMetricsOptions {
  /** Where instruments are created. Default: the run's `meterProvider`, else the global provider of `@opentelemetry/api`. */
  readonly meterProvider?: MeterProvider | undefined;
  /**
   * Adds `chunk_latency_ms`, the per-chunk latency each instance measured inside the isolation
   * host. Default: `FLOWENGINE_ENABLE_DETAILED_METRICS=true`. The host keeps those latencies only
   * for instances started with detailed metrics (the same variable), so set it before the run.
   */
  readonly detailed?: boolean | undefined;
  /** How often detailed latencies are collected from the instances (default 1000 ms). */
  readonly pollIntervalMs?: number | undefined;
}

export interface AttachedMetrics {
  /** Stops observing: removes callbacks and the GC observer. Safe to call twice. */
  stop(): void;
}


const GC_KINDS: Readonly<Record<number, string>> = {
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Publishes a running pipeline's figures through the OpenTelemetry API, one meter per instance
 * (`flowengine.<instance>`), with the names DESIGN.md gives:
 *
 * | instrument | kind | attributes |
 * | --- | --- | --- |
 * | `rows_processed` | counter (observable) | `stage`, `type`, `kind` — a source's rows out, others' rows in |
 * | `rows_out` | counter (observable) | `stage`, `type`, `kind` |
 * | `rows_dropped` | counter (observable) | `channel`, `from`, `to` (meter of `to`) |
 * | `rows_skipped`, `rows_dead_lettered` | counter (observable) | `stage` |
 * | `processing_time_ms` | histogram | `stage`, `kind` — one record per call (read, transform, write), seen from the engine |
 * | `channel_utilization` | gauge (observable, 0–1) | `channel`, `from`, `to` |
 * | `channel_buffered_chunks` | gauge (observable) | `channel`, `from`, `to` |
 * | `plugin_heap_bytes`, `plugin_external_bytes` | gauge (observable) | `stage` |
 * | `gc_pause_ms` | histogram, meter `flowengine.engine` | `kind` (major, minor, incremental, weakcb) |
 * | `chunk_latency_ms` (detailed only) | histogram | `stage` — per call inside the instance's host |
 *
 * Counters are observed from the executor's live counters at collection time, so a scrape is
 * exact whenever it happens.
 *
 * @example
 * const running = startPipeline(plan, { startInstance });
 * const server = await serveMetrics({ port: 9464 });
 * const attached = attachMetrics(running, { meterProvider: server.meterProvider });
 * await running.done;
 * attached.stop();
 */
export function attachMetrics(running: RunningPipeline, options: AttachMetricsOptions = {}): AttachedMetrics {
  const provider = options.meterProvider ?? running.meterProvider ?? metrics.getMeterProvider();
  const detailed = options.detailed ?? process.env['FLOWENGINE_ENABLE_DETAILED_METRICS'] === 'true';
  const meters = new Map<string, Meter>();
  const meterOf = (instance: string): Meter => {
    let meter = meters.get(instance);
    if (meter === undefined) {
      meter = provider.getMeter(instanceMeterName(instance));
      meters.set(instance, meter);
    }
    return meter;
  };
  const cleanups: Array<() => void> = [];

  for (const stats of running.stats.values()) {
    const meter = meterOf(stats.name);
    const attributes: Attributes = { stage: stats.name, type: stats.type, kind: stats.kind };
    const rowsProcessed = meter.createObservableCounter('rows_processed', { description: 'Rows a stage processed: a source\'s rows read, a transform\'s or sink\'s rows received.' });
    const rowsOut = meter.createObservableCounter('rows_out', { description: 'Rows a stage emitted (a sink: rows written).' });
    const skipped = meter.createObservableCounter('rows_skipped', { description: 'Rows rejected under `errors: skip`.' });
    const deadLettered = meter.createObservableCounter('rows_dead_lettered', { description: 'Rows sent to the dead-letter file.' });
    const heap = meter.createObservableGauge('plugin_heap_bytes', { description: 'V8 heap in use by the instance (last sample of its worker or child).' });
    const external = meter.createObservableGauge('plugin_external_bytes', { description: 'Memory outside the V8 heap held by the instance (Buffers, typed arrays).' });
    const observables: Observable[] = [rowsProcessed, rowsOut, skipped, deadLettered, heap, external];
    const callback: BatchObservableCallback = (result) => {
      result.observe(rowsProcessed, stats.kind === 'source' ? stats.rowsOut : stats.rowsIn, attributes);
      result.observe(rowsOut, stats.rowsOut, attributes);
      result.observe(skipped, stats.skipped, attributes);
      result.observe(deadLettered, stats.deadLettered, attributes);
      const handle = running.handles.get(stats.name);
      const instance = handle === undefined ? undefined : readInstanceStats(handle);
      if (instance?.heapUsedBytes !== undefined) result.observe(heap, instance.heapUsedBytes, attributes);
      if (instance?.externalBytes !== undefined) result.observe(external, instance.externalBytes, attributes);
    };
    meter.addBatchObservableCallback(callback, observables);
    cleanups.push(() => meter.removeBatchObservableCallback(callback, observables));
    const processingTime = meter.createHistogram('processing_time_ms', {
      description: 'Time of one stage call (read, transform or write of a chunk), measured by the engine, transfer included.',
    });
    const callAttributes: Attributes = { stage: stats.name, kind: stats.kind };
    cleanups.push(stats.onCall((ms) => processingTime.record(ms, callAttributes)));
  }

  cleanups.push(observeChannels(running, meterOf));
  cleanups.push(observeGc(provider.getMeter(ENGINE_METER)));
  if (detailed) cleanups.push(observeChunkLatencies(running, meterOf, options.pollIntervalMs ?? 1000));

  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      for (const cleanup of cleanups.reverse()) cleanup();
    },
  };
}

/**
 * One set of channel instruments per consuming stage (an edge belongs to the stage it feeds: its
 * settings are that stage's `channel` profile). Edges appear once every stage has started, so
 * they are read at each collection.
 */
function observeChannels(running: RunningPipeline, meterOf: (instance: string) => Meter): () => void {
  const removals: Array<() => void> = [];
  for (const stats of running.stats.values()) {
    if (stats.kind === 'source') continue;
    const meter = meterOf(stats.name);
    const utilization = meter.createObservableGauge('channel_utilization', { description: 'Buffered chunks / bufferSize of the channel into this stage (0–1).' });
    const buffered = meter.createObservableGauge('channel_buffered_chunks', { description: 'Chunks buffered in memory in the channel into this stage.' });
    const dropped = meter.createObservableCounter('rows_dropped', { description: 'Rows the channel into this stage dropped (fullMode DropOldest/DropNewest).' });
    const observables: Observable[] = [utilization, buffered, dropped];
    const callback: BatchObservableCallback = (result) => {
      for (const { from, to, channel } of running.edges) {
        if (to !== stats.name) continue;
        const figures = channel.stats();
        const attributes: Attributes = { channel: channel.name, from, to };
        result.observe(utilization, figures.utilization, attributes);
        result.observe(buffered, figures.bufferedChunks, attributes);
        result.observe(dropped, figures.droppedRows, attributes);
      }
    };
    meter.addBatchObservableCallback(callback, observables);
    removals.push(() => meter.removeBatchObservableCallback(callback, observables));
  }
  return () => removals.forEach((remove) => remove());
}

/** GC pauses of the engine's own thread: the process the channels and the executor live in. */
function observeGc(meter: Meter): () => void {
  const histogram = meter.createHistogram('gc_pause_ms', { description: 'Garbage-collection pauses of the engine process, by kind.' });
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = ((entry as { detail?: unknown }).detail as { kind?: number } | null | undefined)?.kind;
      histogram.record(entry.duration, { kind: (kind === undefined ? undefined : GC_KINDS[kind]) ?? 'unknown' });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}

/**
 * Per-chunk latencies measured by the isolation host (inside the instance, without the engine's
 * queueing). The host keeps the most recent ones with a running call count; each poll records
 * the calls made since the last one.
 */
function observeChunkLatencies(running: RunningPipeline, meterOf: (instance: string) => Meter, intervalMs: number): () => void {
  const histograms = new Map<string, Histogram>();
  const seenCalls = new Map<string, number>();
  let stopped = false;
  const poll = (): void => {
    if (stopped) return;
    for (const [name, handle] of running.handles) {
      const stats = readInstanceStats(handle);
      const latencies = stats?.chunkLatenciesMs;
      if (stats === undefined || latencies === undefined) continue;
      let histogram = histograms.get(name);
      if (histogram === undefined) {
        histogram = meterOf(name).createHistogram('chunk_latency_ms', { description: 'Latency of one call inside the instance, measured by the isolation host.' });
        histograms.set(name, histogram);
      }
      const calls = stats.calls ?? latencies.length;
      const fresh = Math.min(latencies.length, calls - (seenCalls.get(name) ?? 0));
      seenCalls.set(name, calls);
      for (let i = latencies.length - fresh; i < latencies.length; i++) histogram.record(latencies[i] as number, { stage: name });
    }
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  // The last calls of a run land after the final tick: collect them when the run ends too.
  void running.done.then(poll, () => undefined);
  return () => {
    clearInterval(timer);
    poll();
    stopped = true;
  };
}
