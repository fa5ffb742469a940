import { chunkFromRows, FlowEngineError, Schema } from '@flowengine/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresSink } from '../src/index.js';
import { idleInTransaction, PG_URL, probeServer, tableHash, testSchema } from './pg.js';
import { pluginContext, writeSink } from '@flowengine/sdk/testing';

const server = await probeServer();

const schema = Schema.of([{ name: 'id', type: 'int32', nullable: false }, { name: 'name', type: 'string' }, { name: 'score', type: 'float64' }]);
const rows = (from: number, to: number, tag = 'v'): unknown[][] => Array.from({ length: to - from }, (_, i) => [from + i, `${tag}${from + i}`, (from + i) / 2]);

describe.skipIf(!server.ok)('postgres-sink', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeEach(async () => {
    db = await testSchema();
    await db.admin.query(`CREATE TABLE ${db.name}.t (id int4 PRIMARY KEY, name text NOT NULL, score float8 CHECK (score >= 0))`);
  });
  afterEach(async () => {
    try {
      expect(await idleInTransaction(db.admin)).toBe(0);
    } finally {
      await db.drop();
    }
  });
  const count = async (table = 't') => (await db.admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.name}.${table}`)).rows[0]?.n;

  it('append adds rows with COPY, one transaction per flush', async () => {
    const config = { url: PG_URL, schema: db.name, table: 't' };
    await writeSink(postgresSink, config, schema, [chunkFromRows(schema, rows(0, 100)), chunkFromRows(schema, rows(100, 150))]);
    await writeSink(postgresSink, config, schema, [chunkFromRows(schema, rows(150, 160))]);
    expect(await count()).toBe(160);
    // Rows inserted by one transaction share its xmin: two flushes, two transactions.
    expect((await db.admin.query(`SELECT count(DISTINCT xmin::text)::int AS n FROM ${db.name}.t`)).rows[0]?.n).toBe(2);
  });

  it('nothing is visible before flush, and close without flush leaves nothing behind', async () => {
    const { ctx } = pluginContext(postgresSink, { url: PG_URL, schema: db.name, table: 't' });
    const sink = await postgresSink.open(ctx, schema);
    await sink.write(chunkFromRows(schema, rows(0, 10)));
    expect(await count()).toBe(0);
    await sink.flush();
    expect(await count()).toBe(10);
    await sink.write(chunkFromRows(schema, rows(10, 20)));
    await sink.close?.();
    expect(await count()).toBe(10);
  });

  it('upsert updates existing keys, inserts new ones, the last duplicate in a batch wins; twice gives the same table hash', async () => {
    const config = { url: PG_URL, schema: db.name, table: 't', mode: 'upsert', key: ['id'] };
    await db.admin.query(`INSERT INTO ${db.name}.t VALUES (1, 'old', 0), (500, 'untouched', 1)`);
    const input = [chunkFromRows(schema, rows(0, 50, 'a')), chunkFromRows(schema, [...rows(25, 75, 'b'), [3, 'last', 9]])];
    await writeSink(postgresSink, config, schema, input);
    const first = await tableHash(db.admin, db.name, 't', 'id');
    await writeSink(postgresSink, config, schema, [chunkFromRows(schema, rows(0, 50, 'a')), chunkFromRows(schema, [...rows(25, 75, 'b'), [3, 'last', 9]])]);
    expect(await tableHash(db.admin, db.name, 't', 'id')).toBe(first);
    const check = await db.admin.query(`SELECT id, name FROM ${db.name}.t WHERE id IN (1, 3, 30, 500) ORDER BY id`);
    expect(check.rows).toEqual([{ id: 1, name: 'a1' }, { id: 3, name: 'last' }, { id: 30, name: 'b30' }, { id: 500, name: 'untouched' }]);
    expect(await count()).toBe(76);
  });

  it('replace truncates and loads in one transaction; an empty input empties the table', async () => {
    await db.admin.query(`INSERT INTO ${db.name}.t VALUES (1000, 'old', 0)`);
    const config = { url: PG_URL, schema: db.name, table: 't', mode: 'replace' };
    await writeSink(postgresSink, config, schema, [chunkFromRows(schema, rows(0, 20))]);
    expect(await count()).toBe(20);
    await writeSink(postgresSink, config, schema, []);
    expect(await count()).toBe(0);
  });

  it('replace with an empty input: a lost connection is retried like any batch, and reported as FE_PG_CONNECTION_LOST when retries run out', async () => {
    // The TRUNCATE kills its own session the first `kills` times: a deterministic loss inside the empty batch's transaction.
    await db.admin.query(`CREATE SEQUENCE ${db.name}.kills`);
    await db.admin.query(`CREATE FUNCTION ${db.name}.kill() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('${db.name}.kills') <= 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
        RETURN NULL;
      END $$`);
    await db.admin.query(`CREATE TRIGGER kill BEFORE TRUNCATE ON ${db.name}.t FOR EACH STATEMENT EXECUTE FUNCTION ${db.name}.kill()`);
    await db.admin.query(`INSERT INTO ${db.name}.t VALUES (1000, 'old', 0)`);
    const config = { url: PG_URL, schema: db.name, table: 't', mode: 'replace', retry: { maxRetries: 0 } };
    await expect(writeSink(postgresSink, config, schema, [])).rejects.toMatchObject({ code: 'FE_PG_CONNECTION_LOST', message: expect.stringContaining('the batch was rolled back') });
    expect(await count()).toBe(1);
    await db.admin.query(`SELECT setval('${db.name}.kills', 1, false)`);
    const { logs } = await writeSink(postgresSink, { ...config, retry: { maxRetries: 1, backoffMs: 1 } }, schema, []);
    expect(logs.filter((l) => l.message.includes('replaying the uncommitted batch'))).toHaveLength(1);
    expect(await count()).toBe(0);
  });

  it('a replace that fails leaves the old table intact', async () => {
    await db.admin.query(`INSERT INTO ${db.name}.t VALUES (1000, 'old', 0)`);
    const bad = chunkFromRows(schema, [[1, 'ok', 1], [2, 'bad', -1]]);
    await expect(writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 't', mode: 'replace' }, schema, [bad])).rejects.toThrow(FlowEngineError);
    expect(await count()).toBe(1);
  });

  it('a constraint violation under errors: fail names table, column or constraint and the row, and commits nothing', async () => {
    const input = [chunkFromRows(schema, rows(0, 10)), chunkFromRows(schema, [[10, 'x', 1], [11, 'neg', -5], [12, 'y', 1]])];
    const error = await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 't' }, schema, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowEngineError);
    expect((error as FlowEngineError).code).toBe('FE_PG_CONSTRAINT');
    expect((error as FlowEngineError).message).toContain(`table "${db.name}.t"`);
    expect((error as FlowEngineError).message).toContain('constraint "t_score_check"');
    expect((error as FlowEngineError).message).toContain('write 2, row 2 (input row 12)');
    expect(await count()).toBe(0);
  });

  it('a value that does not fit names the column and row (int64 into int4)', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.narrow (id int4, big int4)`);
    const wide = Schema.of([{ name: 'id', type: 'int32' }, { name: 'big', type: 'int64' }]);
    const error = await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 'narrow' }, wide,
      [chunkFromRows(wide, [[1, 1], [2, 2 ** 40]])]).catch((e: unknown) => e) as FlowEngineError;
    expect(error.code).toBe('FE_PG_VALUE_INVALID');
    expect(error.message).toMatch(/table ".*\.narrow", column "big", write 1, row 2 \(input row 2\)/);
  });

  it('errors: deadLetter isolates the bad rows and commits the rest (append and upsert)', async () => {
    for (const mode of ['append', 'upsert'] as const) {
      await db.admin.query(`TRUNCATE ${db.name}.t`);
      const input = [
        chunkFromRows(schema, [...rows(0, 40), [40, 'neg', -1], ...rows(41, 60)]),
        chunkFromRows(schema, [...rows(60, 90), [90, null, 1], [91, 'neg2', -2], ...rows(92, 100)]),
      ];
      const { rejected } = await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 't', mode, key: ['id'] }, schema, input, { errors: 'deadLetter' });
      expect(rejected.map((r) => [r.code, r.location])).toEqual([
        ['FE_PG_CONSTRAINT', 'write 1, row 41 (input row 41)'],
        ['FE_PG_CONSTRAINT', 'write 2, row 31 (input row 91)'],
        ['FE_PG_CONSTRAINT', 'write 2, row 32 (input row 92)'],
      ]);
      expect(rejected[1]?.reason).toContain('column "name"');
      expect(rejected[0]?.record).toEqual({ id: '40', name: 'neg', score: '-1' });
      expect(await count()).toBe(97);
    }
  });

  it('refuses an input field with no column, a type that does not fit, a missing table, upsert without a unique key', async () => {
    const base = { url: PG_URL, schema: db.name, table: 't' };
    const open = (config: object, input: Schema) => postgresSink.open(pluginContext(postgresSink, config).ctx, input);
    const extra = Schema.of([{ name: 'id', type: 'int32' }, { name: 'Name', type: 'string' }]);
    await expect(open(base, extra)).rejects.toMatchObject({ code: 'FE_PG_MISSING_COLUMN', message: expect.stringContaining('"Name"') });
    const wrong = Schema.of([{ name: 'id', type: 'int32' }, { name: 'score', type: 'bool' }]);
    await expect(open(base, wrong)).rejects.toMatchObject({ code: 'FE_PG_TYPE_MISMATCH', message: expect.stringMatching(/column "score".*bool.*double precision/) });
    await expect(open({ ...base, table: 'nope' }, schema)).rejects.toMatchObject({ code: 'FE_PG_TABLE_NOT_FOUND' });
    await expect(open({ ...base, mode: 'upsert' }, schema)).rejects.toMatchObject({ code: 'FE_PG_CONFIG', message: expect.stringContaining('"key"') });
    await expect(open({ ...base, mode: 'upsert', key: ['name'] }, schema)).rejects.toMatchObject({ code: 'FE_PG_CONFIG', message: expect.stringContaining('unique index') });
    await expect(open({ ...base, mode: 'upsert', key: ['nope'] }, schema)).rejects.toMatchObject({ code: 'FE_PG_MISSING_COLUMN' });
    await expect(open({ ...base, url: 'postgres://postgres@127.0.0.1:1/test', retry: { maxRetries: 1, backoffMs: 1 } }, schema))
      .rejects.toMatchObject({ code: 'FE_PG_CONNECT', message: expect.stringContaining('2 attempt(s)') });
  });

  it('a statement the server rejects for no row\'s fault is FE_PG_QUERY_FAILED', async () => {
    const { ctx } = pluginContext(postgresSink, { url: PG_URL, schema: db.name, table: 't' });
    const sink = await postgresSink.open(ctx, schema);
    await db.admin.query(`ALTER TABLE ${db.name}.t DROP COLUMN score`);
    await sink.write(chunkFromRows(schema, rows(0, 5)));
    await expect(sink.flush()).rejects.toMatchObject({ code: 'FE_PG_QUERY_FAILED', message: expect.stringContaining('score') });
    await sink.close?.();
  });
});
