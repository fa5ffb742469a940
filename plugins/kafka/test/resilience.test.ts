import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaStatus, pauseKafka, resumeKafka } from '../../../tools/services/kafka.mjs';
import { runPlugin } from '@flowengine/sdk/testing';
import { Schema } from '@flowengine/sdk';
import { runYaml } from './run-pipeline.mjs';
import { BROKERS, SKIP_REASON, committed, copyPipeline, copyTopics, createTopic, orders, produce, readAll, tally, tempDir, unique } from './kafka.js';

const runner = fileURLToPath(new URL('./run-pipeline.mjs', import.meta.url));
const skipped = BROKERS === undefined ? ` (skipped: ${SKIP_REASON})` : '';
const CHUNK = 500;
const BUFFER = 4;
/** Small channels, so the rows in flight between the source and the sink's flush stay few. */
const SETTINGS = `settings:\n  channels: { default: { bufferSize: ${BUFFER} } }\n`;

/** Polls `check` until it holds; fails early when one of `running` (pipelines, processes) ends first. */
async function until(what: string, check: () => Promise<boolean>, running: ReadonlyArray<Promise<unknown>> = [], timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended: unknown;
  for (const run of running) void run.then((result) => (ended ??= result), (error: unknown) => (ended ??= error));
  while (!(await check())) {
    if (ended !== undefined) throw new Error(`a pipeline ended before ${what}: ${ended instanceof Error ? ended.stack : JSON.stringify(ended).slice(0, 2000)}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const sum = (offsets: bigint[]): number => Number(offsets.reduce((a, b) => a + (b > 0n ? b : 0n), 0n));

/** Every pipeline process a test started; afterEach kills the ones a failed or timed-out test left running. */
const started = new Set<ChildProcess>();

/** A FlowEngine process running one pipeline file, as `flowengine run` would. */
function startProcess(dir: string, name: string, yaml: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, yaml);
  const child = spawn(process.execPath, [runner, file], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

describe.skipIf(BROKERS === undefined)(`kafka pipelines through failures${skipped}`, () => {
  // A test that fails or times out mid-way must not leave live consumers in the group (they would
  // keep fetching and rebalancing under the next tests).
  afterEach(() => {
    for (const child of started) child.kill('SIGKILL');
    started.clear();
  });

  it('loses nothing when the broker is stopped and restarted mid-run', async (test) => {
    const running = await kafkaStatus();
    if (running !== BROKERS) test.skip(`the broker at ${BROKERS} was not started from FLOWENGINE_KAFKA_STATE_DIR, so it cannot be paused`);
    const { source, sink, group } = await copyTopics('outage', 2);
    const n = 4000;
    await produce(source, orders(n / 2));
    const stop = new AbortController();
    // Ride out a broker restart that may take a minute on a loaded machine: 120 retries × 1 s,
    // and calls (a sink flush waits for the broker) bounded above that. If the client still gives
    // up on a fetch, the engine's restart policy reopens the source from its last acknowledged
    // offsets — the configuration the README recommends for streaming sources.
    const patient = {
      extraSource: ', retries: 120',
      extraSink: ', retries: 120',
      extra: '\n      timeoutSeconds: 300\n      restart: { maxRetries: 5, backoffMs: 2000 }',
      extraSinkInstance: '\n      timeoutSeconds: 300',
    };
    const done = runYaml(copyPipeline({ source, sink, group, ...patient }) + SETTINGS, { cwd: tempDir(), stopSignal: stop.signal });
    await until('the pipeline committed some offsets', async () => sum(await committed(group, source)) > 0, [done]);

    await pauseKafka({ timeoutMs: 120_000 });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await resumeKafka({ timeoutMs: 300_000 });
    await produce(source, orders(n / 2, n / 2 + 1));
    await until(`all ${n} offsets are committed`, async () => sum(await committed(group, source)) === n, [done]);
    stop.abort();
    const summary = await done;
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('stopped');
    const result = tally(await readAll(sink));
    expect(result).toMatchObject({ distinct: n, sum: (n * (n + 1)) / 2 });
    // Never dropped; written twice only by a restart: a restarted source reads again from its last
    // commit, a restarted sink writes again what it had not flushed (at-least-once), each at most
    // the rows in flight (channels, chunks being worked on, two partitions' partial chunks). Riding
    // the outage out without a restart duplicates nothing: the idempotent producer's retries are
    // deduplicated by the broker.
    const restarts = Object.values(summary.retries).reduce((a, b) => a + b, 0);
    expect(result.duplicates).toBeLessThanOrEqual(restarts * (BUFFER + 4) * CHUNK * 2);
    console.info(`broker outage: ${result.duplicates} duplicate(s) of ${n}, ${restarts} restart(s)`);
  });

  it('fails with FE_KAFKA_CONSUME when the broker stays away longer than the retries', async (test) => {
    if ((await kafkaStatus()) !== BROKERS) test.skip(`the broker at ${BROKERS} was not started from FLOWENGINE_KAFKA_STATE_DIR, so it cannot be paused`);
    const topic = unique('gone');
    const group = unique('gone');
    await createTopic(topic, 1);
    await produce(topic, orders(10));
    const schema = Schema.of([{ name: 'id', type: 'int64' }, { name: 'payload', type: 'string' }]);
    const packageDir = fileURLToPath(new URL('..', import.meta.url));
    const reading = runPlugin({ plugin: { packageDir, id: 'kafka-source' }, declaredSchema: schema, timeoutSeconds: 120,
      config: { brokers: BROKERS, topics: [topic], group, retries: 2, retryDelayMs: 200 } });
    try {
      await until('the source committed its 10 records', async () => sum(await committed(group, topic)) === 10, [reading]);
      await pauseKafka({ timeoutMs: 120_000 });
      const result = await reading;
      expect(result.error?.code).toBe('FE_KAFKA_CONSUME');
      expect(result.error?.message).toContain(`reading ${topic} failed`);
      expect(result.rows).toHaveLength(10);
    } finally {
      await resumeKafka({ timeoutMs: 300_000 });
    }
  });

  it('loses nothing when the FlowEngine process is killed with SIGKILL and started again; duplicates stay within the in-flight window', async () => {
    const { source, sink, group } = await copyTopics('kill', 2);
    const n = 6000;
    // Half the records before the kill and half after: however fast the machine, the first
    // process is still running (waiting for more) when it is killed, never already done.
    await produce(source, orders(n / 2));
    const dir = tempDir();
    const first = startProcess(dir, 'first', copyPipeline({ source, sink, group }) + SETTINGS);
    let before = 0;
    await until('the first process committed some offsets', async () => (before = sum(await committed(group, source))) > 0, [first.exited]);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    // Every record the first process produced carries a create time before this instant, every
    // record of the second one a later time: that tells the two apart in the sink topic.
    const killedAt = BigInt(Date.now());
    const atKill = sum(await committed(group, source));
    expect(atKill).toBeLessThanOrEqual(n / 2);
    await produce(source, orders(n / 2, n / 2 + 1));

    const second = startProcess(dir, 'second', copyPipeline({ source, sink, group, extraSource: ', stopAtEnd: true' }) + SETTINGS);
    const exit = await second.exited;
    expect(exit.stderr + exit.stdout).toContain('"status":"succeeded"');
    const out = await readAll(sink);
    const result = tally(out);
    expect(result).toMatchObject({ distinct: n, sum: (n * (n + 1)) / 2 });
    // What the first process wrote past its last commit is written again, and only that. The
    // first process saw only the first n/2 records, so a bound in n could never fail; the bound
    // is what it actually wrote. A second process that re-read from the start (ignoring the
    // commits, atKill > 0) would duplicate all of it and fail here.
    const writtenByFirst = out.filter((record) => record.timestamp <= killedAt).length;
    expect(result.duplicates).toBeLessThanOrEqual(writtenByFirst - atKill);
    expect(result.duplicates).toBeLessThanOrEqual((BUFFER + 4) * CHUNK * 2);
    console.info(`SIGKILL: committed ${before} before the kill, ${atKill} at it; the first wrote ${writtenByFirst}; ${result.duplicates} duplicate(s) of ${n}`);
  });

  it('two processes in one group share a 4-partition topic, and when one exits the other takes over its partitions', async () => {
    const source = unique('group');
    const sinkA = unique('group-a');
    const sinkB = unique('group-b');
    const group = unique('group');
    await createTopic(source, 4);
    await createTopic(sinkA, 1);
    await createTopic(sinkB, 1);
    const n = 4000;
    await produce(source, orders(n / 2));
    const dir = tempDir();
    const a = startProcess(dir, 'a', copyPipeline({ source, sink: sinkA, group }) + SETTINGS);
    const b = startProcess(dir, 'b', copyPipeline({ source, sink: sinkB, group }) + SETTINGS);
    await until(`the first ${n / 2} offsets are committed`, async () => sum(await committed(group, source)) === n / 2, [a.exited, b.exited]);

    a.child.kill('SIGTERM');
    const exitA = await a.exited;
    expect(exitA.code, exitA.stderr).toBe(0);
    await produce(source, orders(n / 2, n / 2 + 1));
    await until(`all ${n} offsets are committed`, async () => sum(await committed(group, source)) === n, [b.exited]);
    b.child.kill('SIGTERM');
    const exitB = await b.exited;
    expect(exitB.code, exitB.stderr).toBe(0);

    const fromA = await readAll(sinkA);
    const fromB = await readAll(sinkB);
    expect(tally([...fromA, ...fromB])).toMatchObject({ distinct: n, sum: (n * (n + 1)) / 2 });
    // Both took part while both ran...
    const firstHalf = (records: typeof fromA) => records.filter((r) => (JSON.parse(r.value) as { id: number }).id <= n / 2).length;
    expect(firstHalf(fromA)).toBeGreaterThan(0);
    expect(firstHalf(fromB)).toBeGreaterThan(0);
    // ...and B alone delivered what arrived after A left, from all four partitions.
    const secondHalfInB = new Set(fromB.map((r) => (JSON.parse(r.value) as { id: number }).id).filter((id) => id > n / 2));
    expect(secondHalfInB.size).toBe(n / 2);
  });
});
