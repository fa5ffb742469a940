import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { Schema, chunkFromRows, type FieldType } from '@flowengine/sdk';
import { pluginContext, readSource, writeSink } from '@flowengine/sdk/testing';
import { csvSink, csvSource } from '../src/index.js';
import { tempDir } from './context.js';

const ALL_TYPES = Schema.of([
  { name: 'i32', type: 'int32' }, { name: 'i64', type: 'int64' }, { name: 'f64', type: 'float64' },
  { name: 'flag', type: 'bool' }, { name: 'text', type: 'string' }, { name: 'at', type: 'timestamp', unit: 'us' },
]);
const text = fc.string({ unit: fc.oneof(fc.constantFrom(',', '"', '\n', '\r', 'é', '😀', '=', '-', ' '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 10 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => (v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? Number(v) : v));
const row = fc.tuple(
  fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), fc.option(int64), fc.option(fc.double()),
  fc.option(fc.boolean()), fc.option(text), fc.option(int64),
);

describe('csv-sink', () => {
  it('round-trips every type through csv-source bit for bit (nulls, -0, NaN, bigints, quotes, newlines)', async () => {
    const dir = tempDir();
    let k = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.array(row, { maxLength: 30 }), { minLength: 1, maxLength: 3 }), async (chunks) => {
      const path = join(dir, `rt${k++}.csv`);
      await writeSink(csvSink, { path }, ALL_TYPES, chunks.map((rows) => chunkFromRows(ALL_TYPES, rows)));
      const { rows } = await readSource(csvSource, { path }, { declaredSchema: ALL_TYPES });
      expect(rows).toEqual(chunks.flat());
    }), { numRuns: 100 });
  });

  it('writes what csv-parse reads back as the same text', async () => {
    const dir = tempDir();
    const strings = Schema.of([{ name: 'a,"b"', type: 'string' }, { name: 'c', type: 'string' }]);
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 30 }), async (rows) => {
      const path = join(dir, 'parsed.csv');
      await writeSink(csvSink, { path }, strings, [chunkFromRows(strings, rows)]);
      expect(parse(readFileSync(path), { relax_column_count: true })).toEqual([['a,"b"', 'c'], ...rows]);
    }), { numRuns: 100 });
  });

  it('creates a missing parent folder of path (regression: out/x.csv failed when out/ did not exist)', async () => {
    const schema = Schema.of([{ name: 'n', type: 'int32' }]);
    const path = join(tempDir(), 'new', 'deeper', 'rows.csv');
    await writeSink(csvSink, { path }, schema, [chunkFromRows(schema, [[1], [2]])]);
    expect(readFileSync(path, 'utf8')).toBe('n\n1\n2\n');
  });

  it('quotes only where needed, keeps "" apart from null, and writes -0 and big int64 exactly', async () => {
    const path = join(tempDir(), 'plain.csv');
    const schema = Schema.of([{ name: 's', type: 'string' }, { name: 'f', type: 'float64' }, { name: 'n', type: 'int64' }]);
    await writeSink(csvSink, { path }, schema, [chunkFromRows(schema, [['plain', -0, 2n ** 62n], ['', 0.1, null], [null, 1e21, -5], ['a b', NaN, 0]])]);
    expect(readFileSync(path, 'utf8')).toBe('s,f,n\nplain,-0,4611686018427387904\n"",0.1,\n,1e+21,-5\na b,NaN,0\n');
  });

  it('neutralises formulae only when escapeFormulae is on, and only in text columns', async () => {
    const dir = tempDir();
    const schema = Schema.of([{ name: 's', type: 'string' }, { name: 'n', type: 'int32' }]);
    const chunk = () => chunkFromRows(schema, [['=SUM(A1)', -1], ['+1', 2], ['@x', 3], ['\tt', 4], ['ok', 5]]);
    await writeSink(csvSink, { path: join(dir, 'off.csv') }, schema, [chunk()]);
    await writeSink(csvSink, { path: join(dir, 'on.csv'), escapeFormulae: true }, schema, [chunk()]);
    expect(readFileSync(join(dir, 'off.csv'), 'utf8')).toBe('s,n\n=SUM(A1),-1\n+1,2\n@x,3\n\tt,4\nok,5\n');
    expect(readFileSync(join(dir, 'on.csv'), 'utf8')).toBe('s,n\n"\'=SUM(A1)",-1\n"\'+1",2\n"\'@x",3\n"\'\tt",4\nok,5\n');
  });

  it('gzips by extension and rolls to numbered files, each with a header', async () => {
    const dir = tempDir();
    const schema = Schema.of([{ name: 'id', type: 'int32' }]);
    await writeSink(csvSink, { path: join(dir, 'out.csv.gz'), maxRowsPerFile: 2, delimiter: ';' }, schema,
      [chunkFromRows(schema, [[1], [2], [3]]), chunkFromRows(schema, [[4], [5]])]);
    expect(readdirSync(dir).sort()).toEqual(['out-00001.csv.gz', 'out-00002.csv.gz', 'out-00003.csv.gz']);
    expect(gunzipSync(readFileSync(join(dir, 'out-00002.csv.gz'))).toString()).toBe('id\n3\n4\n');
    const { rows } = await readSource(csvSource, { path: join(dir, 'out-*.csv.gz') }, { declaredSchema: schema });
    expect(rows).toEqual([[1], [2], [3], [4], [5]]);
  });

  it('leaves an existing file untouched when the run is aborted or fails, and replaces it on success', async () => {
    const dir = tempDir();
    const path = join(dir, 'keep.csv');
    writeFileSync(path, 'old\n');
    const schema = Schema.of([{ name: 'id', type: 'int32' }]);
    const abort = new AbortController();
    const { ctx } = pluginContext(csvSink, { path }, { signal: abort.signal });
    const aborted = await csvSink.open(ctx, schema);
    await aborted.write(chunkFromRows(schema, [[1]]));
    await aborted.flush();
    abort.abort();
    await aborted.close?.();
    const unflushed = await csvSink.open(pluginContext(csvSink, { path }).ctx, schema);
    await unflushed.write(chunkFromRows(schema, [[2]]));
    await unflushed.close?.();
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['keep.csv']);
    await writeSink(csvSink, { path }, schema, [chunkFromRows(schema, [[3]])]);
    expect(readFileSync(path, 'utf8')).toBe('id\n3\n');
  });

  it('fails fast with FE_CSV_SINK_LOCKED when another run writes the same path', async () => {
    const path = join(tempDir(), 'locked.csv');
    const schema = Schema.of([{ name: 'id', type: 'int32' }]);
    const first = await csvSink.open(pluginContext(csvSink, { path }).ctx, schema);
    await expect(csvSink.open(pluginContext(csvSink, { path }).ctx, schema))
      .rejects.toMatchObject({ code: 'FE_CSV_SINK_LOCKED', message: expect.stringContaining(`held by process ${process.pid}`) });
    await first.flush();
    await first.close?.();
    await writeSink(csvSink, { path }, schema, []);
    expect(readFileSync(path, 'utf8')).toBe('id\n');
  });

  for (const signal of ['SIGKILL', 'SIGINT'] as const) {
    it(`never leaves a partial file under the final name when its process gets ${signal} mid-write`, async () => {
      const dir = tempDir();
      const path = join(dir, 'out.csv');
      writeFileSync(path, 'previous\n');
      const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/endless-writer.mjs', import.meta.url)), path], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (data: Buffer) => { if (data.toString().includes('writing')) resolve(); });
        child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      });
      const exited = new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(readFileSync(path, 'utf8')).toBe('previous\n');
      expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toHaveLength(1);
      // The dead writer's lock is stale: the next run takes it over and succeeds.
      const schema = Schema.of([{ name: 'id', type: 'int32' as FieldType }]);
      await writeSink(csvSink, { path }, schema, [chunkFromRows(schema, [[1]])]);
      expect(readFileSync(path, 'utf8')).toBe('id\n1\n');
      expect(existsSync(`${path}.lock`)).toBe(false);
    });
  }
});
