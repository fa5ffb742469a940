#!/usr/bin/env node
// Postgres bench, both directions, each beside psql doing the same job on the same data in the same run:
//   sink:   a 1M-row CSV file → csv-source → postgres-sink (append)   vs  psql -c "\copy t from 'file' csv header"
//   source: a 1M-row table → postgres-source → null-sink               vs  psql -c "\copy (select …) to /dev/null"
// The engine cases run the pipeline as `flowengine run` does (core executor + isolation host), in
// `worker` mode (the default: each instance in its own thread) and in `inline` mode. One more case
// drives the sink alone on chunks parsed before the clock starts, to separate it from CSV parsing.
//   node tools/bench/postgres.mjs [--rows 1000000] [--reps 3]     (build first: npm run build)
// Server: FLOWENGINE_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test); tables live in the
// schema `fe_bench`, dropped at the end. Each case runs in its own child process (own RSS and CPU
// time, every thread counted); figures are medians of --reps runs, the cases interleaved.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchContext, integerOptions, median, mediansOf, printTable, runCase as runChild, runEngine, yamlValue } from './_lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const dataDir = join(root, '.bench/postgres');
const url = process.env.FLOWENGINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'fe_bench';
/** The bench file's columns, for the engine's pipeline file and the by-hand cases; the table has the same. */
const ROW_FIELDS = [
  { name: 'id', type: 'int32' }, { name: 'name', type: 'string' }, { name: 'amount', type: 'float64' }, { name: 'flag', type: 'bool' }, { name: 'qty', type: 'int64' },
];
// Autovacuum off on the bench tables: a 1M-row load triggers an insert vacuum that would otherwise
// run during the next case and take server CPU from it on a 2-core machine.
const COLUMNS = '(id int4, name text, amount float8, flag bool, qty int8) WITH (autovacuum_enabled = false)';

if (process.argv[2] === '--case') {
  const [, , , name, input] = process.argv;
  // sink-direct: the chunks are parsed from the CSV before the clock (and the CPU count) starts, so only the sink is timed.
  const prebuilt = name === 'sink-direct' ? await readChunks(input) : undefined;
  // Module loading is not the plugins' speed: load everything before the clock starts.
  await Promise.all([import(join(root, 'plugins/csv/dist/index.js')), import(join(root, 'plugins/postgres/dist/index.js')), import('@flowengine/sdk'), import('@flowengine/core')]);
  const cpuBefore = cpuSecondsNow();
  const started = performance.now();
  const result = name === 'sink-direct' ? { rows: await sinkAlone(prebuilt) } : await engineCase(name, input);
  const seconds = (result.ms ?? performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ name, rows: result.rows, seconds, cpuSeconds: cpuSecondsNow() - cpuBefore, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
  process.exit(0);
}

const { rows, reps } = integerOptions('postgres', { rows: 1_000_000, reps: 3 });
const input = join(dataDir, `rows-${rows}.csv`);
if (!existsSync(input)) {
  mkdirSync(dataDir, { recursive: true });
  console.log(`generating ${rows} rows into ${input} ...`);
  await generateCsv(input, rows);
}
const megabytes = statSync(input).size / 1e6;
console.log(`input: ${input} (${rows} rows, ${megabytes.toFixed(1)} MB); server ${new URL(url).host}`);

// Each case is psql (`baseline`, timed here) or a child process running `--case <key>`.
const SINK_CASES = [
  { name: 'sink: psql \\copy from csv', table: 'sink_psql', baseline: () => psql(`\\copy ${SCHEMA}.sink_psql from '${input}' csv header`) },
  { name: 'sink: csv-source → postgres-sink (worker)', table: 'sink_worker', key: 'sink-worker' },
  { name: 'sink: csv-source → postgres-sink (inline)', table: 'sink_inline', key: 'sink-inline' },
  { name: 'sink: prebuilt chunks → postgres-sink (sink alone)', table: 'sink_direct', key: 'sink-direct' },
];
const SOURCE_CASES = [
  { name: 'source: psql \\copy to /dev/null', baseline: () => psql(`\\copy (SELECT * FROM ${SCHEMA}.src) to /dev/null`) },
  { name: 'source: postgres-source → null-sink (worker)', key: 'source-worker' },
  { name: 'source: postgres-source → null-sink (inline)', key: 'source-inline' },
];
psql(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA};
  ${SINK_CASES.map(({ table }) => `CREATE TABLE ${SCHEMA}.${table} ${COLUMNS};`).join(' ')}`);
const runs = new Map();
try {
  for (let rep = 0; rep < reps; rep++) {
    for (const sinkCase of SINK_CASES) {
      const { name, table } = sinkCase;
      psql(`TRUNCATE ${SCHEMA}.${table}`);
      record(runCase(sinkCase));
      const count = psql(`SELECT count(*) FROM ${SCHEMA}.${table}`, ['-tA']).trim();
      if (count !== String(rows)) throw new Error(`${name}: ${count} rows in ${table}, expected ${rows}`);
    }
    if (rep === 0) {
      // The source reads a table with a timestamp too, so its parse path is measured.
      psql(`CREATE TABLE ${SCHEMA}.src AS SELECT *, timestamptz '2024-01-01' + id * interval '1 second' AS at FROM ${SCHEMA}.sink_psql`);
      psql(`ALTER TABLE ${SCHEMA}.src SET (autovacuum_enabled = false)`);
      psql(`VACUUM ANALYZE ${SCHEMA}.src`);
    }
    for (const sourceCase of SOURCE_CASES) record(runCase(sourceCase));
  }
} finally {
  psql(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
}
const results = [...SINK_CASES, ...SOURCE_CASES].map(({ name }) => mediansOf(runs.get(name)));

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
// psql's own time moves a lot between reps on a shared host (0.65 to 1.12 s to /dev/null within
// one session), so each ratio is the median over reps of ours against the psql run of the same rep.
const ratio = (ours, base) => {
  const [mine, theirs] = [runs.get(ours.name), runs.get(base.name)];
  return `${median(mine.map((run, rep) => theirs[rep].seconds / run.seconds)).toFixed(2)}x`;
};
console.log(`\nmedians of ${reps} (walls), and of each rep's ratio to that rep's psql run (rows/s, goal >= 0.8): sink worker ${ratio(results[1], results[0])}, inline ${ratio(results[2], results[0])} (sink alone ${ratio(results[3], results[0])}); source worker ${ratio(results[5], results[4])}, inline ${ratio(results[6], results[4])}`);
console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores (the server shares them; figures on a busy machine are noisy)`);

function cpuSecondsNow() {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1e6;
}

function record(run) {
  if (!runs.has(run.name)) runs.set(run.name, []);
  runs.get(run.name).push(run);
}

function runCase({ name, baseline, key }) {
  psql('CHECKPOINT'); // each case starts with no dirty pages left by the one before
  if (baseline !== undefined) {
    // psql runs as a child process: Node reports no CPU or RSS for it, so only its wall time is shown.
    const started = performance.now();
    baseline();
    return { name, rows, seconds: (performance.now() - started) / 1000, cpuSeconds: Number.NaN, maxRssKb: Number.NaN };
  }
  return { ...runChild(fileURLToPath(import.meta.url), ['--case', key, input]), name };
}

function psql(command, extra = []) {
  const result = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', ...extra, '-c', command], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result.stdout;
}

async function generateCsv(file, count) {
  const out = createWriteStream(file);
  out.write(`${ROW_FIELDS.map((field) => field.name).join(',')}\n`);
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

async function openCsv(file) {
  const { csvSource } = await import(join(root, 'plugins/csv/dist/index.js'));
  const { Schema } = await import('@flowengine/sdk');
  return csvSource.open(await benchContext(csvSource, { path: file, chunkSize: 10_000 }, { spillDir: dataDir, declaredSchema: Schema.of(ROW_FIELDS) }));
}

async function readChunks(file) {
  const source = await openCsv(file);
  const chunks = [];
  for await (const { chunk } of source.read()) chunks.push(chunk);
  await source.close?.();
  return { schema: source.schema, async *read() { for (const chunk of chunks) yield { chunk }; } };
}

/** The postgres-sink on chunks read before the clock started, driven by hand on this thread (no executor). */
async function sinkAlone(prebuilt) {
  const { postgresSink } = await import(join(root, 'plugins/postgres/dist/index.js'));
  const sink = await postgresSink.open(await benchContext(postgresSink, { url, schema: SCHEMA, table: 'sink_direct', mode: 'append' }, { spillDir: dataDir }), prebuilt.schema);
  let count = 0;
  let lastFlush = performance.now();
  for await (const { chunk } of prebuilt.read()) {
    count += chunk.length;
    await sink.write(chunk);
    // Commit every second, as the executor's default flushIntervalMs does.
    if (performance.now() - lastFlush >= 1000) {
      await sink.flush();
      lastFlush = performance.now();
    }
  }
  await sink.flush();
  await sink.close();
  return count;
}

/** `sink-worker`, `source-inline`...: the pipeline through the core executor and the isolation host. */
async function engineCase(name, input) {
  const [direction, mode] = name.split('-');
  const stages = direction === 'sink' ? `
    - { name: csv, type: csv-source, config: ${yamlValue({ path: input, chunkSize: 10_000 })}, schema: ${yamlValue({ fields: ROW_FIELDS })} }
    - { name: out, type: postgres-sink, config: ${yamlValue({ url, schema: SCHEMA, table: `sink_${mode}`, mode: 'append' })} }` : `
    - { name: pg, type: postgres-source, config: ${yamlValue({ url, schema: SCHEMA, table: 'src', chunkSize: 10_000 })} }
    - { name: out, type: null-sink }`;
  const { ms, stage } = await runEngine({
    file: join(dataDir, `bench-${name}.yml`), mode, cwd: root,
    yaml: `pipeline:\n  name: postgres-bench\n  plugins:${stages}\n`,
  });
  return { ms, rows: stage('out').rowsIn };
}
