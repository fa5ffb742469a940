import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runYaml, stage, tempDir } from './fixtures/plugins/harness.js';

const multiples = (count: number, every: number): number => Math.floor(count / every);

describe('executor: row error policies', () => {
  it('errors: skip on a source counts the rejected rows as skipped and moves the rest', async () => {
    const { summary } = await runYaml({ yaml: `
pipeline:
  name: skip-source
  plugins:
    - { name: src, type: counting-source, errors: skip, config: { count: 1000, rejectEvery: 10 } }
    - { name: out, type: null-sink }
` });
    expect(summary.status).toBe('succeeded');
    expect(stage(summary, 'src')).toMatchObject({ skipped: 100, rowsOut: 900, deadLettered: 0 });
    expect(stage(summary, 'out').rowsIn).toBe(900);
  });

  it('errors: skip on a transform counts skipped rows; delivered + skipped = produced', async () => {
    const { summary } = await runYaml({ yaml: `
pipeline:
  name: skip-transform
  plugins:
    - { name: src, type: counting-source, config: { count: 1000, chunkSize: 64 } }
    - { name: picky, type: reject-every, errors: skip, config: { every: 7 } }
    - { name: out, type: null-sink }
` });
    expect(summary.status).toBe('succeeded');
    expect(stage(summary, 'picky').skipped).toBe(multiples(1000, 7));
    expect(stage(summary, 'out').rowsIn + stage(summary, 'picky').skipped).toBe(1000);
  });

  it('errors: deadLetter writes JSONL with record, reason, code and location, and counts deadLettered', async () => {
    const dir = tempDir();
    const path = join(dir, 'letters', 'picky.jsonl');
    const { summary } = await runYaml({ cwd: dir, yaml: `
pipeline:
  name: dead-letter
  plugins:
    - { name: src, type: counting-source, config: { count: 1000, chunkSize: 64 } }
    - { name: picky, type: reject-every, errors: deadLetter, deadLetter: { path: letters/picky.jsonl }, config: { every: 7 } }
    - { name: out, type: null-sink }
` });
    expect(summary.status).toBe('succeeded');
    const letters = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(letters).toHaveLength(multiples(1000, 7));
    expect(letters[0]).toMatchObject({
      stage: 'picky',
      record: { n: 7, label: 'row-7' },
      reason: 'n=7 is a multiple of 7',
      code: 'FE_TEST_REJECTED',
      location: 'row 7',
    });
    expect(letters.map((letter) => (letter['record'] as { n: number }).n)).toEqual(Array.from({ length: 142 }, (_, i) => (i + 1) * 7));
    expect(stage(summary, 'picky').deadLettered).toBe(142);
    expect(stage(summary, 'out').rowsIn + stage(summary, 'picky').deadLettered).toBe(1000);
  });

  it('errors: deadLetter on a source keeps the source record and its location', async () => {
    const dir = tempDir();
    const { summary } = await runYaml({ cwd: dir, yaml: `
pipeline:
  name: dead-letter-source
  plugins:
    - { name: src, type: counting-source, errors: deadLetter, config: { count: 100, rejectEvery: 25 } }
    - { name: out, type: null-sink }
` });
    expect(summary.status).toBe('succeeded');
    // Without `deadLetter.path` the file is `<instance>.dead-letter.jsonl` in the working directory (config docs).
    const letters = readFileSync(join(dir, 'src.dead-letter.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(letters).toEqual([25, 50, 75, 100].map((n) => expect.objectContaining({ stage: 'src', record: `line ${n}`, code: 'FE_TEST_REJECTED', location: `counting:${n}` })));
    expect(stage(summary, 'src').deadLettered + stage(summary, 'out').rowsIn).toBe(100);
  });

  it('errors: fail (the default) fails the run with the row\'s code', async () => {
    const { summary, openAfter } = await runYaml({ yaml: `
pipeline:
  name: fail
  plugins:
    - { name: src, type: counting-source, config: { count: 1000 } }
    - { name: picky, type: reject-every, config: { every: 500 } }
    - { name: out, type: null-sink }
` });
    expect(summary.status).toBe('failed');
    expect(summary.error?.code).toBe('FE_TEST_REJECTED');
    expect(summary.error?.message).toContain('n=500 is a multiple of 500');
    expect(openAfter).toBe(0);
  });

  it('a failing sink fails the run with the plugin\'s code, without hanging, and closes every worker', async () => {
    const { summary, openAfter } = await runYaml({ yaml: `
pipeline:
  name: broken-sink
  plugins:
    - { name: src, type: counting-source, config: { count: 100000, chunkSize: 100 } }
    - { name: pass, type: reject-every, config: { every: 1000000 } }
    - { name: out, type: slow-sink, config: { failAfterChunks: 3 } }
settings:
  channels: { default: { bufferSize: 2 } }
` });
    expect(summary.status).toBe('failed');
    expect(summary.error?.code).toBe('FE_TEST_SINK_BROKEN');
    expect(summary.error?.message).toContain('breaks after 3 chunk(s)');
    expect(stage(summary, 'out').rowsOut).toBe(300);
    expect(stage(summary, 'src').rowsOut).toBeLessThan(100000);
    expect(openAfter).toBe(0);
  });

  // When a consumer's loop ends on an error, leaving it aborts its input channel, and the producer
  // blocked on that channel fails with FE_CHANNEL_ABORTED — sometimes before the consumer's own
  // error is recorded. The summary must name the cause, not that consequence (a kafka-sink failing
  // on a missing topic was reported as "the consumer stopped reading before the end").
  it.each(['worker', 'inline'] as const)('a sink failing right after its source names the sink\'s error, not the aborted channel (%s)', async (mode) => {
    const { summary, openAfter } = await runYaml({ mode, yaml: `
pipeline:
  name: broken-sink-direct
  plugins:
    - { name: src, type: counting-source, config: { count: 100000, chunkSize: 100 } }
    - { name: out, type: slow-sink, config: { failAfterChunks: 1 } }
settings:
  channels: { default: { bufferSize: 2 } }
` });
    expect(summary.status).toBe('failed');
    expect(summary.error?.code).toBe('FE_TEST_SINK_BROKEN');
    expect(openAfter).toBe(0);
  });
});
