import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { Schema } from '@flowengine/sdk';
import { readSource } from '@flowengine/sdk/testing';
import { csvSource } from '../src/index.js';
import { tempDir } from './context.js';

const dir = tempDir();
let n = 0;
function file(content: string | Uint8Array, name = `f${n++}.csv`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const ORDERS = Schema.of([
  { name: 'id', type: 'int32' }, { name: 'ts', type: 'int64' }, { name: 'amount', type: 'float64' },
  { name: 'paid', type: 'bool' }, { name: 'note', type: 'string' },
]);

describe('csv-source', () => {
  it('reads exactly what csv-parse reads, strings as UTF-8 bytes', async () => {
    const cell = fc.string({ unit: fc.oneof(fc.constantFrom(',', '"', '\n', '\r\n', 'é', '😀', ' '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 8 });
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 4 }).chain((w) => fc.array(fc.array(cell, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 20 })), async (rows) => {
      const width = (rows[0] as string[]).length;
      const names = Array.from({ length: width }, (_, i) => `c${i}`);
      const text = stringify([names, ...rows], { quoted_match: /[\r\n]|^$/ });
      const expected = (parse(text, { relax_column_count: true }) as string[][]).slice(1);
      const schema = Schema.of(names.map((name) => ({ name, type: 'string' as const })));
      const result = await readSource(csvSource, { path: file(text), chunkSize: 7 }, { declaredSchema: schema });
      // A blank line is an empty value only in a one-column file (csv-parse reads it as [""] always).
      expect(result.rows).toEqual(expected.filter((r) => width === 1 || r.length > 1 || r[0] !== ''));
    }), { numRuns: 60 });
  });

  it('parses typed columns straight from bytes and maps them by header name', async () => {
    const path = file('note,paid,amount,ts,id,extra\n"a, ""b""",true,12.5,1700000000000,1,x\n,FALSE,-0,-9007199254740993,-2147483648,y\n');
    const { rows, schema } = await readSource(csvSource, { path }, { declaredSchema: ORDERS });
    expect(schema).toBe(ORDERS);
    expect(rows).toEqual([[1, 1700000000000, 12.5, true, 'a, "b"'], [-2147483648, -9007199254740993n, -0, false, null]]);
  });

  it('infers a schema from a sample and says so in the log', async () => {
    const path = file('id,big,price,flag,name,empty\n1,5000000000,1.5,true,x,\n2,7,2,false,,\n');
    const { schema, rows, logs } = await readSource(csvSource, { path });
    expect(schema.toString()).toBe('id: int32?, big: int64?, price: float64?, flag: bool?, name: string?, empty: string?');
    expect(rows).toEqual([[1, 5000000000, 1.5, true, 'x', null], [2, 7, 2, false, null, null]]);
    expect(logs.map((line) => line.message).join('\n')).toContain('inferred schema from 2 row(s)');
  });

  it('reads files without a header, with given names, other dialects and a nullValue', async () => {
    const schema = Schema.of([{ name: 'a', type: 'int32' }, { name: 'b', type: 'string' }]);
    const noHeader = await readSource(csvSource, { path: file('1;NULL\n2;\'x;y\'\n'), header: false, delimiter: ';', quote: "'", nullValue: 'NULL' }, { declaredSchema: schema });
    expect(noHeader.rows).toEqual([[1, null], [2, 'x;y']]);
    const named = await readSource(csvSource, { path: file('x,1\ny,2\n'), header: ['b', 'a'] }, { declaredSchema: schema });
    expect(named.rows).toEqual([[1, 'x'], [2, 'y']]);
    const escaped = await readSource(csvSource, { path: file('a,b\n1,"q\\"q"\n'), escape: '\\' }, { declaredSchema: schema });
    expect(escaped.rows).toEqual([[1, 'q"q']]);
  });

  it('reads a glob of files in order, gzip included, and tags chunks with file and byte offset', async () => {
    const sub = tempDir();
    writeFileSync(join(sub, 'b.csv.gz'), gzipSync('id\n3\n4\n'));
    writeFileSync(join(sub, 'a.csv'), 'id\n1\n2');
    writeFileSync(join(sub, '.hidden.csv'), 'id\n9\n');
    const { rows, positions } = await readSource(csvSource, { path: join(sub, '*.csv{,.gz}'), chunkSize: 1 }, { declaredSchema: Schema.of([{ name: 'id', type: 'int32' }]) });
    expect(rows).toEqual([[1], [2], [3], [4]]);
    expect(positions).toEqual([
      { file: join(sub, 'a.csv'), byteOffset: 5 }, { file: join(sub, 'a.csv'), byteOffset: 6 },
      { file: join(sub, 'b.csv.gz'), byteOffset: 5 }, { file: join(sub, 'b.csv.gz'), byteOffset: 7 },
    ]);
  });

  // A plain file is read into one buffer the source reuses for every read and every file of a glob
  // (files.ts): anything that kept a view of it past the next read would read overwritten bytes.
  it('reads plain files longer than its read buffer, rows and quoted multi-line fields across every read, two files in a glob', async () => {
    const sub = tempDir();
    const expected: string[][] = [];
    for (const name of ['a', 'b']) {
      const rows = Array.from({ length: 100_000 }, (_, i) => [`${name}${i}`, i % 7 === 0 ? `line ${i}\nnext, "quoted" ü` : `v${i}`.repeat(1 + (i % 5))]);
      writeFileSync(join(sub, `${name}.csv`), stringify([['k', 'v'], ...rows]));
      expected.push(...rows);
    }
    const schema = Schema.of([{ name: 'k', type: 'string' }, { name: 'v', type: 'string' }]);
    const { rows } = await readSource(csvSource, { path: join(sub, '*.csv'), chunkSize: 4096 }, { declaredSchema: schema });
    expect(rows).toEqual(expected);
    const bytes = ['a', 'b'].map((name) => readFileSync(join(sub, `${name}.csv`)).length);
    // Each file takes three reads or more: only a full second read overwrites where the first one's cut row lay.
    expect(Math.min(...bytes)).toBeGreaterThan(2 << 20);
  });

  it('reads an empty file as zero rows when a schema is declared, and refuses to infer from it', async () => {
    const empty = file('');
    const declared = await readSource(csvSource, { path: empty }, { declaredSchema: ORDERS });
    expect(declared.rows).toEqual([]);
    await expect(readSource(csvSource, { path: empty })).rejects.toMatchObject({ code: 'FE_CSV_HEADER', message: expect.stringContaining('empty file') });
  });

  it('fails with FE_CSV_NO_FILES, FE_CSV_HEADER and FE_CSV_CONFIG before reading', async () => {
    await expect(readSource(csvSource, { path: join(dir, 'nope-*.csv') })).rejects.toMatchObject({ code: 'FE_CSV_NO_FILES' });
    await expect(readSource(csvSource, { path: file('id,x\n1,2\n') }, { declaredSchema: ORDERS })).rejects.toMatchObject({ code: 'FE_CSV_HEADER', message: expect.stringContaining('expected a column "ts"') });
    await expect(readSource(csvSource, { path: file('a\n'), delimiter: '::' })).rejects.toMatchObject({ code: 'FE_CSV_CONFIG' });
    const sub = tempDir();
    writeFileSync(join(sub, 'a.csv'), 'id\n1\n');
    writeFileSync(join(sub, 'b.csv'), 'ident\n2\n');
    await expect(readSource(csvSource, { path: join(sub, '*.csv') })).rejects.toMatchObject({ code: 'FE_CSV_HEADER', message: expect.stringContaining('b.csv:1:1') });
  });

  it('fails with FE_CSV_READ_FAILED naming the file when it cannot be read or decompressed', async () => {
    const corrupt = file(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]), 'corrupt.csv.gz');
    await expect(readSource(csvSource, { path: corrupt, header: ['id'] })).rejects.toMatchObject({
      code: 'FE_CSV_READ_FAILED', message: expect.stringContaining(`${corrupt}: could not read or decompress`),
    });
    // A file that opens but whose first read fails (EIO): what a failing disk looks like. Permissions
    // cannot make one here, tests may run as root.
    await expect(readSource(csvSource, { path: '/proc/self/mem', header: ['id'] })).rejects.toMatchObject({
      code: 'FE_CSV_READ_FAILED', message: expect.stringContaining('/proc/self/mem: could not read: EIO'),
    });
  });
});

describe('csv-source row errors', () => {
  const schema = Schema.of([{ name: 'id', type: 'int32' }, { name: 'name', type: 'string', nullable: false }, { name: 'n', type: 'int64' }]);
  const bad = Uint8Array.from([
    ...new TextEncoder().encode('id,name,n\n1,ok,1\n12a,x,2\n2147483648,x,3\n4,"multi\nline"x,4\n5,x\n6,,6\n7,é,99999999999999999999\n8,'),
    0xc3, 0x28,
    ...new TextEncoder().encode(',8\n9,"a,b",9\n10,"unclosed\n11,x,11\n'),
  ]);

  it('reports each with its code and exact file:line:col, and delivered + rejected = rows in the file', async () => {
    const path = file(bad);
    const { rows, rejected, logs } = await readSource(csvSource, { path }, { declaredSchema: schema, errors: 'deadLetter' });
    expect(rows).toEqual([[1, 'ok', 1], [9, 'a,b', 9]]);
    expect(rejected.map((r) => [r.code, r.location])).toEqual([
      ['FE_CSV_INVALID_VALUE', `${path}:3:1`],
      ['FE_CSV_OUT_OF_RANGE', `${path}:4:1`],
      ['FE_CSV_INVALID_QUOTE', `${path}:6:6`],
      ['FE_CSV_FIELD_COUNT', `${path}:7:1`],
      ['FE_CSV_INVALID_VALUE', `${path}:8:3`],
      ['FE_CSV_OUT_OF_RANGE', `${path}:9:5`],
      ['FE_CSV_INVALID_UTF8', `${path}:10:3`],
      ['FE_CSV_UNCLOSED_QUOTE', `${path}:12:4`],
    ]);
    expect(rejected[0]?.record).toBe('12a,x,2');
    expect(rejected[0]?.reason).toContain('column "id" (field 1): expected an int32, found "12a"');
    expect(rejected[2]?.record).toBe('4,"multi\nline"x,4');
    expect(rejected[4]?.reason).toContain('nullable: false');
    expect(rejected[6]?.record).toEqual(Uint8Array.from([0x38, 0x2c, 0xc3, 0x28, 0x2c, 0x38]));
    expect(rejected[7]?.record).toBe('10,"unclosed\n11,x,11\n');
    expect(rows.length + rejected.length).toBe(10);
    expect(logs.map((line) => line.message).join('\n')).toContain('2 delivered, 8 rejected');
  });

  it('rejects a field over maxFieldBytes and stops on a row that never ends', async () => {
    const big = await readSource(csvSource, { path: file('id,name,n\n1,abcdef,1\n2,abc,2\n'), maxFieldBytes: 4 }, { declaredSchema: schema, errors: 'skip' });
    expect(big.rejected.map((r) => [r.code, r.location?.split(':').slice(-2).join(':')])).toEqual([['FE_CSV_FIELD_TOO_LARGE', '2:3']]);
    expect(big.rows).toEqual([[2, 'abc', 2]]);
    const runaway = file(`id,name,n\n1,"${'x'.repeat(3_000_000)}`);
    await expect(readSource(csvSource, { path: runaway, maxFieldBytes: 100_000 }, { declaredSchema: schema, errors: 'skip' }))
      .rejects.toMatchObject({ code: 'FE_CSV_ROW_TOO_LARGE', message: expect.stringContaining(':2: ') });
  });
});

describe('csv-source resume', () => {
  it('after a restart, delivers only the rows after the acknowledged position, with exact lines', async () => {
    const sub = tempDir();
    writeFileSync(join(sub, 'a.csv'), 'id\n1\n2\n');
    writeFileSync(join(sub, 'b.csv'), 'id\n3\n4\nx\n5\n');
    const path = join(sub, '*.csv');
    const schema = Schema.of([{ name: 'id', type: 'int32' }]);
    const first = await readSource(csvSource, { path, chunkSize: 1 }, { declaredSchema: schema, errors: 'skip' });
    const acked = first.positions[3]; // after row "4"
    expect(acked).toEqual({ file: join(sub, 'b.csv'), byteOffset: 7 });
    const resumed = await readSource(csvSource, { path }, { declaredSchema: schema, errors: 'skip', resumeFrom: acked });
    expect(resumed.rows).toEqual([[5]]);
    expect(resumed.rejected.map((r) => r.location)).toEqual([`${join(sub, 'b.csv')}:4:1`]);
  });
});
