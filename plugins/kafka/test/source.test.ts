import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Schema } from '@flowengine/sdk';
import { assertSourceCompliance, runPlugin } from '@flowengine/sdk/testing';
import { runYaml } from './run-pipeline.mjs';
import { BROKERS, SKIP_REASON, committed, copyPipeline, copyTopics, createTopic, orders, produce, readAll, tally, tempDir, unique } from './kafka.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const plugin = { packageDir, id: 'kafka-source' } as const;
const ordersSchema = Schema.of([{ name: 'id', type: 'int64' }, { name: 'payload', type: 'string' }, { name: 'key', type: 'string' }]);
const skipped = BROKERS === undefined ? ` (skipped: ${SKIP_REASON})` : '';

describe.skipIf(BROKERS === undefined)(`kafka-source${skipped}`, () => {
  it('sends a poison record to dead letters with topic/partition/offset, moves past it, and the run goes on', async () => {
    const { source, sink, group } = await copyTopics('poison', 1);
    const good = orders(200);
    const records = [...good.slice(0, 50), { key: 'bad1', value: 'this is not json' }, ...good.slice(50, 120),
      { key: 'bad2', value: '{"id":"twelve","payload":"x"}' }, { key: 'bad3', value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }, ...good.slice(120)];
    await produce(source, records);
    const cwd = tempDir();

    const summary = await runYaml(copyPipeline({ source, sink, group, extraSource: ', stopAtEnd: true', extra: '\n      errors: deadLetter\n      deadLetter: { path: dead.jsonl }' }), { cwd });
    expect(summary.error).toBeUndefined();
    expect(summary.stages.find((s) => s.name === 'in')?.deadLettered).toBe(3);
    expect(tally(await readAll(sink))).toMatchObject({ count: 200, distinct: 200, duplicates: 0 });
    const dead = readFileSync(join(cwd, 'dead.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(dead.map((d) => d['location'])).toEqual([`${source}/0/50`, `${source}/0/121`, `${source}/0/122`]);
    expect(dead.map((d) => d['code'])).toEqual(['FE_KAFKA_DECODE', 'FE_KAFKA_DECODE', 'FE_KAFKA_DECODE']);
    expect(dead[0]?.['record']).toBe('this is not json');
    expect(String(dead[1]?.['reason'])).toContain('field "id": expected an integer in int64 range');
    expect(String(dead[2]?.['reason'])).toContain('invalid UTF-8');
    // The offset moved past the poison records: everything is committed.
    expect(await committed(group, source)).toEqual([203n]);
  });

  it('fails the run with FE_KAFKA_DECODE and the record\'s location under errors: fail, committing nothing past it', async () => {
    const source = unique('poison-fail');
    const group = unique('poison-fail');
    await createTopic(source, 1);
    await produce(source, [...orders(10), { value: '[1,2]' }, ...orders(5, 11)]);
    const result = await runPlugin({ plugin, config: { brokers: BROKERS, topics: [source], group, stopAtEnd: true }, declaredSchema: ordersSchema, timeoutSeconds: 120 });
    expect(result.error?.code).toBe('FE_KAFKA_DECODE');
    expect(result.error?.message).toContain(`${source}/0/10`);
    expect(result.error?.message).toContain('expected a JSON object, found an array');
  });

  it('decodes csv and raw values and fills metadata columns (key, headers, topic, partition, offset, timestamp)', async () => {
    const topic = unique('formats');
    await createTopic(topic, 2);
    await produce(topic, [{ key: 'a', value: '1,"x, y",true', partition: 1 }, { key: 'b', value: '2,,false', partition: 1 }]);
    const before = Date.now();
    const csv = await runPlugin({
      plugin, timeoutSeconds: 120,
      config: { brokers: BROKERS, topics: [topic], group: unique('csv'), format: 'csv', stopAtEnd: true, metadata: { key: 'k', topic: 't', partition: 'p', offset: 'o', timestamp: 'ts' } },
      declaredSchema: { fields: [{ name: 'n', type: 'int32' }, { name: 'text', type: 'string' }, { name: 'flag', type: 'bool' }, { name: 'k', type: 'string' },
        { name: 't', type: 'string' }, { name: 'p', type: 'int32' }, { name: 'o', type: 'int64' }, { name: 'ts', type: 'timestamp', unit: 'ms' }] },
    });
    expect(csv.error).toBeUndefined();
    expect(csv.rows.map(({ ts, ...rest }) => rest)).toEqual([
      { n: 1, text: 'x, y', flag: true, k: 'a', t: topic, p: 1, o: 0, },
      { n: 2, text: null, flag: false, k: 'b', t: topic, p: 1, o: 1 },
    ]);
    expect(Number(csv.rows[0]?.['ts'])).toBeGreaterThan(before - 600_000);
    expect(csv.positions).toEqual([expect.objectContaining({ topic, partition: 1, offset: '2' })]);

    const raw = await runPlugin({
      plugin, timeoutSeconds: 120,
      config: { brokers: BROKERS, topics: [topic], group: unique('raw'), format: 'raw', stopAtEnd: true, metadata: { headers: 'h' } },
      declaredSchema: { fields: [{ name: 'line', type: 'string' }, { name: 'h', type: 'string' }] },
    });
    expect(raw.rows).toEqual([{ line: '1,"x, y",true', h: '{}' }, { line: '2,,false', h: '{}' }]);
  });

  it('starts a group without commits at latest, or at a time, and resumes a group from its commits', async () => {
    const topic = unique('start');
    await createTopic(topic, 1);
    await produce(topic, orders(5));
    const config = (group: string, startFrom: string | number) => ({ brokers: BROKERS, topics: [topic], group, startFrom, stopAtEnd: true });
    const latest = await runPlugin({ plugin, config: config(unique('latest'), 'latest'), declaredSchema: ordersSchema, timeoutSeconds: 120 });
    expect(latest.rows).toEqual([]);
    const middle = Date.now() + 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await produce(topic, orders(3, 6));
    const group = unique('at-time');
    const atTime = await runPlugin({ plugin, config: config(group, middle), declaredSchema: ordersSchema, timeoutSeconds: 120 });
    expect(atTime.rows.map((r) => r['id'])).toEqual([6, 7, 8]);
    await produce(topic, orders(2, 9));
    const again = await runPlugin({ plugin, config: config(group, 'earliest'), declaredSchema: ordersSchema, timeoutSeconds: 120 });
    expect(again.rows.map((r) => r['id'])).toEqual([9, 10]);
  });

  it('reads the topics a pattern matches', async () => {
    const prefix = unique('pat');
    await createTopic(`${prefix}-a`, 1);
    await createTopic(`${prefix}-b`, 1);
    await produce(`${prefix}-a`, orders(2));
    await produce(`${prefix}-b`, orders(2, 3));
    const result = await runPlugin({ plugin, config: { brokers: BROKERS, topicPattern: `${prefix}-.*`, group: unique('pat'), stopAtEnd: true }, declaredSchema: ordersSchema, timeoutSeconds: 120 });
    expect(result.error).toBeUndefined();
    expect(result.rows.map((r) => r['id']).sort()).toEqual([1, 2, 3, 4]);
  });

  it('passes the source compliance suite', async () => {
    const topic = unique('compliance');
    await createTopic(topic, 1);
    await produce(topic, orders(20));
    const report = await assertSourceCompliance({ plugin, config: { brokers: BROKERS, topics: [topic], group: unique('compliance'), chunkSize: 5 }, declaredSchema: ordersSchema, timeoutSeconds: 120 });
    expect(report.passed.length).toBeGreaterThanOrEqual(3);
  });

  describe('refuses what cannot work, before reading', () => {
    const open = (config: Record<string, unknown>, declaredSchema: unknown = ordersSchema) =>
      runPlugin({ plugin, config: { brokers: BROKERS, group: 'g', topics: ['t'], ...config }, ...(declaredSchema === null ? {} : { declaredSchema: declaredSchema as never }), timeoutSeconds: 120 });

    it('FE_KAFKA_SCHEMA without a declared schema', async () => {
      const result = await open({}, null);
      expect(result.error?.code).toBe('FE_KAFKA_SCHEMA');
    });

    it('FE_KAFKA_CONFIG for a metadata column that is missing or of the wrong type, raw without one string column, topics and topicPattern', async () => {
      expect((await open({ metadata: { offset: 'nope' } })).error?.message).toMatch(/config.metadata.offset: expected a column of the declared schema, found "nope"/);
      expect((await open({ metadata: { offset: 'payload' } })).error?.message).toMatch(/column "payload" must be int64, found string/);
      expect((await open({ format: 'raw' })).error?.message).toMatch(/format raw: expected exactly one string column/);
      const both = await open({ topicPattern: 'x.*' });
      expect(both.error?.code).toBe('FE_KAFKA_CONFIG');
      expect(both.error?.message).toContain('expected exactly one of config.topics and config.topicPattern, found both');
    });

    it('FE_KAFKA_NO_TOPICS when a listed topic does not exist or the pattern matches nothing', async () => {
      const missing = await open({ topics: ['no-such-topic-1'] });
      expect(missing.error?.code).toBe('FE_KAFKA_NO_TOPICS');
      expect(missing.error?.message).toContain('"no-such-topic-1" missing');
      const result = await open({ topics: undefined, topicPattern: 'no-such-topic-[0-9]+' });
      expect(result.error?.code).toBe('FE_KAFKA_NO_TOPICS');
    });

    it('FE_KAFKA_CONNECT when no broker listens', async () => {
      const result = await open({ brokers: '127.0.0.1:9', retries: 0, retryDelayMs: 10 });
      expect(result.error?.code).toBe('FE_KAFKA_CONNECT');
      expect(result.error?.message).toContain('127.0.0.1:9');
    });
  });
});
