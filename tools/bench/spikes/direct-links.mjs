// Experiment, not a suite: what the pipeline bench's stages do when adjacent workers are linked by
// their own MessagePorts (credit-based flow control, CREDITS chunks in flight per link) and the main
// thread is off the data path — the "next step" the core README names. It drives the built-in
// plugins' descriptors directly in plain worker threads: no executor, no channels' drop modes or
// spill, no positions/acks, no restarts, so it bounds what linking could gain; it is not a design.
//   node tools/bench/spikes/direct-links.mjs [rows=20000000]   (from the repository root, after a build)
// Measured 2026-11-28 on the 2-core development machine, 20M rows, three runs: 509-550 ms from the
// first chunk request to the sink's last chunk (36-39M rows/s), where the engine's worker run takes
// ~960 ms of which ~190 ms is boot, open and a first chunk (~26M rows/s steady).
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';

const rows = Number(process.argv[2] ?? 20_000_000);
const CREDITS = 16;

const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { decodeChunk, encodeChunk, Schema } = await import('@flowengine/sdk');
  const { pluginContext } = await import('@flowengine/sdk/testing');
  const { stage, modulePath, config, inputSchema, declared } = workerData;
  const descriptor = (await import(modulePath)).default;
  const { ctx } = pluginContext(descriptor, config, { instanceName: stage, spillDir: '/tmp', ...(declared ? { declaredSchema: Schema.fromDefinition(declared) } : {}) });
  const input = inputSchema === undefined ? undefined : Schema.fromDefinition(inputSchema);
  const instance = descriptor.kind === 'source' ? await descriptor.open(ctx) : await descriptor.open(ctx, input);
  const outSchema = descriptor.kind === 'source' ? instance.schema : descriptor.kind === 'transform' ? descriptor.outputSchema(input, ctx.config) : undefined;
  parentPort.postMessage({ ready: true, schema: outSchema?.toDefinition() });
  parentPort.once('message', ({ up, down }) => {
    let credits = ${CREDITS};
    let rowsSeen = 0;
    const send = (chunk) => { const { message, transfer } = encodeChunk(chunk); down.postMessage(message, transfer); };
    if (descriptor.kind === 'source') {
      const iterator = instance.read()[Symbol.asyncIterator]();
      let pumping = false;
      const pump = async () => {
        if (pumping) return; pumping = true;
        while (credits > 0) {
          const step = await iterator.next();
          if (step.done) { down.postMessage({ end: true }); pumping = false; return; }
          credits--; send(step.value.chunk);
        }
        pumping = false;
      };
      down.on('message', (m) => { credits += m.credit; void pump(); });
      parentPort.once('message', () => void pump());
      return;
    }
    const queue = []; let busy = false; let ended = false;
    const drain = async () => {
      if (busy) return; busy = true;
      while (queue.length > 0 && (descriptor.kind === 'sink' || credits > 0)) {
        const m = queue.shift();
        const chunk = decodeChunk(m);
        rowsSeen += chunk.length;
        if (descriptor.kind === 'sink') await instance.write(chunk);
        else {
          const out = [await instance.transform(chunk)].flat().filter(Boolean);
          for (const c of out) { credits--; send(c); }
        }
        up.postMessage({ credit: 1 });
      }
      busy = false;
      if (ended && queue.length === 0) {
        if (descriptor.kind === 'sink') { await instance.flush(); parentPort.postMessage({ done: true, rows: rowsSeen }); }
        else down.postMessage({ end: true });
      }
    };
    up.on('message', (m) => { if (m.end) ended = true; else queue.push(m); void drain(); });
    down?.on('message', (m) => { credits += m.credit; void drain(); });
  });
})();
`;

const core = fileURLToPath(new URL('../../../packages/core/dist/builtins/', import.meta.url));
const stages = [
  { stage: 'gen', modulePath: `${core}generate.js`, config: { count: rows, chunkSize: 10_000, seed: 1 },
    declared: { fields: [{ name: 'id', type: 'int32' }, { name: 'ts', type: 'timestamp', unit: 'ms' }, { name: 'customer', type: 'string' }, { name: 'amount', type: 'float64' }] } },
  { stage: 'half', modulePath: `${core}filter.js`, config: { where: 'amount > 500' } },
  { stage: 'shape', modulePath: `${core}select.js`, config: { columns: ['id', 'ts', 'customer', 'amount', { name: 'amount_eur', expr: 'amount * 0.92' }] } },
  { stage: 'out', modulePath: `${core}null-sink.js`, config: {} },
];

const t0 = performance.now();
const workers = [];
let schema;
for (const s of stages) {
  const worker = new Worker(workerCode, { eval: true, workerData: { ...s, inputSchema: schema } });
  const [ready] = await new Promise((resolve) => worker.once('message', (m) => resolve([m])));
  schema = ready.schema;
  workers.push(worker);
}
const booted = performance.now();
const links = stages.slice(1).map(() => new MessageChannel());
workers.forEach((worker, i) => {
  const up = i === 0 ? undefined : links[i - 1].port2;
  const down = i === workers.length - 1 ? undefined : links[i].port1;
  worker.postMessage({ up, down }, [up, down].filter(Boolean));
});
const done = new Promise((resolve) => workers.at(-1).on('message', (m) => m.done && resolve(m)));
const started = performance.now();
workers[0].postMessage({ go: true });
const result = await done;
const ms = performance.now() - started;
console.log(JSON.stringify({ bootMs: Math.round(booted - t0), steadyMs: Math.round(ms), rowsOut: result.rows, rowsPerSec: Math.round(rows / (ms / 1000)) }));
await Promise.all(workers.map((w) => w.terminate()));
