import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Schema, type SourceDescriptor } from '@flowengine/sdk';
import { readSource, runPlugin, type RowInput } from '@flowengine/sdk/testing';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PLUGINS } from '@flowengine/core';
import { tempDir } from './fixtures/plugins/harness.js';

const builtIn = (id: string) => {
  const found = BUILT_IN_PLUGINS.find((plugin) => plugin.descriptor.id === id);
  if (found === undefined) throw new Error(`no built-in ${id}`);
  return { modulePath: found.modulePath, id, kind: found.descriptor.kind, descriptor: found.descriptor };
};

const ALL_TYPES = {
  fields: [
    { name: 'id', type: 'int32' }, { name: 'big', type: 'int64' }, { name: 'amount', type: 'float64' },
    { name: 'flag', type: 'bool' }, { name: 'name', type: 'string' }, { name: 'at', type: 'timestamp', unit: 'ms' },
  ],
};

async function generate(config: Record<string, unknown>) {
  const { modulePath, id, kind } = builtIn('generate');
  const result = await runPlugin({ plugin: { modulePath, id, kind }, config: { schema: ALL_TYPES, ...config } });
  if (result.error !== undefined) throw result.error;
  return result;
}

/** Reads a source on this thread (the SDK's readSource), to hand it `ctx.resumeFrom` as a restart would; rows as objects. */
async function readDirect(descriptor: SourceDescriptor, config: Record<string, unknown>, resumeFrom?: unknown): Promise<Record<string, unknown>[]> {
  const { chunks } = await readSource(descriptor, config, { instanceName: 'gen', resumeFrom });
  return chunks.flatMap((chunk) => Array.from(chunk.rows(), (row) => row.toObject()));
}

describe('built-in generate', () => {
  it('is deterministic: the same seed gives the same rows, whatever the chunk size', async () => {
    const a = await generate({ count: 1000, seed: 9, chunkSize: 128 });
    const b = await generate({ count: 1000, seed: 9, chunkSize: 1000 });
    expect(a.rows).toHaveLength(1000);
    expect(a.rows).toEqual(b.rows);
    expect(a.chunks.map((chunk) => chunk.length)).toEqual([...Array<number>(7).fill(128), 104]);
    expect(a.positions.at(-1)).toBe(1000);
    const other = await generate({ count: 1000, seed: 10, chunkSize: 1000 });
    expect(other.rows.map((row) => row['amount'])).not.toEqual(a.rows.map((row) => row['amount']));
    expect(other.rows.map((row) => row['id'])).toEqual(a.rows.map((row) => row['id']));
  });

  it('wraps its 65,536-row value pool the same inside a chunk and at a chunk boundary', async () => {
    // Rows 65,530..65,541 cross the pool's period: read as one chunk, and as two split at it.
    const generateFrom = (chunkSize: number, count: number, resumeFrom?: number) =>
      readDirect(builtIn('generate').descriptor as SourceDescriptor, { count, chunkSize, seed: 4, schema: ALL_TYPES }, resumeFrom);
    const whole = await generateFrom(12, 65_542, 65_530);
    const halves = await generateFrom(6, 65_542, 65_530);
    expect(whole).toHaveLength(12);
    expect(halves).toEqual(whole);
    // The pool repeats: row 65,536 + k has the values of row k, apart from the counting id and the
    // timestamp, which moves one second a row.
    const start = await generateFrom(12, 12);
    expect(whole.slice(6).map(({ big, amount, flag, name }) => ({ big, amount, flag, name })))
      .toEqual(start.slice(0, 6).map(({ big, amount, flag, name }) => ({ big, amount, flag, name })));
  });

  it('counts 1..N in the first integer field by default, or in the field named by `sequence`', async () => {
    const byDefault = await generate({ count: 50, chunkSize: 16 });
    expect(byDefault.rows.map((row) => row['id'])).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const named = await generate({ count: 50, sequence: 'amount' });
    expect(named.rows.map((row) => row['amount'])).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const int64First = await runPlugin({
      plugin: builtIn('generate'),
      config: { count: 5, schema: { fields: [{ name: 'label', type: 'string' }, { name: 'n', type: 'int64' }] } },
    });
    expect(int64First.rows.map((row) => Number(row['n']))).toEqual([1, 2, 3, 4, 5]);
  });

  it('resumeFrom continues exactly where an acknowledged position left off', async () => {
    const { descriptor } = builtIn('generate');
    const config = { count: 700, seed: 3, chunkSize: 64, schema: ALL_TYPES };
    const full = await readDirect(descriptor as SourceDescriptor, config);
    const resumed = await readDirect(descriptor as SourceDescriptor, config, 400);
    expect(full).toHaveLength(700);
    expect(resumed).toEqual(full.slice(400));
    expect(resumed[0]?.['id']).toBe(401);
  });

  it('fails without a schema, and on a sequence field that is not numeric', async () => {
    const noSchema = await runPlugin({ plugin: builtIn('generate'), config: { count: 5 } });
    expect(noSchema.error?.code).toBe('FE_GENERATE_NO_SCHEMA');
    expect(noSchema.error?.message).toContain('generate needs a schema');
    const badSequence = await runPlugin({ plugin: builtIn('generate'), config: { count: 5, sequence: 'name', schema: ALL_TYPES } });
    expect(badSequence.error?.code).toBe('FE_GENERATE_BAD_SEQUENCE');
    expect(badSequence.error?.message).toContain('sequence "name": expected a numeric field of the schema, found string');
  });
});

describe('built-in cast', () => {
  const input: RowInput = {
    schema: { fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'string' }, { name: 'ok', type: 'string' }] },
    rows: [
      { id: '1', amount: '2.5', ok: 'true' },
      { id: '12a', amount: '1', ok: 'false' },
      { id: '3000000000', amount: '1e3', ok: '1' },
      { id: ' -7 ', amount: '-0.25', ok: '0' },
    ],
  };
  const config = { fields: { id: 'int32', amount: 'float64', ok: 'bool' } };

  it('converts values and skips the ones that do not fit under errors: skip', async () => {
    const result = await runPlugin({ plugin: builtIn('cast'), config, input, errors: 'skip' });
    expect(result.error).toBeUndefined();
    expect(result.rows).toEqual([{ id: 1, amount: 2.5, ok: true }, { id: -7, amount: -0.25, ok: false }]);
    expect(result.schema?.fields.map((field) => field.type)).toEqual(['int32', 'float64', 'bool']);
    expect(result.stats?.rejected).toBe(2);
  });

  it('dead-letters "12a" and an out-of-range int32 with reason, code and row number', async () => {
    const result = await runPlugin({ plugin: builtIn('cast'), config, input, errors: 'deadLetter' });
    expect(result.rejected).toEqual([
      { record: { id: '12a', amount: '1', ok: 'false' }, reason: 'column "id": expected an integer, found "12a"', code: 'FE_CAST_INVALID', location: 'row 2' },
      expect.objectContaining({ code: 'FE_CAST_INVALID', location: 'row 3', reason: expect.stringContaining('int32 range') as unknown }),
    ]);
    expect(result.rows).toHaveLength(2);
  });

  it('leaves the columns it does not name as they are', async () => {
    const result = await runPlugin({
      plugin: builtIn('cast'),
      config: { fields: { amount: 'float64' } },
      input: { schema: { fields: [{ name: 'id', type: 'int64' }, { name: 'amount', type: 'string' }, { name: 'note', type: 'string', nullable: true }] },
        rows: [{ id: 9007199254740993n, amount: '2.5', note: ' 12 ' }, { id: 1n, amount: '3', note: null }] },
    });
    expect(result.error).toBeUndefined();
    expect(result.schema?.fields.map((field) => field.type)).toEqual(['int64', 'float64', 'string']);
    expect(result.rows).toEqual([{ id: 9007199254740993n, amount: 2.5, note: ' 12 ' }, { id: 1, amount: 3, note: null }]);
  });

  it('fails the run on the first bad value under errors: fail', async () => {
    const result = await runPlugin({ plugin: builtIn('cast'), config, input, errors: 'fail' });
    expect(result.error?.code).toBe('FE_CAST_INVALID');
    expect(result.error?.message).toContain('row 2: column "id": expected an integer, found "12a"');
  });
});

describe('built-in console-sink (in a child process)', () => {
  const script = fileURLToPath(new URL('./fixtures/plugins/run-yaml.mjs', import.meta.url));

  async function runFile(yaml: string): Promise<{ stdout: string; summary: { status: string } }> {
    const file = join(tempDir('fe-console-'), 'pipeline.yml');
    writeFileSync(file, yaml);
    // A failed run exits non-zero; its output is still what the test reads.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, file], { cwd: tempDir() })
      .catch((error: { stdout: string; stderr: string }) => ({ stdout: error.stdout, stderr: error.stderr }));
    return { stdout, summary: JSON.parse(stderr.trim().split('\n').at(-1) as string) as { status: string } };
  }

  const source = `{ name: rows, type: generate, config: { count: 5, chunkSize: 2 }, schema: { fields: [{ name: id, type: int32 }, { name: code, type: string }] } }`;

  it('prints JSON lines, one per row', async () => {
    const { stdout, summary } = await runFile(`pipeline:\n  name: show\n  plugins:\n    - ${source}\n    - { name: out, type: console-sink, config: { format: jsonl } }\n`);
    expect(summary.status).toBe('succeeded');
    const rows = stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: number; code: string });
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5]);
    expect(rows.every((row) => /^[a-z0-9]{12}$/.test(row.code))).toBe(true);
  });

  it('prints an aligned table of the first `limit` rows and counts the rest', async () => {
    const { stdout } = await runFile(`pipeline:\n  name: show\n  plugins:\n    - ${source}\n    - { name: out, type: console-sink, config: { format: table, limit: 3 } }\n`);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('id | code');
    expect(lines[1]).toBe('---+-------------');
    expect(lines.slice(2, 5).map((line) => line.split(' | ')[0]?.trim())).toEqual(['1', '2', '3']);
    expect(lines[5]).toBe('… 2 more row(s)');
    expect(lines).toHaveLength(6);
  });

  it('prints no empty table when the run fails before any row arrives (regression: a header above the error)', async () => {
    const failing = await runFile(`pipeline:\n  name: show\n  plugins:\n    - ${source}\n    - { name: num, type: cast, config: { fields: { code: int32 } } }\n    - { name: out, type: console-sink }\n`);
    expect(failing.summary.status).toBe('failed');
    expect(failing.stdout).toBe('');
    // A complete run with no rows still shows the (empty) table: the run did finish.
    const empty = await runFile(`pipeline:\n  name: show\n  plugins:\n    - ${source.replace('count: 5', 'count: 0')}\n    - { name: out, type: console-sink }\n`);
    expect(empty.summary.status).toBe('succeeded');
    expect(empty.stdout.split('\n')[0]).toBe('id | code');
  });
});
