// Columnar chunks vs plain row objects, same data in the same run (issue 2, "Bench").
// Rows: int32 id, int64 epoch-ms, ~12-char string, float64. Prints medians of --reps repetitions.
//   node tools/bench/run.mjs chunk [--rows 10000000] [--chunk 10000] [--reps 3]
import { Worker } from 'node:worker_threads';
import { BufferPool, ChunkBuilder, decodeChunk, encodeChunk } from '@flowengine/sdk';
import { integerOptions, median, printTable } from './_lib.mjs';
import { rowSchema as schema, userNames } from './_rows.mjs';

const { rows: ROWS, chunk: CHUNK, reps: REPS, window: WINDOW } = integerOptions('chunk', { rows: 10_000_000, chunk: 10_000, reps: 3, window: 8 });
const CHUNKS = Math.ceil(ROWS / CHUNK);
// Payload bytes of a row as the columnar layout stores it (4 + 8 + 8 + 12 bytes of string + 4 of offset);
// the same figure is used for both sides so MB/s columns compare.
const BYTES_PER_ROW = 36;

// Strings exist before the clock starts in both cases: we time building, not string formatting.
const NAMES = userNames(65_536);
const EPOCH = 1_700_000_000_000;

function buildObjects(start, count) {
  const rows = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = start + k;
    rows[k] = { id: i, at: EPOCH + i * 37, name: NAMES[i & 65_535], amount: (i % 1000) * 1.25 };
  }
  return rows;
}

function buildWithColumns(builder, start, count) {
  const [id, at, name, amount] = [0, 1, 2, 3].map((i) => builder.column(i));
  for (let k = 0; k < count; k++) {
    const i = start + k;
    id.append(i);
    at.appendNumber(EPOCH + i * 37);
    name.append(NAMES[i & 65_535]);
    amount.append((i % 1000) * 1.25);
  }
  return builder.finish();
}

function buildWithRows(builder, start, count) {
  const row = [0, 0, '', 0];
  for (let k = 0; k < count; k++) {
    const i = start + k;
    row[0] = i; row[1] = EPOCH + i * 37; row[2] = NAMES[i & 65_535]; row[3] = (i % 1000) * 1.25;
    builder.appendRow(row);
  }
  return builder.finish();
}

/** Seconds `fn` takes (awaited when it returns a promise), after a GC so no case pays for another's garbage. */
async function time(fn) {
  globalThis.gc?.();
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const pool = new BufferPool();
let sink = 0; // keeps results alive so nothing is optimised away

const build = {
  'row objects': () => time(() => {
    for (let c = 0; c < CHUNKS; c++) sink += buildObjects(c * CHUNK, Math.min(CHUNK, ROWS - c * CHUNK)).length;
  }),
  'ChunkBuilder.appendRow': () => time(() => {
    const builder = new ChunkBuilder(schema, { capacity: CHUNK, pool });
    for (let c = 0; c < CHUNKS; c++) {
      const chunk = buildWithRows(builder, c * CHUNK, Math.min(CHUNK, ROWS - c * CHUNK));
      sink += chunk.length;
      chunk.release();
    }
  }),
  'ChunkBuilder column appends': () => time(() => {
    const builder = new ChunkBuilder(schema, { capacity: CHUNK, pool });
    for (let c = 0; c < CHUNKS; c++) {
      const chunk = buildWithColumns(builder, c * CHUNK, Math.min(CHUNK, ROWS - c * CHUNK));
      sink += chunk.length;
      chunk.release();
    }
  }),
};

// Round trips cycle a fixed set of prebuilt chunks (100 or fewer) so 10M row objects never have
// to sit in memory at once; every message still makes the full trip main → worker → main.
const worker = new Worker(new URL('./workers/chunk-echo.mjs', import.meta.url));
const SET = Math.min(CHUNKS, 100);

/** Keeps `WINDOW` messages in flight until `count` have come back; `onReply` sees every reply. */
async function pump(count, send, onReply) {
  let sent = 0;
  let received = 0;
  await new Promise((resolve, reject) => {
    const onMessage = (message) => {
      received++;
      onReply(message);
      if (sent < count) send(sent++);
      if (received === count) {
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve();
      }
    };
    worker.on('message', onMessage);
    worker.on('error', reject);
    while (sent < Math.min(WINDOW, count)) send(sent++);
  });
}

// Made only after the build cases ran: a million live row objects slow every later object
// allocation in this isolate (GC work) and would make the row-object build look 30x worse than it is.
let objectSet = [];
let chunkQueue = [];
function prepareRoundTrip() {
  objectSet = Array.from({ length: SET }, (_, c) => buildObjects(c * CHUNK, Math.min(CHUNK, ROWS - c * CHUNK)));
  const chunkBuilder = new ChunkBuilder(schema, { capacity: CHUNK });
  // A chunk's buffer travels and comes back: each reply is decoded and queued to be sent again.
  chunkQueue = Array.from({ length: SET }, (_, c) => buildWithColumns(chunkBuilder, c * CHUNK, Math.min(CHUNK, ROWS - c * CHUNK)));
}

const roundTrip = {
  'postMessage row objects (clone)': () => time(() => pump(CHUNKS, (k) => {
    worker.postMessage({ kind: 'rows', rows: objectSet[k % SET] });
  }, (reply) => { sink += reply.rows.length; })),
  'transfer chunk (encode/decode)': () => time(() => pump(CHUNKS, () => {
    const { message, transfer } = encodeChunk(chunkQueue.shift());
    worker.postMessage(message, transfer);
  }, (reply) => { chunkQueue.push(decodeChunk(reply)); })),
};

const results = [];
async function measure(group, cases) {
  for (const [name, run] of Object.entries(cases)) {
    await run(); // warm-up rep, not counted
    const seconds = [];
    for (let r = 0; r < REPS; r++) seconds.push(await run());
    results.push({ group, name, seconds: median(seconds) });
  }
}

console.log(`chunk bench: ${ROWS.toLocaleString('en')} rows in ${CHUNK.toLocaleString('en')}-row chunks, median of ${REPS} (+1 warm-up), node ${process.version}`);
await measure('build', build);
prepareRoundTrip();
await measure('round trip', roundTrip);
await worker.terminate();

const baseline = { build: results.find((r) => r.name === 'row objects'), 'round trip': results.find((r) => r.name.startsWith('postMessage')) };
const fmt = (n, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
const table = results.map((r) => ({
  group: r.group,
  case: r.name,
  'seconds': fmt(r.seconds, 3),
  'rows/s': fmt(ROWS / r.seconds),
  'MB/s': fmt((ROWS * BYTES_PER_ROW) / r.seconds / 1e6, 1),
  'µs/chunk': fmt((r.seconds / CHUNKS) * 1e6, 1),
  'vs row objects': `${fmt(baseline[r.group].seconds / r.seconds, 2)}×`,
}));
printTable(table, 2);
const rt = results.find((r) => r.name.startsWith('transfer'));
const ratio = baseline['round trip'].seconds / rt.seconds;
console.log(`\ncolumnar round trip is ${fmt(ratio, 1)}× the row-object clone (goal ≥ 10×): ${ratio >= 10 ? 'met' : 'NOT met'}. (checksum ${sink > 0 ? 'ok' : '?'})`);
