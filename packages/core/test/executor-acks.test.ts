import { queryObjects, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Chunk } from '@flowengine/sdk';
import { eventLog, readLog, runYaml, stage, startTestRun, planFromYaml, untilRowsIn, type LogEntry } from './fixtures/plugins/harness.js';

/** Every ack must come after a flush, by every sink the source reaches, covering its position. */
function expectAcksAfterFlushes(log: readonly LogEntry[], sinks: readonly string[]): void {
  const flushedMax = new Map<string, number>(sinks.map((sink) => [sink, 0]));
  for (const entry of log) {
    if (entry.event === 'flush') flushedMax.set(entry.who, Math.max(flushedMax.get(entry.who) ?? 0, entry.maxN ?? 0));
    if (entry.event === 'ack') {
      for (const sink of sinks) expect(flushedMax.get(sink), `ack ${entry.position} before ${sink} flushed it`).toBeGreaterThanOrEqual(entry.position as number);
    }
  }
}

describe('executor: acknowledgements', () => {
  it('acks positions only after every sink flushed them; acks are monotonic and end at the last position', async () => {
    const log = eventLog();
    const { summary } = await runYaml({ flushIntervalMs: 0, yaml: `
pipeline:
  name: acks
  plugins:
    - { name: src, type: counting-source, config: { count: 2000, chunkSize: 100, log: "${log}" } }
    - { name: quick, type: slow-sink, input: src, config: { log: "${log}" } }
    - { name: lazy, type: slow-sink, input: src, config: { log: "${log}", delayMs: 3 } }
` });
    expect(summary.status).toBe('succeeded');
    const events = readLog(log);
    const acks = events.filter((entry) => entry.event === 'ack').map((entry) => entry.position as number);
    expect(acks.length).toBeGreaterThan(1);
    for (let i = 1; i < acks.length; i++) expect(acks[i]).toBeGreaterThan(acks[i - 1] as number);
    expect(acks.at(-1)).toBe(2000);
    expectAcksAfterFlushes(events, ['quick', 'lazy']);
  });

  it('a stop ends a run whose source waits for data, and still acks what was flushed (regression: stop waited for the read)', async () => {
    const log = eventLog();
    const plan = await planFromYaml({ flushIntervalMs: 50, yaml: `
pipeline:
  name: quiet
  plugins:
    - { name: src, type: counting-source, config: { count: 1000, chunkSize: 100, stallAfter: 500, log: "${log}" }, timeoutSeconds: 120 }
    - { name: out, type: slow-sink, config: { log: "${log}", delayMs: 0 } }
` });
    const stop = new AbortController();
    const run = startTestRun(plan, { stopSignal: stop.signal });
    // The source has delivered its 500 rows and now waits (like a quiet topic) inside read().
    await untilRowsIn(run, 'out', 500);
    stop.abort();
    const summary = await run.done;
    expect(summary.status).toBe('stopped');
    expect(stage(summary, 'out').rowsIn).toBe(500);
    const acks = readLog(log).filter((entry) => entry.event === 'ack').map((entry) => entry.position as number);
    expect(acks.at(-1)).toBe(500);
    expect(run.openAfter()).toBe(0);
  });

  it('a stop signal mid-run stops the source, drains, flushes and acks no more than was flushed', async () => {
    const log = eventLog();
    const plan = await planFromYaml({ flushIntervalMs: 50, yaml: `
pipeline:
  name: stop
  plugins:
    - { name: src, type: counting-source, config: { count: 10000000, chunkSize: 100, log: "${log}" } }
    - { name: out, type: slow-sink, config: { log: "${log}", delayMs: 2 } }
settings:
  channels: { default: { bufferSize: 8 } }
` });
    const stop = new AbortController();
    const run = startTestRun(plan, { stopSignal: stop.signal });
    // Stop once rows flow.
    await untilRowsIn(run, 'out', 1000);
    stop.abort();
    const summary = await run.done;

    expect(summary.status).toBe('stopped');
    expect(summary.error).toBeUndefined();
    const produced = stage(summary, 'src').rowsOut;
    expect(produced).toBeLessThan(10_000_000);
    // Wait mode: everything read was drained into the sink before it was closed.
    expect(stage(summary, 'out').rowsIn).toBe(produced);
    const events = readLog(log);
    const flushes = events.filter((entry) => entry.who === 'out' && entry.event === 'flush');
    expect(flushes.at(-1)?.rows).toBe(produced);
    const acks = events.filter((entry) => entry.event === 'ack').map((entry) => entry.position as number);
    expect(acks.at(-1)).toBe(produced);
    expectAcksAfterFlushes(events, ['out']);
    expect(run.openAfter()).toBe(0);
  });

  it('a long read loop keeps no chunk alive after it moved on (regression: every read raced one stop promise that kept its result)', async () => {
    const plan = await planFromYaml({ yaml: `
pipeline:
  name: long
  plugins:
    - { name: src, type: counting-source, config: { count: 1000000, chunkSize: 10, stallAfter: 3000 }, timeoutSeconds: 120 }
    - { name: out, type: null-sink }
` });
    const stop = new AbortController();
    const run = startTestRun(plan, { stopSignal: stop.signal });
    // 300 chunks read and written; the source now waits inside read(), so the run is still alive.
    await untilRowsIn(run, 'out', 3000);
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    const live = queryObjects(Chunk, { format: 'count' }) as number;
    stop.abort();
    expect((await run.done).status).toBe('stopped');
    expect(live).toBeLessThan(30);
  });
});
