import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertSinkCompliance, assertSourceCompliance, runPlugin } from '@flowengine/sdk/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PG_URL, probeServer, testSchema } from './pg.js';

const server = await probeServer();
// The harness runs the BUILT plugin (dist/) in a real worker thread, as the engine does.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(new URL('../dist/index.js', import.meta.url))) throw new Error('plugins/postgres/dist is missing: build first (npx tsc -b plugins/postgres)');
const source = { packageDir, id: 'postgres-source' };
const sink = { packageDir, id: 'postgres-sink' };
const inputSchema = { fields: [{ name: 'id', type: 'int32' as const, nullable: false }, { name: 'name', type: 'string' as const }] };

describe.skipIf(!server.ok)('through the isolation host (@flowengine/sdk/testing)', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeEach(async () => {
    db = await testSchema();
    await db.admin.query(`CREATE TABLE ${db.name}.t (id int4 PRIMARY KEY, name text CHECK (name <> 'bad'))`);
    await db.admin.query(`INSERT INTO ${db.name}.t SELECT g, 'n' || g FROM generate_series(1, 50) g`);
    await db.admin.query(`CREATE TABLE ${db.name}.out (LIKE ${db.name}.t INCLUDING ALL)`);
  });
  afterEach(async () => { await db.drop(); });

  it('postgres-source passes assertSourceCompliance', async () => {
    const report = await assertSourceCompliance({ plugin: source, config: { url: PG_URL, schema: db.name, table: 't', chunkSize: 10 }, maxChunks: 3 });
    expect(report.passed).toContain('honours abort: close() ends a read in progress');
  });

  it('postgres-sink passes assertSinkCompliance, including close after a constraint error', async () => {
    const report = await assertSinkCompliance({
      plugin: sink, config: { url: PG_URL, schema: db.name, table: 'out', mode: 'upsert', key: ['id'] },
      input: { schema: inputSchema, rows: [[1, 'a'], [2, 'b']] },
      failingInput: { schema: inputSchema, rows: [[3, 'c'], [4, 'bad']] },
    });
    expect(report.passed).toContain('close after error');
    expect((await db.admin.query(`SELECT id FROM ${db.name}.out ORDER BY id`)).rows).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('in a worker: source reads the table, sink dead-letters the bad row and commits the rest', async () => {
    const read = await runPlugin({ plugin: source, config: { url: PG_URL, schema: db.name, table: 't', incremental: { column: 'id' } } });
    expect(read.error).toBeUndefined();
    expect(read.rows).toHaveLength(50);
    expect(read.positions.at(-1)).toEqual({ rows: 50, key: '50' });
    const written = await runPlugin({
      plugin: sink, errors: 'deadLetter', config: { url: PG_URL, schema: db.name, table: 'out' },
      input: { schema: inputSchema, rows: [[1, 'a'], [2, 'bad'], [3, 'c']] },
    });
    expect(written.error).toBeUndefined();
    expect(written.rejected).toEqual([expect.objectContaining({ code: 'FE_PG_CONSTRAINT', location: 'write 1, row 2 (input row 2)', record: { id: '2', name: 'bad' } })]);
    expect((await db.admin.query(`SELECT id FROM ${db.name}.out ORDER BY id`)).rows).toEqual([{ id: 1 }, { id: 3 }]);
  });
});
