#!/usr/bin/env node
// CSV bench: csv-source → filter (amount > 100, ≈50%) → select (3 columns + one computed) → csv-sink,
// beside csv-parse → csv-stringify doing the same job in one Node stream pipeline, same file, same run.
//   node tools/bench/csv.mjs [rows=5000000]        (build first: npx tsc -b plugins/csv)
// Each case runs in its own child process so its peak RSS is its own.
//
// The core runtime's filter/select transforms are not wired here: the FlowEngine case drives the
// plugin instances directly (inline, no worker) and does the filter and the computed column on
// columns in this file, the way a columnar transform would. See the printed note.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const dataDir = join(root, 'tools/bench/.data');

if (process.argv[2] === '--case') {
  const [, , , name, input, output] = process.argv;
  const started = performance.now();
  const { rowsIn, rowsOut } = name === 'flowengine' ? await runFlowEngine(input, output) : await runBaseline(input, output);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ name, rowsIn, rowsOut, seconds, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
  process.exit(0);
}

const rows = Number(process.argv[2] ?? 5_000_000);
const input = join(dataDir, `orders-${rows}.csv`);
if (!existsSync(input)) {
  mkdirSync(dataDir, { recursive: true });
  const { generateOrders } = await import('../demo/generate-orders.mjs');
  console.log(`generating ${rows} rows into ${input} ...`);
  generateOrders(input, rows);
}
const megabytes = statSync(input).size / 1e6;
console.log(`input: ${input} (${rows} rows, ${megabytes.toFixed(1)} MB)`);

const results = [];
for (const name of ['flowengine', 'csv-parse+csv-stringify']) {
  const output = join(dataDir, `out-${name}.csv`);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--case', name, input, output], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`${name} failed with ${child.status}`);
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1));
  results.push(result);
  if (existsSync(output)) unlinkSync(output);
}

const [ours, base] = results;
if (ours.rowsOut !== base.rowsOut) throw new Error(`row counts differ: flowengine ${ours.rowsOut}, baseline ${base.rowsOut}`);
console.log('\n| case | rows in | rows out | seconds | rows/s | MB/s | peak RSS MB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(`| ${r.name} | ${r.rowsIn} | ${r.rowsOut} | ${r.seconds.toFixed(2)} | ${Math.round(r.rowsIn / r.seconds).toLocaleString('en')} | ${(megabytes / r.seconds).toFixed(1)} | ${(r.maxRssKb / 1024).toFixed(0)} |`);
}
console.log(`\nratio flowengine / baseline: ${(base.seconds / ours.seconds).toFixed(1)}x (rows/s)`);
console.log('note: flowengine case = plugin instances driven inline (no worker, no core runtime), filter + computed column done on columns in this script.');

async function runFlowEngine(input, output) {
  const { csvSource, csvSink } = await import(join(root, 'plugins/csv/dist/index.js'));
  const { ChunkBuilder, Schema } = await import('@flowengine/sdk');
  const declared = Schema.of([
    { name: 'id', type: 'int32' }, { name: 'ts', type: 'int64' }, { name: 'customer', type: 'string' },
    { name: 'amount', type: 'float64' }, { name: 'note', type: 'string' }, { name: 'status', type: 'string' },
  ]);
  const outSchema = Schema.of([{ name: 'id', type: 'int32' }, { name: 'customer', type: 'string' }, { name: 'amount', type: 'float64' }, { name: 'amount_with_tax', type: 'float64' }]);
  const ctx = (config, declaredSchema) => ({
    instanceName: 'bench', config, declaredSchema, logger: { debug() {}, info() {}, warn() {}, error() {} }, meter: undefined,
    signal: new AbortController().signal, spillDir: dataDir, reject(row) { throw new Error(row.reason); },
  });
  const source = await csvSource.open(ctx({ path: input, chunkSize: 10_000 }, declared));
  const sink = await csvSink.open(ctx({ path: output }), outSchema);
  const builder = new ChunkBuilder(outSchema, { capacity: 10_000 });
  const [idOut, customerOut, amountOut, taxOut] = [0, 1, 2, 3].map((i) => builder.column(i));
  let rowsIn = 0;
  let rowsOut = 0;
  for await (const { chunk } of source.read()) {
    rowsIn += chunk.length;
    const ids = chunk.columns[0].values;
    const customers = chunk.columns[2];
    const amounts = chunk.columns[3].values;
    for (let r = 0; r < chunk.length; r++) {
      const amount = amounts[r];
      if (!(amount > 100)) continue;
      idOut.append(ids[r]);
      customerOut.appendBytes(customers.bytes, customers.offsets[r], customers.offsets[r + 1]);
      amountOut.append(amount);
      taxOut.append(Math.round(amount * 120) / 100);
    }
    rowsOut += builder.length;
    await sink.write(builder.finish());
  }
  await sink.flush();
  await sink.close();
  return { rowsIn, rowsOut };
}

async function runBaseline(input, output) {
  const { parse } = await import('csv-parse');
  const { stringify } = await import('csv-stringify');
  let rowsIn = 0;
  let rowsOut = 0;
  const filterSelect = new Transform({
    objectMode: true,
    transform(record, _encoding, callback) {
      rowsIn++;
      const amount = Number(record[3]);
      if (amount > 100) {
        rowsOut++;
        callback(null, [Number(record[0]), record[2], amount, Math.round(amount * 120) / 100]);
      } else callback();
    },
  });
  await pipeline(
    createReadStream(input, { highWaterMark: 1 << 20 }),
    parse({ from_line: 2 }),
    filterSelect,
    stringify({ header: true, columns: ['id', 'customer', 'amount', 'amount_with_tax'] }),
    createWriteStream(output),
  );
  return { rowsIn, rowsOut };
}
