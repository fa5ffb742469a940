import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Schema } from '@flowengine/sdk';
import { assertSinkCompliance, runPlugin } from '@flowengine/sdk/testing';
import { BROKERS, SKIP_REASON, createTopic, readAll, unique } from './kafka.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const plugin = { packageDir, id: 'kafka-sink' } as const;
const schema = Schema.of([{ name: 'id', type: 'int64' }, { name: 'name', type: 'string' }, { name: 'score', type: 'float64' }]);
const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, name: i % 3 === 0 ? `a, "b" ${i}` : `n${i}`, score: i / 4 }));
const skipped = BROKERS === undefined ? ` (skipped: ${SKIP_REASON})` : '';

describe.skipIf(BROKERS === undefined)(`kafka-sink${skipped}`, () => {
  it('writes one record per row, keyed by the key field, in JSON or CSV, compressed, and flush means acknowledged', async () => {
    const json = unique('sink-json');
    const csv = unique('sink-csv');
    await createTopic(json, 3);
    await createTopic(csv, 1);
    const n = 1200;
    const first = await runPlugin({ plugin, timeoutSeconds: 120, input: { schema, rows: rows(n), chunkSize: 250 },
      config: { brokers: BROKERS, topic: json, key: 'id', compression: 'gzip', maxBatchRows: 100, lingerMs: 1 } });
    expect(first.error).toBeUndefined();
    // runPlugin flushed before it returned: everything is on the broker already.
    const out = await readAll(json);
    expect(out).toHaveLength(n);
    const byId = new Map(out.map((r) => [r.key, JSON.parse(r.value) as Record<string, unknown>]));
    expect(byId.get('4')).toEqual({ id: 4, name: 'a, "b" 3', score: 0.75 });
    // Equal keys land in one partition: ids spread over all three, by key.
    expect(new Set(out.map((r) => r.partition)).size).toBe(3);

    const second = await runPlugin({ plugin, timeoutSeconds: 120, input: { schema, rows: rows(4) }, config: { brokers: BROKERS, topic: csv, format: 'csv' } });
    expect(second.error).toBeUndefined();
    expect((await readAll(csv)).map((r) => [r.key, r.value])).toEqual([[undefined, '1,"a, ""b"" 0",0'], [undefined, '2,n1,0.25'], [undefined, '3,n2,0.5'], [undefined, '4,"a, ""b"" 3",0.75']]);
  });

  it('passes the sink compliance suite', async () => {
    const topic = unique('sink-compliance');
    await createTopic(topic, 1);
    const report = await assertSinkCompliance({ plugin, timeoutSeconds: 120, input: { schema, rows: rows(10), chunkSize: 4 }, config: { brokers: BROKERS, topic } });
    expect(report.passed.length).toBeGreaterThanOrEqual(3);
  });

  it('FE_KAFKA_CONFIG for a key field the input lacks, or raw with more than one column', async () => {
    const keyless = await runPlugin({ plugin, timeoutSeconds: 120, input: { schema, rows: rows(1) }, config: { brokers: BROKERS, topic: 't', key: 'nope' } });
    expect(keyless.error?.code).toBe('FE_KAFKA_CONFIG');
    expect(keyless.error?.message).toContain('config.key: expected a field of the input schema, found "nope" (fields: id, name, score)');
    const raw = await runPlugin({ plugin, timeoutSeconds: 120, input: { schema, rows: rows(1) }, config: { brokers: BROKERS, topic: 't', format: 'raw' } });
    expect(raw.error?.message).toMatch(/format raw: expected an input of exactly one string column/);
  });

  it('FE_KAFKA_PRODUCE when the broker does not take the records (a topic that does not exist)', async () => {
    const result = await runPlugin({ plugin, timeoutSeconds: 120, input: { schema, rows: rows(3) }, config: { brokers: BROKERS, topic: unique('missing'), retries: 1, retryDelayMs: 100 } });
    expect(result.error?.code).toBe('FE_KAFKA_PRODUCE');
    expect(result.error?.message).toContain('did not acknowledge 3 record(s)');
  });

  it('FE_KAFKA_CONNECT when no broker listens', async () => {
    const result = await runPlugin({ plugin, timeoutSeconds: 120, input: { schema, rows: rows(1) }, config: { brokers: '127.0.0.1:9', topic: 't', retries: 0 } });
    expect(result.error?.code).toBe('FE_KAFKA_CONNECT');
  });
});
