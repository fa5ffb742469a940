import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferPool, ChunkBuilder, FlowEngineError, threadBufferPool } from '@flowengine/sdk';
import type { Chunk, RejectedRow } from '@flowengine/sdk';
import { createInstanceHost, startInstance } from '@flowengine/isolation';
import type { SourceHandle } from '@flowengine/isolation';
import { numberChunk, numbers, plugin, recordingMeter, transformOptions, values } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'flowengine-isolation-test-'));

async function drain(source: SourceHandle, ack = true): Promise<number[]> {
  const rows: number[] = [];
  for (let batch = await source.next(); batch !== null; batch = await source.next()) {
    rows.push(...(values([batch.chunk]) as number[]));
    if (ack) await source.ack(batch.position);
  }
  return rows;
}

describe('chunks across the boundary', () => {
  it('transfers the one buffer of a chunk: the sender side is detached (worker)', async () => {
    const handle = await startInstance(transformOptions('detach', 'identity'));
    const chunk = numberChunk([1, 2, 3]);
    const buffer = chunk.buffer;
    expect(buffer.byteLength).toBeGreaterThan(0);
    const out = await handle.transform(chunk);
    expect(buffer.byteLength).toBe(0);
    expect(values(out)).toEqual([1, 2, 3]);
    await handle.close();
  });

  it('a chunk back from a worker belongs to this thread: releasing it puts its buffer in threadBufferPool', async () => {
    const handle = await startInstance(transformOptions('pooled', 'identity'));
    const builder = new ChunkBuilder(numbers, { pool: new BufferPool() }); // a size-class buffer, as pooled chunks have
    for (const n of [5, 6, 7]) builder.column(0).append(n);
    threadBufferPool.clear();
    const [out] = await handle.transform(builder.finish());
    await handle.close();
    expect(values([out as Chunk])).toEqual([5, 6, 7]);
    (out as Chunk).release();
    expect(threadBufferPool.stats().idleBuffers).toBe(1);
    expect(threadBufferPool.acquire((out as Chunk).byteLength)).toBe((out as Chunk).buffer);
  });

  it('inline mode passes the chunk itself', async () => {
    const handle = await startInstance(transformOptions('inline', 'identity', { mode: 'inline' }));
    const chunk = numberChunk([4]);
    const [out] = await handle.transform(chunk);
    expect(out).toBe(chunk);
    await handle.close();
  });

  it('runs a stateless transform on several threads and keeps output order', async () => {
    const handle = await startInstance({ ...transformOptions('threads', 'identity'), plugin: plugin('identity', 'transform'), config: {}, threads: 2 });
    const inputs = Array.from({ length: 20 }, (_, i) => numberChunk([i * 2, i * 2 + 1]));
    const outputs = await Promise.all(inputs.map((chunk) => handle.transform(chunk)));
    expect(values(outputs.flat())).toEqual(Array.from({ length: 40 }, (_, i) => i));
    await handle.close();
    const ids = await startInstance(transformOptions('thread-ids', 'thread-id', { threads: 2 }));
    const seen = await Promise.all(Array.from({ length: 8 }, () => ids.transform(numberChunk([1]))));
    expect(new Set(values(seen.flat(), 'text')).size).toBe(2);
    await ids.close();
  });

  it('refuses threads > 1 for a stateful plugin', async () => {
    const error = await startInstance({ name: 'sink-threads', plugin: plugin('file-sink', 'sink'), config: { path: 'x' }, inputSchema: numbers, threads: 2 })
      .catch((thrown: unknown) => thrown);
    expect((error as FlowEngineError).code).toBe('FE_ISOLATION_OPTIONS_INVALID');
    expect((error as FlowEngineError).message).toContain('threads: 2');
  });

  it('reports invalid config with every problem, before any chunk', async () => {
    const error = await startInstance({ ...transformOptions('bad-config', 'identity'), config: { behaviour: 'dance', extra: 1 } })
      .catch((thrown: unknown) => thrown);
    expect((error as FlowEngineError).code).toBe('FE_PLUGIN_CONFIG_INVALID');
    expect((error as FlowEngineError).message).toContain('config.behaviour');
  });

  it('reports an unknown export id with the ids found', async () => {
    const error = await startInstance({ ...transformOptions('missing', 'identity'), plugin: { ...plugin('nope', 'transform') } })
      .catch((thrown: unknown) => thrown);
    expect((error as FlowEngineError).code).toBe('FE_PLUGIN_EXPORT_NOT_FOUND');
    expect((error as FlowEngineError).message).toContain('"counter-source"');
  });

  // read-ahead.ts: a worker or child source starts its next read once it has handed a chunk over,
  // so it is not idle while the chunk travels to the host and the next request travels back.
  it.each([['worker', ['read 0', 'read 1']], ['process', ['read 0', 'read 1']], ['inline', ['read 0']]] as const)(
    'a %s source reads ahead by one chunk, and no further, while the host holds the chunk it got',
    async (mode, expected) => {
      const readLog = join(scratch, `reads-${mode}`);
      const source = await startInstance({
        name: `ahead-${mode}`, mode, plugin: plugin('counter-source', 'source'), config: { chunks: 4, rows: 1, readLog }, grants: { write: [scratch] },
      });
      const first = await source.next();
      expect(values([first!.chunk])).toEqual([0]);
      // The read ahead happens in its own time (a busy host may take a while): wait for it, then a
      // little longer, in which no further read may start.
      const reads = () => readFileSync(readLog, 'utf8').trim().split('\n');
      for (const deadline = Date.now() + 5000; reads().length < expected.length && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(reads()).toEqual(expected);
      // The chunk read ahead is the one the next request gets; nothing is read twice or skipped.
      expect(await drain(source)).toEqual([1, 2, 3]);
      expect(readFileSync(readLog, 'utf8').trim().split('\n')).toEqual(['read 0', 'read 1', 'read 2', 'read 3']);
      await source.close();
    },
  );

  it('calls after close fail with FE_PLUGIN_CLOSED', async () => {
    const handle = await startInstance(transformOptions('closed', 'identity', { mode: 'inline' }));
    await handle.close();
    await handle.close();
    const error = await handle.transform(numberChunk([1])).catch((thrown: unknown) => thrown);
    expect((error as FlowEngineError).code).toBe('FE_PLUGIN_CLOSED');
  });
});

describe('logs and stats', () => {
  it('forwards ctx.logger records and reports memory, counts and latencies', async () => {
    const records: Array<{ level: string; message: string; fields: unknown }> = [];
    const log = (level: string) => (message: string, fields?: Record<string, unknown>) => { records.push({ level, message, fields }); };
    const spillDir = mkdtempSync(join(tmpdir(), 'flowengine-spill-'));
    const handle = await startInstance(transformOptions('logs', 'log', {
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }, detailedMetrics: true, spillDir,
    }));
    await handle.transform(numberChunk([1, 2, 3]));
    await handle.transform(numberChunk([4]));
    const stats = handle.stats();
    await handle.close();
    expect(records).toEqual([
      { level: 'warn', message: 'saw a chunk', fields: { rows: 3, spillDir } },
      { level: 'warn', message: 'saw a chunk', fields: { rows: 1, spillDir } },
    ]);
    expect(stats).toMatchObject({ calls: 3, rowsIn: 4, rowsOut: 4, rejected: 0, restarts: 0 });
    expect(stats.heapUsedBytes).toBeGreaterThan(0);
    expect(stats.peakHeapBytes).toBeGreaterThanOrEqual(stats.heapUsedBytes);
    expect(stats.chunkLatenciesMs).toHaveLength(2);
    expect(existsSync(spillDir)).toBe(true);
  });

  it.each(['worker', 'process', 'inline'] as const)('relays what the plugin records on ctx.meter to the host\'s meter, every instrument kind (%s)', async (mode) => {
    const meter = recordingMeter();
    const handle = await startInstance(transformOptions(`meter-${mode}`, 'meter', { mode, meter }));
    let text: unknown[];
    try {
      text = values(await handle.transform(numberChunk([1, 2])), 'text');
    } finally {
      await handle.close();
    }
    // The relay is the runtime's own Meter: a worker or child never loads the OpenTelemetry API for it.
    if (mode !== 'inline') expect(text).toEqual(['otel loaded: false']);
    expect(meter.created).toEqual([
      'counter fixture_rows rows seen', 'upDownCounter fixture_level', 'histogram fixture_sizes', 'gauge fixture_gauge',
      'observableGauge fixture_observed', 'observableCounter fixture_batched',
    ]);
    expect(meter.recorded).toEqual([
      'fixture_rows 3 {"kind":"a"}', 'fixture_rows 5 {"kind":"b"}', 'fixture_level -3 {}', 'fixture_sizes 1.5 {}', 'fixture_sizes 2.5 {}', 'fixture_gauge 7 {}',
    ]);
    expect(meter.observe()).toEqual(['fixture_observed 42 {"from":"callback"}', 'fixture_batched 9 {}']);
  });

  it('removes the spill directory it created on close', async () => {
    let spillDir = '';
    const capture = await startInstance(transformOptions('spill-capture', 'log', {
      mode: 'inline', logger: { debug() {}, info() {}, warn: (_message, fields) => { spillDir = String(fields?.spillDir); }, error() {} },
    }));
    await capture.transform(numberChunk([1]));
    expect(existsSync(spillDir)).toBe(true);
    await capture.close();
    expect(existsSync(spillDir)).toBe(false);
  });
});

describe('errors policy (ctx.reject)', () => {
  it('fail: the row code becomes the error code', async () => {
    const handle = await startInstance(transformOptions('reject-fail', 'reject', { errors: 'fail', mode: 'inline' }));
    const error = await handle.transform(numberChunk([2, 3])).catch((thrown: unknown) => thrown);
    expect((error as FlowEngineError).code).toBe('FE_FIXTURE_ODD');
    expect((error as FlowEngineError).message).toContain('row 3: odd number 3');
    await handle.close();
  });

  it('skip counts, deadLetter counts and forwards the record', async () => {
    const skip = await startInstance(transformOptions('reject-skip', 'reject', { errors: 'skip' }));
    expect(values(await skip.transform(numberChunk([1, 2, 3, 4])))).toEqual([2, 4]);
    expect(skip.stats().rejected).toBe(2);
    await skip.close();
    const letters: RejectedRow[] = [];
    const dead = await startInstance(transformOptions('reject-dead', 'reject', { errors: 'deadLetter', onReject: (row) => letters.push(row) }));
    await dead.transform(numberChunk([1, 2]));
    expect(dead.stats()).toMatchObject({ rejected: 1, rowsIn: 2, rowsOut: 1 });
    await dead.close();
    expect(letters).toEqual([{ record: { n: 1 }, reason: 'odd number 1', code: 'FE_FIXTURE_ODD', location: 'row 1' }]);
  });
});

describe('restart policy', () => {
  it('restarts a crashed source and resumes after the last acknowledged position', async () => {
    const crashMarker = join(scratch, 'crash-once');
    const ackLog = join(scratch, 'acks');
    const source = await startInstance({
      name: 'resuming', plugin: plugin('counter-source', 'source'), config: { chunks: 5, rows: 2, crashAt: 3, crashMarker, ackLog },
      restart: { maxRetries: 2, backoffMs: 10 },
    });
    expect(await drain(source)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(existsSync(crashMarker)).toBe(true);
    expect(source.stats().restarts).toBe(1);
    await source.close();
    // The worker reads ahead (read-ahead.ts): it may die reading chunk 3 before the host's ack of
    // chunk 2 reaches it. The host recorded that ack first, so the restart still resumes after 2, and
    // the new instance's acks cover it; the old instance only may not have heard of it.
    const acks = readFileSync(ackLog, 'utf8').trim().split('\n');
    expect(acks.filter((position) => position !== '2')).toEqual(['0', '1', '3', '4']);
    expect(acks.length).toBeLessThanOrEqual(5);
  });

  // exit: the worker dies under both calls; throw: the read's restart kills the live lane under the ack.
  it.each(['exit', 'throw'] as const)('an ack in flight when the source crashes does not fail it (regression: FE_PLUGIN_CLOSED "lane replaced by a restart"; read fails by %s)', async (failBy) => {
    const crashMarker = join(scratch, `crash-with-ack-${failBy}`);
    const ackLog = join(scratch, `acks-in-flight-${failBy}`);
    const source = await startInstance({
      name: 'ack-in-flight', plugin: plugin('counter-source', 'source'),
      // The ack takes longer than the crash is delayed: it is still in flight when the read fails.
      config: { chunks: 4, rows: 1, crashAt: 1, crashMarker, crashDelayMs: 300, ackDelayMs: 800, ackLog, failBy },
      restart: { maxRetries: 2, backoffMs: 10 },
    });
    const first = await source.next();
    expect(values([first!.chunk])).toEqual([0]);
    // The read of chunk 1 fails after 300 ms; the ack of chunk 0 is in flight then.
    const reading = source.next();
    const acking = source.ack(first!.position);
    await expect(acking).resolves.toBeUndefined();
    const second = await reading;
    expect(values([second!.chunk])).toEqual([1]);
    expect(await drain(source)).toEqual([2, 3]);
    expect(source.stats().restarts).toBe(1);
    await source.close();
  });

  it('restarts an instance that crashed while opening', async () => {
    const source = await startInstance({
      name: 'open-crash', plugin: plugin('counter-source', 'source'), config: { chunks: 2, rows: 1, crashOnOpen: join(scratch, 'open-crash') },
      restart: { maxRetries: 1, backoffMs: 0 },
    });
    expect(await drain(source)).toEqual([0, 1]);
    expect(source.stats().restarts).toBe(1);
    await source.close();
  });

  it('re-reads what was not acknowledged (at-least-once)', async () => {
    const crashMarker = join(scratch, 'crash-once-unacked');
    const source = await startInstance({
      name: 'unacked', plugin: plugin('counter-source', 'source'), config: { chunks: 3, rows: 1, crashAt: 2, crashMarker },
      restart: { maxRetries: 1, backoffMs: 0 },
    });
    const first = await source.next();
    await source.ack(first?.position);
    expect(await drain(source, false)).toEqual([1, 1, 2]);
    await source.close();
  });

  it('fails clearly once the restart limit is reached, with the last cause', async () => {
    const source = await startInstance({
      name: 'doomed', plugin: plugin('counter-source', 'source'), config: { chunks: 5, crashAt: 1, alwaysCrash: true },
      restart: { maxRetries: 2, backoffMs: 1 },
    });
    const error = await drain(source).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FlowEngineError);
    expect((error as FlowEngineError).code).toBe('FE_PLUGIN_RESTART_LIMIT');
    expect((error as FlowEngineError).message).toContain('instance "doomed"');
    expect((error as FlowEngineError).message).toContain('FE_PLUGIN_CRASHED');
    expect(((error as FlowEngineError).cause as FlowEngineError).code).toBe('FE_PLUGIN_CRASHED');
    expect(source.stats().restarts).toBe(2);
    await source.close();
  });

  it('retries a transform call in a restarted instance', async () => {
    const marker = join(scratch, 'fail-once');
    const handle = await startInstance(transformOptions('retry', 'fail-once', { config: { marker }, restart: { maxRetries: 1, backoffMs: 0 } }));
    expect(values(await handle.transform(numberChunk([9])))).toEqual([9]);
    expect(handle.stats().restarts).toBe(1);
    await handle.close();
  });

  it('a sink restarted after a failed write gets the unflushed chunks again', async () => {
    const path = join(scratch, 'sink.jsonl');
    const host = createInstanceHost();
    const sink = await host.startInstance({
      name: 'sink', plugin: plugin('file-sink', 'sink'), config: { path, failOnWrite: 2, failMarker: join(scratch, 'sink-failed') }, inputSchema: numbers,
      restart: { maxRetries: 1, backoffMs: 0 },
    });
    await sink.write(numberChunk([1]));
    await sink.write(numberChunk([2]));
    await sink.flush();
    await host.close();
    expect(readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(sink.stats().restarts).toBe(1);
  });

  it('inline, a sink that releases what it wrote still gets intact chunks again after a restart', async () => {
    // Chunks from this thread's pool: the second is built in the buffer the first one released,
    // which a replay that re-sent the first chunk object itself would read as the second's rows.
    const pooled = (n: number) => {
      const builder = new ChunkBuilder(numbers, { pool: threadBufferPool });
      builder.column(0).append(n);
      return builder.finish();
    };
    const path = join(scratch, 'inline-sink.jsonl');
    const host = createInstanceHost();
    const sink = await host.startInstance({
      name: 'inline-sink', mode: 'inline', plugin: plugin('file-sink', 'sink'), inputSchema: numbers,
      config: { path, failOnWrite: 2, failMarker: join(scratch, 'inline-sink-failed'), releaseChunks: true },
      restart: { maxRetries: 1, backoffMs: 0 },
    });
    threadBufferPool.clear();
    const first = pooled(1);
    await sink.write(first);
    const second = pooled(2);
    expect(second.buffer).toBe(first.buffer); // the recycling this test is about did happen
    await sink.write(second);
    await sink.flush();
    await host.close();
    expect(readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(sink.stats().restarts).toBe(1);
  });
});
