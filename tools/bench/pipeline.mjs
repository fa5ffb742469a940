// `npm run bench -- pipeline [--rows 20000000] [--chunk 10000] [--reps 3]`
//
// generate → filter (≈50%) → select (one computed column) → null-sink, in one run, three ways:
//   worker   every stage in its own worker thread (the default isolation)
//   inline   the same stages on the main thread (what isolation costs)
//   plain JS a hand-written loop over row objects doing the same work (what users would write)
// Each case runs in its own child process (clean heap, honest peak RSS); medians of --reps runs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, runCase, runEngine } from './_lib.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000000' },
    chunk: { type: 'string', default: '10000' },
    reps: { type: 'string', default: '3' },
    case: { type: 'string' },
  },
});
const rows = Number(values.rows);
const chunkSize = Number(values.chunk);
const reps = Number(values.reps);

const pipelineYaml = (rowCount) => `
pipeline:
  name: bench-pipeline
  plugins:
    - name: gen
      type: generate
      config: { count: ${rowCount}, chunkSize: ${chunkSize}, seed: 1 }
      schema:
        fields:
          - { name: id, type: int32 }
          - { name: ts, type: timestamp }
          - { name: customer, type: string }
          - { name: amount, type: float64 }
    - { name: half, type: filter, config: { where: "amount > 500" } }
    - name: shape
      type: select
      config: { columns: [id, ts, customer, amount, { name: amount_eur, expr: "amount * 0.92" }] }
    - { name: out, type: null-sink }
settings:
  channels: { default: { bufferSize: 16, backpressureThreshold: 90, fullMode: Wait } }
`;

if (values.case !== undefined) {
  const result = values.case === 'plain' ? plainJs() : await engine(values.case);
  process.stdout.write(`${JSON.stringify({ ...result, peakRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  process.exit(0);
}

/** The engine in-process, through the same API the CLI uses. */
async function engine(mode) {
  const dir = mkdtempSync(join(tmpdir(), 'fe-bench-'));
  const { ms, stage } = await runEngine({ yaml: pipelineYaml(rows), file: join(dir, 'pipeline.yml'), mode, cwd: dir });
  return { ms, rowsOut: stage('out').rowsIn, p50ChunkMs: stage('half').p50ChunkMs, p99ChunkMs: stage('half').p99ChunkMs };
}

/** What a user would hand-write: row objects through a filter and a map, same data, same work. */
function plainJs() {
  const started = performance.now();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const names = Array.from({ length: 4096 }, (_, i) => Array.from({ length: 12 }, (_, c) => alphabet[(i * 31 + c * 7) % 36]).join(''));
  let kept = 0;
  let checksum = 0;
  for (let start = 0; start < rows; start += chunkSize) {
    const n = Math.min(chunkSize, rows - start);
    const batch = new Array(n);
    for (let i = 0; i < n; i++) {
      const h = Math.imul(start + i + 1, 0x9e3779b1) >>> 0;
      batch[i] = { id: start + i + 1, ts: 1_704_067_200_000 + (start + i) * 1000, customer: names[h % 4096], amount: (h % 100_000) / 100 };
    }
    const out = batch.filter((row) => row.amount > 500).map((row) => ({ id: row.id, ts: row.ts, customer: row.customer, amount: row.amount, amount_eur: row.amount * 0.92 }));
    kept += out.length;
    checksum += out.length > 0 ? out[out.length - 1].amount_eur : 0;
  }
  return { ms: performance.now() - started, rowsOut: kept, checksum };
}

const cases = ['worker', 'inline', 'plain'];
const results = Object.fromEntries(cases.map((name) => [name, []]));
for (let rep = 0; rep < reps; rep++) for (const name of cases) results[name].push(runCase(fileURLToPath(import.meta.url), ['--case', name, '--rows', String(rows), '--chunk', String(chunkSize)]));

console.log(`pipeline bench: generate → filter (≈50%) → select (+1 computed column) → null-sink, ${rows.toLocaleString('en-US')} rows, ${chunkSize.toLocaleString('en-US')}-row chunks, median of ${reps}`);
const plainRate = rows / (median(results.plain.map((r) => r.ms)) / 1000);
const table = cases.map((name) => {
  const ms = median(results[name].map((r) => r.ms));
  const rate = rows / (ms / 1000);
  return {
    case: name === 'plain' ? 'plain JS objects' : `engine (${name})`,
    'rows/s': Math.round(rate).toLocaleString('en-US'),
    'vs plain JS': `${(rate / plainRate).toFixed(2)}×`,
    'p50 / p99 ms per chunk (filter)': name === 'plain' ? '-' : `${median(results[name].map((r) => r.p50ChunkMs))} / ${median(results[name].map((r) => r.p99ChunkMs))}`,
    'peak RSS MB': Math.round(median(results[name].map((r) => r.peakRssMB))),
    'rows out': results[name][0].rowsOut.toLocaleString('en-US'),
  };
});
console.table(table);
const workerMs = median(results.worker.map((r) => r.ms));
const inlineMs = median(results.inline.map((r) => r.ms));
console.log(`worker / inline throughput: ${(inlineMs / workerMs).toFixed(2)}×`);
