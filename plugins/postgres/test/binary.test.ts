import { chunkFromRows, Schema, type FieldInput } from '@flowengine/sdk';
import { writeSink } from '@flowengine/sdk/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresSink } from '../src/index.js';
import { PG_URL, probeServer, testSchema } from './pg.js';

const server = await probeServer();

/** The field, and the column it is written to: every pair the sink sends in binary. */
const PAIRS: readonly [FieldInput, string][] = [
  [{ name: 'id', type: 'int32', nullable: false }, 'int4 PRIMARY KEY'],
  [{ name: 'i8', type: 'int32' }, 'int8'], // widened: 8 bytes on the wire
  [{ name: 'f4', type: 'int32' }, 'float4'],
  [{ name: 'f8', type: 'int32' }, 'float8'],
  [{ name: 'big', type: 'int64' }, 'int8'],
  [{ name: 'bigf', type: 'int64' }, 'float8'],
  [{ name: 'dbl', type: 'float64' }, 'float8'],
  [{ name: 'flag', type: 'bool' }, 'bool'],
  [{ name: 'name', type: 'string' }, 'text'],
  [{ name: 'code', type: 'string' }, 'varchar(20)'],
  [{ name: 'fixed', type: 'string' }, 'char(6)'],
  [{ name: 'at', type: 'timestamp', unit: 'us' }, 'timestamp'],
  [{ name: 'atz', type: 'timestamp', unit: 'ms' }, 'timestamptz'],
  [{ name: 'wide', type: 'timestamp', unit: 'ns' }, 'timestamptz(3)'],
  [{ name: 'day', type: 'timestamp', unit: 's' }, 'date'],
];
const schema = Schema.of(PAIRS.map(([field]) => field));
const MIN32 = -(2 ** 31);
const MAX32 = 2 ** 31 - 1;
const MIN64 = -(2n ** 63n);
const MAX64 = 2n ** 63n - 1n;

// Nulls in every nullable column, unicode beyond the BMP, bytes COPY text escapes, extremes of each type,
// BC timestamps, timestamps past 2^53 µs and ns, rounding into float4 and into a timestamp(3).
const ROWS: unknown[][] = [
  [1, MAX32, MAX32, MAX32, MAX64, MAX64, 1e308, true, 'plain', 'v', 'ab', 0, 0, 0, 0],
  [2, MIN32, MIN32, MIN32, MIN64, MIN64, 5e-324, false, 'tab\there\nnew line\\ back\rslash', 'ünï', 'x', -1, -1, -1, -1],
  [3, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
  [4, 0, 16777217, -7, 9007199254740993n, 9007199254740993n, -0, true, '日本語 🎉 \'quoted\' "dq"', '', '', 1, 1, 1, 1],
  [5, -1, 123456789, 0, -1n, -1n, Number.NaN, false, '', 'x'.repeat(20), 'abcdef', BigInt(Date.UTC(-43, 2, 15, 12)) * 1000n + 1n,
    Date.UTC(-4712, 0, 1), MAX64, Date.UTC(-4712, 0, 1) / 1000],
  [6, 1, 1, 1, 1n, 1n, Infinity, true, 'x'.repeat(100), 'z', 'z', 9_223_372_036_854_775_807n, Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    MIN64, Date.UTC(2024, 1, 29, 23, 59, 59) / 1000],
  [7, 2, 2, 2, 2n, 2n, -Infinity, null, 'null', 'z', 'z', 1_000_000_000_123_456_789n, -1, 1_700_000_000_123_456, -86401],
  [8, 3, 3, 3, 3n, 3n, 0.1, true, '\\N', '\\', '\\', -1, 0, 1, 0],
];

describe.skipIf(!server.ok)('postgres-sink binary COPY', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeEach(async () => { db = await testSchema(); });
  afterEach(async () => { await db.drop(); });

  const formatLog = (logs: readonly { message: string; fields?: Record<string, unknown> | undefined }[]) =>
    logs.find((l) => l.message === 'postgres-sink COPY format')?.fields;
  /** md5 of the given columns of every row, in id order. */
  const hash = async (table: string, columns: readonly string[]) => (await db.admin.query<{ h: string }>(
    `SELECT md5(string_agg(ROW(${columns.join(', ')})::text, ',' ORDER BY id)) AS h FROM ${db.name}.${table}`)).rows[0]?.h;

  it('loads every supported pair exactly as COPY text does (a table loaded both ways hashes the same)', async () => {
    const columns = PAIRS.map(([field, type]) => `${field.name} ${type}`).join(', ');
    await db.admin.query(`CREATE TABLE ${db.name}.bin (${columns})`);
    // One numeric column among them sends the whole table through COPY text.
    await db.admin.query(`CREATE TABLE ${db.name}.txt (${columns}, extra numeric)`);
    const chunks = [chunkFromRows(schema, ROWS.slice(0, 3)), chunkFromRows(schema, ROWS.slice(3))];
    const bin = await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 'bin' }, schema, chunks);
    expect(formatLog(bin.logs)).toMatchObject({ format: 'binary' });

    const withExtra = Schema.of([...PAIRS.map(([field]) => field), { name: 'extra', type: 'string' }]);
    const txt = await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 'txt' }, withExtra,
      [chunkFromRows(withExtra, ROWS.map((row) => [...row, null]))]);
    expect(formatLog(txt.logs)).toMatchObject({ format: 'text', reason: expect.stringContaining('"extra" (numeric)') });

    const names = PAIRS.map(([field]) => field.name);
    expect(await hash('bin', names)).toBe(await hash('txt', names));
    // Spot checks that the hash covers what matters: the values did arrive, -0 and NaN kept, rounding applied.
    const spot = await db.admin.query(`SELECT id, i8::text, f4::text, big::text, bigf::text, dbl::text, at::text, wide::text, day::text FROM ${db.name}.bin WHERE id IN (1, 4, 5) ORDER BY id`);
    expect(spot.rows).toEqual([
      { id: 1, i8: '2147483647', f4: '2.1474836e+09', big: '9223372036854775807', bigf: '9.223372036854776e+18', dbl: '1e+308', at: '1970-01-01 00:00:00', wide: '1970-01-01 00:00:00+00', day: '1970-01-01' },
      { id: 4, i8: '0', f4: '1.6777216e+07', big: '9007199254740993', bigf: '9.007199254740992e+15', dbl: '-0', at: '1970-01-01 00:00:00.000001', wide: '1970-01-01 00:00:00+00', day: '1970-01-01' },
      { id: 5, i8: '-1', f4: '1.2345679e+08', big: '-1', bigf: '-1', dbl: 'NaN', at: '0044-03-15 12:00:00.000001 BC', wide: '2262-04-11 23:47:16.855+00', day: '4713-01-01 BC' },
    ]);
  });

  it('uses COPY text for a table with a jsonb column, and for float64 into float4 (rounded by the server, as before)', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.docs (id int4, doc jsonb, ratio float4)`);
    const docs = Schema.of([{ name: 'id', type: 'int32' }, { name: 'doc', type: 'string' }]);
    const json = await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 'docs' }, docs, [chunkFromRows(docs, [[1, '{"a": [1, 2]}']])]);
    expect(formatLog(json.logs)).toMatchObject({ format: 'text', reason: expect.stringContaining('"doc" (jsonb)') });
    const ratios = Schema.of([{ name: 'id', type: 'int32' }, { name: 'ratio', type: 'float64' }]);
    const narrow = await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 'docs' }, ratios, [chunkFromRows(ratios, [[2, 0.1], [3, 1 + 2 ** -24]])]);
    expect(formatLog(narrow.logs)).toMatchObject({ format: 'text', reason: expect.stringContaining('"ratio" (real)') });
    // Only the id and ratio columns decide: a table's unwritten columns do not force text.
    const ids = Schema.of([{ name: 'id', type: 'int32' }]);
    const idsOnly = await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 'docs' }, ids, [chunkFromRows(ids, [[4]])]);
    expect(formatLog(idsOnly.logs)).toMatchObject({ format: 'binary' });
    const rows = await db.admin.query(`SELECT id, doc->'a' AS a, ratio::text FROM ${db.name}.docs ORDER BY id`);
    // 1 + 2^-24 is a float4 tie; float4in rounds its shortest decimal text up, where a cast to float4 would round to even.
    expect(rows.rows).toEqual([{ id: 1, a: [1, 2], ratio: null }, { id: 2, a: null, ratio: '0.1' }, { id: 3, a: null, ratio: '1.0000001' }, { id: 4, a: null, ratio: null }]);
  });

  it('errors: deadLetter isolates bad rows of a binary batch and keeps each one readable, as COPY text values', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.dl (id int4 PRIMARY KEY, code varchar(3) NOT NULL, at timestamptz)`);
    const dl = Schema.of([{ name: 'id', type: 'int32' }, { name: 'code', type: 'string' }, { name: 'at', type: 'timestamp', unit: 's' }]);
    const good = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => [from + i, 'ok', 0]);
    const input = [
      chunkFromRows(dl, [...good(0, 10), [10, 'a\tbc', 86400], ...good(11, 20)]),
      chunkFromRows(dl, [...good(20, 25), [25, 'ok', 2n ** 62n], [26, null, 0], [5, 'dup', 0], ...good(28, 30)]),
    ];
    const { rejected, logs } = await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 'dl' }, dl, input, { errors: 'deadLetter' });
    expect(formatLog(logs)).toMatchObject({ format: 'binary' });
    expect(rejected.map((r) => [r.code, r.location])).toEqual([
      ['FE_PG_VALUE_INVALID', 'write 1, row 11 (input row 11)'],
      ['FE_PG_VALUE_INVALID', 'write 2, row 6 (input row 26)'],
      ['FE_PG_CONSTRAINT', 'write 2, row 7 (input row 27)'],
      ['FE_PG_CONSTRAINT', 'write 2, row 8 (input row 28)'],
    ]);
    expect(rejected[0]?.record).toEqual({ id: '10', code: 'a\tbc', at: '1970-01-02 00:00:00+00' });
    expect(rejected[0]?.reason).toMatch(new RegExp(`table "${db.name}.dl", column "code", write 1, row 11 \\(input row 11\\): value too long`));
    expect(rejected[1]?.reason).toMatch(/column "at", write 2, row 6 \(input row 26\): timestamp out of range/);
    expect(rejected[2]?.record).toEqual({ id: '26', code: null, at: '1970-01-01 00:00:00+00' });
    expect(rejected[2]?.reason).toContain('column "code"');
    expect(rejected[3]?.reason).toContain('constraint "dl_pkey"');
    expect((await db.admin.query(`SELECT count(*)::int AS n FROM ${db.name}.dl`)).rows[0]?.n).toBe(26);
  });

  it('errors: fail on a bad value in a binary batch names table, column and row, and commits nothing', async () => {
    await db.admin.query(`CREATE TABLE ${db.name}.ts (id int4, at timestamptz)`);
    const ts = Schema.of([{ name: 'id', type: 'int32' }, { name: 'at', type: 'timestamp', unit: 'ms' }]);
    // Within int64 µs since 2000, past Postgres' last timestamp (294277-01-01): the server's range check refuses it.
    const error = await writeSink(postgresSink, { url: PG_URL, schema: db.name, table: 'ts' }, ts,
      [chunkFromRows(ts, [[1, 0], [2, 9_224_318_184_800_000n]])]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FE_PG_VALUE_INVALID', message: expect.stringMatching(/table ".*\.ts", column "at", write 1, row 2 \(input row 2\): timestamp out of range/) });
    expect((await db.admin.query(`SELECT count(*)::int AS n FROM ${db.name}.ts`)).rows[0]?.n).toBe(0);
  });
});
