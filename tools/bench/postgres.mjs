#!/usr/bin/env node
// Postgres bench, both directions, each beside psql doing the same job on the same data in the same run:
//   sink:   a 1M-row CSV file → csv-source → postgres-sink (append)   vs  psql -c "\copy t from 'file' csv header"
//           (and the same rows as chunks parsed before the clock starts, to time the sink alone)
//   source: a 1M-row table → postgres-source → null sink (counts rows)  vs  psql -c "\copy (select …) to /dev/null"
//   node tools/bench/postgres.mjs [rows=1000000]     (build first: npx tsc -b plugins/postgres plugins/csv)
// Server: FLOWENGINE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test); tables live in the
// schema `fe_bench`, dropped at the end. Each case runs in its own child process (own RSS and CPU time).
// The plugins are driven inline on one thread, as the engine's `inline` mode does (no worker, no channels);
// the sink flushes (commits) every second like the executor's default flushIntervalMs, and at the end.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, runCase as runChild } from './_lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const dataDir = join(root, '.bench/postgres');
const url = process.env.FLOWENGINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'fe_bench';
// Autovacuum off on the bench tables: a 1M-row load triggers an insert vacuum that would otherwise
// run during the next case and take server CPU from it on a 2-core machine.
const COLUMNS = '(id int4, name text, amount float8, flag bool, qty int8) WITH (autovacuum_enabled = false)';

if (process.argv[2] === '--case') {
  const [, , , name, input] = process.argv;
  // sink-direct: the chunks are parsed from the CSV before the clock (and the CPU count) starts, so only the sink is timed.
  const prebuilt = name === 'sink-direct' ? await readChunks(input) : undefined;
  // Module loading is not the plugin's speed: load everything before the clock starts.
  await Promise.all([import(join(root, 'plugins/csv/dist/index.js')), import(join(root, 'plugins/postgres/dist/index.js')), import('@flowengine/sdk')]);
  const cpuBefore = cpuSecondsNow();
  const started = performance.now();
  const rows = await (name === 'source' ? sourceCase() : sinkCase(input, prebuilt));
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ name, rows, seconds, cpuSeconds: cpuSecondsNow() - cpuBefore, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
  process.exit(0);
}

const rows = Number(process.argv[2] ?? 1_000_000);
const input = join(dataDir, `rows-${rows}.csv`);
if (!existsSync(input)) {
  mkdirSync(dataDir, { recursive: true });
  console.log(`generating ${rows} rows into ${input} ...`);
  await generateCsv(input, rows);
}
const megabytes = statSync(input).size / 1e6;
console.log(`input: ${input} (${rows} rows, ${megabytes.toFixed(1)} MB); server ${new URL(url).host}`);

psql(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA};
  CREATE TABLE ${SCHEMA}.sink_fe ${COLUMNS}; CREATE TABLE ${SCHEMA}.sink_direct ${COLUMNS}; CREATE TABLE ${SCHEMA}.sink_psql ${COLUMNS};`);
const results = [];
try {
  results.push(runCase('sink: psql \\copy from csv', input, () => psql(`\\copy ${SCHEMA}.sink_psql from '${input}' csv header`)));
  results.push(runCase('sink: csv-source → postgres-sink', input));
  results.push(runCase('sink: prebuilt chunks → postgres-sink (sink alone)', input));
  const counts = psql(`SELECT (SELECT count(*) FROM ${SCHEMA}.sink_fe) || ' ' || (SELECT count(*) FROM ${SCHEMA}.sink_direct) || ' ' || (SELECT count(*) FROM ${SCHEMA}.sink_psql)`, ['-tA']).trim();
  if (counts !== `${rows} ${rows} ${rows}`) throw new Error(`sink row counts differ from the input: flowengine/psql = ${counts}`);
  // The source reads a table with a timestamp too, so its parse path is measured.
  psql(`CREATE TABLE ${SCHEMA}.src AS SELECT *, timestamptz '2024-01-01' + id * interval '1 second' AS at FROM ${SCHEMA}.sink_psql`);
  psql(`ALTER TABLE ${SCHEMA}.src SET (autovacuum_enabled = false)`);
  psql(`VACUUM ANALYZE ${SCHEMA}.src`);
  results.push(runCase('source: psql \\copy to /dev/null', input, () => psql(`\\copy (SELECT * FROM ${SCHEMA}.src) to /dev/null`)));
  results.push(runCase('source: postgres-source → null sink', input));
} finally {
  psql(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
}

console.log('');
printTable(results.map((r) => ({
  case: r.name,
  rows: r.rows,
  'wall s': r.seconds.toFixed(2),
  'rows/s': Math.round(r.rows / r.seconds).toLocaleString('en'),
  'MB/s (csv size)': (megabytes / r.seconds).toFixed(1),
  'client CPU s': Number.isNaN(r.cpuSeconds) ? '—' : r.cpuSeconds.toFixed(2),
  'peak RSS MB': Number.isNaN(r.maxRssKb) ? '—' : (r.maxRssKb / 1024).toFixed(0),
})));
const ratio = (ours, base) => (base.seconds / ours.seconds).toFixed(2);
console.log(`\nratio to psql (rows/s, goal >= 0.8): sink ${ratio(results[1], results[0])}x (sink alone ${ratio(results[2], results[0])}x), source ${ratio(results[4], results[3])}x`);
console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores (the server shares them; figures on a busy machine are noisy)`);

function cpuSecondsNow() {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1e6;
}

function runCase(name, file, baseline) {
  psql('CHECKPOINT'); // each case starts with no dirty pages left by the one before
  if (baseline !== undefined) {
    // psql runs as a child process: Node reports no CPU or RSS for it, so only its wall time is shown.
    const started = performance.now();
    baseline();
    return { name, rows, seconds: (performance.now() - started) / 1000, cpuSeconds: Number.NaN, maxRssKb: Number.NaN };
  }
  const key = name.includes('prebuilt') ? 'sink-direct' : name.startsWith('sink') ? 'sink' : 'source';
  return { ...runChild(fileURLToPath(import.meta.url), ['--case', key, file]), name };
}

function psql(command, extra = []) {
  const result = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', ...extra, '-c', command], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result.stdout;
}

async function generateCsv(file, count) {
  const out = createWriteStream(file);
  out.write('id,name,amount,flag,qty\n');
  let buffer = '';
  for (let i = 1; i <= count; i++) {
    buffer += `${i},customer ${i % 9973} ünï,${((i * 7919) % 100000) / 100},${i % 3 === 0},${i * 1000003}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((r) => out.once('drain', r));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise((r) => out.once('finish', r));
}

function context(config, declaredSchema) {
  return {
    instanceName: 'bench', config, declaredSchema, logger: { debug() {}, info() {}, warn() {}, error() {} }, meter: undefined,
    signal: new AbortController().signal, spillDir: dataDir, reject(row) { throw new Error(row.reason); },
  };
}

async function openCsv(file) {
  const { csvSource } = await import(join(root, 'plugins/csv/dist/index.js'));
  const { Schema } = await import('@flowengine/sdk');
  const declared = Schema.of([
    { name: 'id', type: 'int32' }, { name: 'name', type: 'string' }, { name: 'amount', type: 'float64' }, { name: 'flag', type: 'bool' }, { name: 'qty', type: 'int64' },
  ]);
  return csvSource.open(context({ path: file, chunkSize: 10_000 }, declared));
}

async function readChunks(file) {
  const source = await openCsv(file);
  const chunks = [];
  for await (const { chunk } of source.read()) chunks.push(chunk);
  await source.close?.();
  return { schema: source.schema, async *read() { for (const chunk of chunks) yield { chunk }; } };
}

async function sinkCase(file, prebuilt) {
  const { postgresSink } = await import(join(root, 'plugins/postgres/dist/index.js'));
  const source = prebuilt ?? await openCsv(file);
  const sink = await postgresSink.open(context({ url, schema: SCHEMA, table: prebuilt === undefined ? 'sink_fe' : 'sink_direct', mode: 'append' }), source.schema);
  let count = 0;
  let lastFlush = performance.now();
  for await (const { chunk } of source.read()) {
    count += chunk.length;
    await sink.write(chunk);
    if (performance.now() - lastFlush >= 1000) {
      await sink.flush();
      lastFlush = performance.now();
    }
  }
  await sink.flush();
  await sink.close();
  await source.close?.();
  return count;
}

async function sourceCase() {
  const { postgresSource } = await import(join(root, 'plugins/postgres/dist/index.js'));
  const source = await postgresSource.open(context({ url, schema: SCHEMA, table: 'src', chunkSize: 10_000 }));
  let count = 0;
  for await (const { chunk } of source.read()) count += chunk.length; // the null sink
  await source.close();
  return count;
}
