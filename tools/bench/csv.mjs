#!/usr/bin/env node
// CSV bench: csv-source → filter (amount > 100, ≈50%) → select (3 columns + one computed) → csv-sink,
// beside csv-parse → csv-stringify doing the same job in one Node stream pipeline, same file, same run.
//   npm run bench -- csv [--rows 5000000] [--reps 3]
// Each case runs in its own child process so its peak RSS is its own; every figure is the median of --reps runs.
//
// The FlowEngine cases run the pipeline through the core executor and the isolation host (worker
// threads, then inline), finding the csv plugins in the workspace as the CLI does.
// `--case flowengine-direct` drives the instances by hand instead.
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { benchContext, integerOptions, mediansOf, printTable, runCase, runEngine, yamlValue } from './_lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
// Generated inputs live in the git-ignored .bench/ folder; they are large and deterministic.
const dataDir = join(root, '.bench/csv');

// The job, stated once for the engine's pipeline file and the by-hand case: the columns
// tools/demo/generate-orders.mjs writes, and the filter and select configs.
const ORDER_FIELDS = [
  { name: 'id', type: 'int32' }, { name: 'ts', type: 'timestamp', unit: 'ms' }, { name: 'customer', type: 'string' },
  { name: 'amount', type: 'float64' }, { name: 'note', type: 'string' }, { name: 'status', type: 'string' },
];
const FILTER = { where: 'amount > 100' };
const SELECT = { columns: ['id', 'customer', 'amount', { name: 'amount_with_tax', expr: 'amount * 1.2' }] };

if (process.argv[2] === '--case') {
  const [, , , name, input, output] = process.argv;
  const started = performance.now();
  // `flowengine-direct` first: it shares the prefix of the runtime cases (worker, inline).
  const { rowsIn, rowsOut, ms } = name === 'flowengine-direct' ? await runFlowEngine(input, output)
    : name.startsWith('flowengine-') ? await runRuntime(input, output, name.slice('flowengine-'.length)) : await runBaseline(input, output);
  // The runtime cases time the run alone (finding the plugins, as the CLI does, comes before it).
  const seconds = (ms ?? performance.now() - started) / 1000;
  const usage = process.resourceUsage();
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  process.stdout.write(JSON.stringify({ name, rowsIn, rowsOut, seconds, cpuSeconds, maxRssKb: usage.maxRSS }) + '\n');
  process.exit(0);
}

const { rows, reps } = integerOptions('csv', { rows: 5_000_000, reps: 3 });
const input = join(dataDir, `orders-${rows}.csv`);
if (!existsSync(input)) {
  mkdirSync(dataDir, { recursive: true });
  const { generateOrders } = await import('../demo/generate-orders.mjs');
  console.log(`generating ${rows} rows into ${input} ...`);
  generateOrders(input, rows);
}
const megabytes = statSync(input).size / 1e6;
console.log(`input: ${input} (${rows} rows, ${megabytes.toFixed(1)} MB)`);

const cases = ['flowengine-worker', 'flowengine-inline', 'csv-parse+csv-stringify'];
const runs = Object.fromEntries(cases.map((name) => [name, []]));
// Cases take turns within a repetition, so a noisy minute spreads over all of them.
for (let rep = 0; rep < reps; rep++) {
  for (const name of cases) {
    const output = join(dataDir, `out-${name}.csv`);
    runs[name].push(runCase(fileURLToPath(import.meta.url), ['--case', name, input, output]));
    if (existsSync(output)) unlinkSync(output);
  }
}
const results = cases.map((name) => mediansOf(runs[name]));

const base = results.at(-1);
for (const r of Object.values(runs).flat()) if (r.rowsOut !== base.rowsOut) throw new Error(`row counts differ: ${r.name} ${r.rowsOut}, baseline ${base.rowsOut}`);
// CPU seconds next to wall seconds: on a shared machine wall time depends on what else runs.
console.log(`\nmedians of ${reps} runs`);
printTable(results.map((r) => ({
  case: r.name,
  'rows in': r.rowsIn,
  'rows out': r.rowsOut,
  'wall s': r.seconds.toFixed(2),
  'rows/s': Math.round(r.rowsIn / r.seconds).toLocaleString('en'),
  'MB/s': (megabytes / r.seconds).toFixed(1),
  'CPU s': r.cpuSeconds.toFixed(2),
  'rows per CPU-s': Math.round(r.rowsIn / r.cpuSeconds).toLocaleString('en'),
  'peak RSS MB': (r.maxRssKb / 1024).toFixed(0),
})));
for (const r of results.slice(0, -1)) console.log(`ratio ${r.name} / baseline: ${(base.seconds / r.seconds).toFixed(1)}x wall, ${(base.cpuSeconds / r.cpuSeconds).toFixed(1)}x CPU`);
console.log(`load average during the run: ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).availableParallelism()} cores`);
console.log('note: flowengine-* = the core executor (runPipeline) with the isolation host: each instance in its own worker thread, or all inline on the main thread. CPU s counts every thread of the process.');

async function runRuntime(input, output, mode) {
  const { ms, stage } = await runEngine({ file: join(dataDir, `bench-${mode}.yml`), mode, cwd: root, yaml: `pipeline:
  name: csv-bench
  plugins:
    - { name: orders, type: csv-source, config: ${yamlValue({ path: input, chunkSize: 10_000 })}, schema: ${yamlValue({ fields: ORDER_FIELDS })} }
    - { name: big, type: filter, config: ${yamlValue(FILTER)} }
    - { name: pick, type: select, config: ${yamlValue(SELECT)} }
    - { name: out, type: csv-sink, config: ${yamlValue({ path: output })} }
settings:
  isolation: { defaultMemoryLimitMB: 256, defaultTimeoutSeconds: 120 }
` });
  return { ms, rowsIn: stage('orders').rowsOut, rowsOut: stage('out').rowsIn };
}

async function runFlowEngine(input, output) {
  const { csvSource, csvSink } = await import(join(root, 'plugins/csv/dist/index.js'));
  const { Schema } = await import('@flowengine/sdk');
  const { BUILT_IN_PLUGINS } = await import('@flowengine/core');
  const builtIn = (id) => BUILT_IN_PLUGINS.find((plugin) => plugin.descriptor.id === id).descriptor;
  const ctx = (plugin, config, declaredSchema) => benchContext(plugin, config, { spillDir: dataDir, declaredSchema });
  const filter = builtIn('filter');
  const select = builtIn('select');
  const source = await csvSource.open(await ctx(csvSource, { path: input, chunkSize: 10_000 }, Schema.of(ORDER_FIELDS)));
  const filtering = await filter.open(await ctx(filter, FILTER), source.schema);
  const selectSchema = filter.outputSchema(source.schema, FILTER);
  const selecting = await select.open(await ctx(select, SELECT), selectSchema);
  const sink = await csvSink.open(await ctx(csvSink, { path: output }), select.outputSchema(selectSchema, SELECT));
  let rowsIn = 0;
  let rowsOut = 0;
  for await (const { chunk } of source.read()) {
    rowsIn += chunk.length;
    const kept = await filtering.transform(chunk);
    for (const k of [kept].flat()) {
      for (const projected of [await selecting.transform(k)].flat()) {
        rowsOut += projected.length;
        await sink.write(projected);
      }
    }
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
        callback(null, [Number(record[0]), record[2], amount, amount * 1.2]);
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
