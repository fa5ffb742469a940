import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowEngineError } from '@flowengine/sdk';
import { attachMetrics, sampleMemory, serveMetrics, type MetricsServer } from '@flowengine/core';
import { planFromYaml, stage, startTestRun } from './fixtures/plugins/harness.js';

/** `name{labels} value` lines of a Prometheus text page whose name and labels match. */
function samples(page: string, name: string, labels: Record<string, string> = {}): number[] {
  return page.split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
}

/** Short-lived garbage: makes the engine thread collect at least once, so GC pauses are observed. */
function churn(): number {
  // Objects that escape into arrays (so V8 cannot optimise them away): ~100 MB of young
  // allocations forces several scavenges, which the GC observer must see.
  let total = 0;
  for (let round = 0; round < 5; round++) {
    const kept: Array<{ i: number; v: number[] }> = new Array(300_000);
    for (let i = 0; i < kept.length; i++) kept[i] = { i, v: [i, i + 1] };
    total += kept.length;
  }
  return total;
}

const servers: MetricsServer[] = [];
/** A metrics endpoint on a free port, closed after the test. */
async function openServer(): Promise<MetricsServer> {
  const server = await serveMetrics({ port: 0 });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  delete process.env['FLOWENGINE_ENABLE_DETAILED_METRICS'];
});

describe('metrics', () => {
  it.each(['worker', 'inline'] as const)('exports what plugins record on ctx.meter beside the engine\'s metrics (%s mode)', async (mode) => {
    // null-sink counts what it discards on ctx.meter; in a worker that meter lives in another isolate.
    const server = await openServer();
    const plan = await planFromYaml({ mode, yaml: `
pipeline:
  name: plugin-metrics
  plugins:
    - { name: src, type: counting-source, config: { count: 3000, chunkSize: 100 } }
    - { name: out, type: null-sink }
` });
    // Given once, to the run: attachMetrics takes the run's provider.
    const run = startTestRun(plan, { meterProvider: server.meterProvider });
    const attached = attachMetrics(run.running, { detailed: false });
    expect((await run.done).status).toBe('succeeded');
    const page = await (await fetch(server.url)).text();
    attached.stop();
    expect(samples(page, 'rows_discarded_total', { otel_scope_name: 'flowengine.out' })).toEqual([3000]);
    expect(samples(page, 'rows_processed_total', { stage: 'out', otel_scope_name: 'flowengine.out' })).toEqual([3000]);
  });

  it('runs plugins that record metrics when the run has no meter provider, and their records go nowhere', async () => {
    // What can break here is the host without a meter (instances' batches with no sink to take them).
    const server = await openServer();
    const plan = await planFromYaml({ yaml: `
pipeline:
  name: no-plugin-metrics
  plugins:
    - { name: src, type: counting-source, config: { count: 300, chunkSize: 100 } }
    - { name: out, type: null-sink }
` });
    const run = startTestRun(plan);
    const attached = attachMetrics(run.running, { meterProvider: server.meterProvider, detailed: false });
    expect((await run.done).status).toBe('succeeded');
    const page = await (await fetch(server.url)).text();
    attached.stop();
    expect(samples(page, 'rows_discarded_total')).toEqual([]);
    expect(samples(page, 'rows_processed_total', { stage: 'out' })).toEqual([300]);
  });

  it('serves the run\'s figures as Prometheus text; rows_processed equals the rows moved', async () => {
    const server = await openServer();
    const plan = await planFromYaml({ yaml: `
pipeline:
  name: metrics
  plugins:
    - { name: src, type: counting-source, config: { count: 5000, chunkSize: 100 } }
    - { name: picky, type: reject-every, errors: skip, config: { every: 10 } }
    - { name: out, type: null-sink }
settings:
  channels: { default: { bufferSize: 3, fullMode: Wait } }
` });
    const run = startTestRun(plan);
    const attached = attachMetrics(run.running, { meterProvider: server.meterProvider, detailed: false });
    churn();
    const summary = await run.done;
    expect(summary.status).toBe('succeeded');

    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    const page = await response.text();
    attached.stop();

    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(samples(page, 'rows_processed_total', { stage: 'src', otel_scope_name: 'flowengine.src' })).toEqual([5000]);
    expect(samples(page, 'rows_processed_total', { stage: 'picky' })).toEqual([5000]);
    expect(samples(page, 'rows_processed_total', { stage: 'out', otel_scope_name: 'flowengine.out' })).toEqual([stage(summary, 'out').rowsIn]);
    expect(samples(page, 'rows_out_total', { stage: 'picky' })).toEqual([4500]);
    expect(samples(page, 'rows_dropped_total', { channel: 'src -> picky' })).toEqual([0]);
    // One histogram record per call: 50 chunks written to the sink.
    expect(samples(page, 'processing_time_ms_count', { stage: 'out' })).toEqual([50]);
    expect(samples(page, 'processing_time_ms_count', { stage: 'src' })).toEqual([50]);
    expect(samples(page, 'channel_utilization', { channel: 'picky -> out', from: 'picky', to: 'out' })).toHaveLength(1);
    expect(samples(page, 'channel_buffered_chunks', { channel: 'src -> picky' })).toEqual([0]);
    for (const name of ['src', 'picky', 'out']) expect(samples(page, 'plugin_heap_bytes', { stage: name })[0]).toBeGreaterThan(0);
    expect(samples(page, 'gc_pause_ms_count', { otel_scope_name: 'flowengine.engine' }).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(page).not.toContain('chunk_latency_ms');
    expect(run.openAfter()).toBe(0);
  });

  it('counts dropped rows per channel', async () => {
    const server = await openServer();
    const plan = await planFromYaml({ yaml: `
pipeline:
  name: drops
  plugins:
    - { name: src, type: counting-source, config: { count: 3000, chunkSize: 50 } }
    - { name: out, type: slow-sink, config: { delayMs: 20 } }
settings:
  channels: { default: { bufferSize: 2, fullMode: DropNewest } }
` });
    const run = startTestRun(plan);
    const attached = attachMetrics(run.running, { meterProvider: server.meterProvider });
    const summary = await run.done;
    const page = await (await fetch(server.url)).text();
    attached.stop();
    const dropped = summary.channels.find((edge) => edge.name === 'src -> out')?.droppedRows;
    expect(samples(page, 'rows_dropped_total', { channel: 'src -> out', otel_scope_name: 'flowengine.out' })).toEqual([dropped]);
    expect(samples(page, 'rows_processed_total', { stage: 'out' })[0]! + dropped!).toBe(3000);
  });

  it('FLOWENGINE_ENABLE_DETAILED_METRICS=true adds per-chunk latency histograms', async () => {
    process.env['FLOWENGINE_ENABLE_DETAILED_METRICS'] = 'true';
    const server = await openServer();
    const plan = await planFromYaml({ yaml: `
pipeline:
  name: detailed
  plugins:
    - { name: src, type: counting-source, config: { count: 2000, chunkSize: 100 } }
    - { name: out, type: null-sink }
` });
    const run = startTestRun(plan);
    const attached = attachMetrics(run.running, { meterProvider: server.meterProvider, pollIntervalMs: 20 });
    await run.done;
    attached.stop();
    const page = await (await fetch(server.url)).text();
    // Every call the host timed is recorded once: at least the 20 writes.
    expect(samples(page, 'chunk_latency_ms_count', { stage: 'out', otel_scope_name: 'flowengine.out' })[0]).toBeGreaterThanOrEqual(20);
    expect(samples(page, 'chunk_latency_ms_count', { stage: 'src' })[0]).toBeGreaterThanOrEqual(20);
  });

  it('serveMetrics answers 404 off /metrics and reports a port in use with FE_METRICS_LISTEN', async () => {
    const server = await openServer();
    const other = await fetch(server.url.replace('/metrics', '/other'));
    expect(other.status).toBe(404);
    await other.text();

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await serveMetrics({ port }).then(() => undefined, (thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(FlowEngineError);
      expect((error as FlowEngineError).code).toBe('FE_METRICS_LISTEN');
      expect((error as FlowEngineError).message).toContain(`could not listen on 127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      blocker.close();
    }
  });

  it('sampleMemory reports peaks and flags a plugin whose heap grows steadily', async () => {
    const plan = await planFromYaml({ yaml: `
pipeline:
  name: leak
  plugins:
    - { name: src, type: counting-source, config: { count: 2000, chunkSize: 10 } }
    - { name: leaky, type: leaky-sink, input: src, config: { bytesPerWrite: 262144, delayMs: 10 } }
    - { name: steady, type: null-sink, input: src }
` });
    const run = startTestRun(plan);
    const sampler = sampleMemory(run.running, 50);
    const summary = await run.done;
    const report = sampler.stop();
    expect(summary.status).toBe('succeeded');
    const leaky = report.instances.find((entry) => entry.instance === 'leaky');
    const steady = report.instances.find((entry) => entry.instance === 'steady');
    expect(leaky?.samples).toBeGreaterThanOrEqual(3);
    // 200 writes of 256 KiB kept: about 50 MB more heap at the end than at the start.
    expect(leaky!.lastHeapMB - leaky!.firstHeapMB).toBeGreaterThan(30);
    expect(leaky!.peakHeapMB).toBeGreaterThanOrEqual(leaky!.lastHeapMB);
    expect(leaky?.growing).toBe(true);
    expect(steady?.growing).toBe(false);
    expect(steady!.heapGrowthMBPerMin).toBeLessThan(leaky!.heapGrowthMBPerMin / 5);
  });
});
