import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertSinkCompliance, assertSourceCompliance, runPlugin } from '@flowengine/sdk/testing';
import { tempDir } from './context.js';

// These run the built package (dist/) through the real isolation host, in a worker thread.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const orders = { fields: [{ name: 'id', type: 'int32' as const }, { name: 'note', type: 'string' as const }] };

describe('compliance (through @flowengine/sdk/testing, worker mode)', () => {
  it('csv-source keeps the source contract', async () => {
    const path = join(tempDir(), 'in.csv');
    writeFileSync(path, `id,note\n${Array.from({ length: 50 }, (_, i) => `${i},"n ""${i}"""`).join('\n')}\n`);
    const report = await assertSourceCompliance({ plugin: { packageDir, id: 'csv-source' }, config: { path, chunkSize: 10 }, declaredSchema: orders });
    expect(report.passed.length).toBeGreaterThanOrEqual(3);
  });

  it('csv-sink keeps the sink contract, including close after an error', async () => {
    const dir = tempDir();
    const rows = { schema: orders, rows: [[1, 'a'], [2, 'b,c']] };
    const report = await assertSinkCompliance({ plugin: { packageDir, id: 'csv-sink' }, config: { path: join(dir, 'out.csv') }, input: rows });
    expect(report.passed).toContain('write, flush (the durable point), close');
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe('id,note\n1,a\n2,"b,c"\n');
  });

  it('delivers good rows and dead-letters bad ones with file:line:col when run in a worker', async () => {
    const path = join(tempDir(), 'bad.csv');
    writeFileSync(path, 'id,note\n1,a\n2x,b\n3,c\n');
    const result = await runPlugin({ plugin: { packageDir, id: 'csv-source' }, config: { path }, declaredSchema: orders, errors: 'deadLetter' });
    expect(result.error).toBeUndefined();
    expect(result.rows).toEqual([{ id: 1, note: 'a' }, { id: 3, note: 'c' }]);
    expect(result.rejected.map((r) => [r.code, r.location, r.record])).toEqual([['FE_CSV_INVALID_VALUE', `${path}:3:1`, '2x,b']]);
  });

  it('a source error crosses the worker boundary with its code', async () => {
    const result = await runPlugin({ plugin: { packageDir, id: 'csv-source' }, config: { path: join(tempDir(), 'missing.csv') } });
    expect(result.error?.code).toBe('FE_CSV_NO_FILES');
  });

  it('a second sink on the same path fails fast with FE_CSV_SINK_LOCKED', async () => {
    const dir = tempDir();
    const path = join(dir, 'same.csv');
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), startedAt: 'now' }));
    const result = await runPlugin({ plugin: { packageDir, id: 'csv-sink' }, config: { path }, input: { schema: orders, rows: [[1, 'a']] } });
    expect(result.error?.code).toBe('FE_CSV_SINK_LOCKED');
    expect(readdirSync(dir)).toEqual(['same.csv.lock']);
  });
});

describe('through @flowengine/sdk/testing, inline mode', () => {
  it('stops at the first bad row under errors: fail, with the row code and its file:line:col', async () => {
    const path = join(tempDir(), 'bad.csv');
    writeFileSync(path, 'id,name,n\n1,ok,1\n12a,x,2\n2147483648,x,3\n5,x\n');
    const schema = { fields: [{ name: 'id', type: 'int32' as const }, { name: 'name', type: 'string' as const, nullable: false }, { name: 'n', type: 'int64' as const }] };
    const result = await runPlugin({ plugin: { packageDir, id: 'csv-source' }, mode: 'inline', config: { path }, declaredSchema: schema, errors: 'fail' });
    expect(result.error).toMatchObject({ code: 'FE_CSV_INVALID_VALUE', message: expect.stringMatching(/:3:1: /) });
    expect(result.error?.message).toContain(`${path}:3:1: column "id" (field 1): expected an int32, found "12a"`);
  });
});
