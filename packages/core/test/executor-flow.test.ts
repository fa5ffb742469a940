import { describe, expect, it } from 'vitest';
import { channel, eventLog, planFromYaml, readLog, runYaml, stage, startTestRun } from './fixtures/plugins/harness.js';

const SCHEMA = `{ fields: [{ name: id, type: int64 }, { name: amount, type: float64 }, { name: status, type: string }] }`;

describe('executor: rows through real workers', () => {
  for (const mode of ['worker', 'inline'] as const) {
    it(`generate -> filter -> select -> null-sink moves exact row counts (${mode})`, async () => {
      const { summary, openAfter } = await runYaml({ mode, yaml: `
pipeline:
  name: flow
  plugins:
    - { name: rows, type: generate, config: { count: 100000, chunkSize: 7000, seed: 7 }, schema: ${SCHEMA} }
    - { name: quarter, type: filter, config: { where: "id % 4 = 0" } }
    - { name: shape, type: select, config: { columns: [id, { name: gross, expr: "amount * 1.2" }] } }
    - { name: sink, type: null-sink }
` });
      expect(summary.status).toBe('succeeded');
      expect(summary.error).toBeUndefined();
      expect(stage(summary, 'rows').rowsOut).toBe(100_000);
      expect(stage(summary, 'quarter')).toMatchObject({ rowsIn: 100_000, rowsOut: 25_000 });
      expect(stage(summary, 'shape')).toMatchObject({ rowsIn: 25_000, rowsOut: 25_000 });
      expect(stage(summary, 'sink')).toMatchObject({ rowsIn: 25_000, dropped: 0 });
      expect(channel(summary, 'rows -> quarter').delivered).toBe(100_000);
      expect(channel(summary, 'shape -> sink').delivered).toBe(25_000);
      expect(openAfter).toBe(0);
    });
  }

  it('fan-out: two sinks reading one stage each get every row, in their own copy', async () => {
    const log = eventLog();
    const { summary, openAfter } = await runYaml({ yaml: `
pipeline:
  name: fan-out
  plugins:
    - { name: src, type: counting-source, config: { count: 1000, chunkSize: 64 } }
    - { name: left, type: slow-sink, input: src, config: { log: "${log}", recordValues: true } }
    - { name: right, type: slow-sink, input: src, config: { log: "${log}", recordValues: true } }
` });
    expect(summary.status).toBe('succeeded');
    const all = Array.from({ length: 1000 }, (_, i) => i + 1);
    for (const sink of ['left', 'right']) {
      // Sending a chunk to a worker detaches its buffer: without a copy per consumer the second sink would see empty data.
      const values = readLog(log).filter((entry) => entry.who === sink && entry.event === 'write').flatMap((entry) => entry.values ?? []);
      expect(values).toEqual(all);
      expect(stage(summary, sink).rowsIn).toBe(1000);
    }
    expect(openAfter).toBe(0);
  });

  it('fan-in: one sink reading two sources gets the rows of both', async () => {
    const log = eventLog();
    const { summary } = await runYaml({ yaml: `
pipeline:
  name: fan-in
  plugins:
    - { name: a, type: counting-source, config: { count: 300, chunkSize: 50 } }
    - { name: b, type: counting-source, config: { count: 500, chunkSize: 70 } }
    - { name: out, type: slow-sink, input: [a, b], config: { log: "${log}", recordValues: true } }
` });
    expect(summary.status).toBe('succeeded');
    expect(stage(summary, 'out').rowsIn).toBe(800);
    const values = readLog(log).filter((entry) => entry.event === 'write').flatMap((entry) => entry.values ?? []);
    const expected = [...Array.from({ length: 300 }, (_, i) => i + 1), ...Array.from({ length: 500 }, (_, i) => i + 1)];
    expect(values.sort((x, y) => x - y)).toEqual(expected.sort((x, y) => x - y));
    expect(channel(summary, 'a -> out').delivered + channel(summary, 'b -> out').delivered).toBe(800);
  });

  it('fan-in of two schemas fails with FE_GRAPH_SCHEMA_MISMATCH naming both inputs, before any row moves', async () => {
    const { summary, openAfter } = await runYaml({ yaml: `
pipeline:
  name: mismatch
  plugins:
    - { name: numbers, type: counting-source, config: { count: 10 } }
    - { name: orders, type: generate, config: { count: 10 }, schema: ${SCHEMA} }
    - { name: out, type: null-sink, input: [numbers, orders] }
` });
    expect(summary.status).toBe('failed');
    expect(summary.error?.code).toBe('FE_GRAPH_SCHEMA_MISMATCH');
    expect(summary.error?.message).toMatch(/^test\.yml:\d+:\d+: stage "out" reads from numbers and orders/);
    expect(summary.error?.message).toContain('(n int32, label string) vs (id int64, amount float64, status string)');
    expect(stage(summary, 'out').rowsIn).toBe(0);
    expect(openAfter).toBe(0);
  });

  for (const lazy of [false, true]) {
    it(`enableLazyLoading: ${lazy} starts transforms and sinks ${lazy ? 'on their first input' : 'before the first chunk'}`, async () => {
      const yaml = (count: number): string => `
pipeline:
  name: lazy
  plugins:
    - { name: rows, type: generate, config: { count: ${count} }, schema: ${SCHEMA} }
    - { name: some, type: filter, config: { where: "id % 2 = 0" } }
    - { name: sink, type: null-sink }
settings:
  isolation: { enableLazyLoading: ${lazy} }
`;
      // No rows at all: lazily, only the source ever starts.
      const empty = startTestRun(await planFromYaml({ yaml: yaml(0) }));
      expect((await empty.done).status).toBe('succeeded');
      expect([...empty.running.handles.keys()]).toEqual(lazy ? ['rows'] : expect.arrayContaining(['rows', 'some', 'sink']));
      expect(empty.openAfter()).toBe(0);
      // With rows, the result is the same either way.
      const { summary, openAfter } = await runYaml({ yaml: yaml(5000) });
      expect(stage(summary, 'sink').rowsIn).toBe(2500);
      expect(openAfter).toBe(0);
    });
  }
});

