#!/usr/bin/env node
// Kafka bench, both directions, each beside Kafka's own Java perf tools (same jars, same broker,
// same record count and size) in the same run:
//   produce: a CSV file → csv-source → kafka-sink (acks=all, idempotent)  vs  ProducerPerformance (acks=all, idempotence on)
//   consume: that topic → kafka-source (stopAtEnd) → null-sink           vs  ConsumerPerformance
//   node tools/bench/kafka.mjs [--rows 1000000] [--record-size 100]
//   (build first: npx tsc -b plugins/kafka plugins/csv packages/core)
// Broker: FLOWENGINE_TEST_KAFKA_BROKERS, else one is started with tools/services/kafka.sh on
// FLOWENGINE_KAFKA_STATE_DIR and stopped at the end. Pipelines run through the real engine
// (worker threads), in a child process each, so figures include isolation and channels.
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KAFKA_SCRIPT as kafkaSh, startKafka, stopKafka } from '../services/kafka.mjs';
import { runEngine, yamlValue } from './_lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

if (process.argv[2] === '--case') {
  // Child: run one pipeline file through the engine (each instance in its configured mode: worker)
  // and print rows and seconds.
  const [, , , file] = process.argv;
  const { readFileSync } = await import('node:fs');
  const { ms, stage } = await runEngine({ yaml: readFileSync(file, 'utf8'), file, cwd: dirname(file) });
  process.stdout.write(JSON.stringify({ rows: stage('out').rowsIn, seconds: ms / 1000, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
  process.exit(0);
}

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rows = arg('rows', 1_000_000);
const recordSize = arg('record-size', 100);

let brokers = process.env.FLOWENGINE_TEST_KAFKA_BROKERS;
let startedBroker = false;
if (!brokers) {
  brokers = await startKafka();
  startedBroker = true;
}

const dataDir = join(root, '.bench/kafka');
mkdirSync(dataDir, { recursive: true });
const input = join(dataDir, `rows-${rows}-${recordSize}.csv`);
if (!existsSync(input)) await generateCsv(input, rows, recordSize);
const stamp = Date.now().toString(36);
const topics = { fe: `bench-fe-${stamp}`, java: `bench-java-${stamp}` };
console.log(`broker ${brokers}; ${rows} rows of ${recordSize} bytes (CSV value), topics ${topics.fe} / ${topics.java} (1 partition each)`);

const results = [];
try {
  await runClass('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', brokers, '--create', '--topic', topics.fe, '--partitions', '1']);
  await runClass('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', brokers, '--create', '--topic', topics.java, '--partitions', '1']);

  results.push(await timed('produce: Java ProducerPerformance (acks=all, idempotent)', rows, () => runClass('org.apache.kafka.tools.ProducerPerformance', [
    '--topic', topics.java, '--num-records', String(rows), '--record-size', String(recordSize), '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${brokers}`, 'acks=all', 'enable.idempotence=true'])));
  results.push(await pipeline('produce: csv-source → kafka-sink (acks=all, idempotent)', `
    - { name: in, type: csv-source, config: { path: ${yamlValue(input)}, chunkSize: 5000 }, schema: { fields: [{ name: id, type: int32 }, { name: text, type: string }] } }
    - { name: out, type: kafka-sink, input: in, config: { brokers: ${yamlValue(brokers)}, topic: ${topics.fe}, format: csv } }`));

  results.push(await timed('consume: Java ConsumerPerformance', rows, () => runClass('org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server', brokers, '--topic', topics.java, '--messages', String(rows), '--timeout', '120000'])));
  results.push(await pipeline('consume: kafka-source → null-sink', `
    - { name: in, type: kafka-source, config: { brokers: ${yamlValue(brokers)}, topics: [${topics.fe}], group: bench-${stamp}, format: raw, stopAtEnd: true, chunkSize: 5000 }, schema: { fields: [{ name: line, type: string }] } }
    - { name: out, type: null-sink, input: in }`));
} finally {
  await runClass('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', brokers, '--delete', '--topic', `${topics.fe}|${topics.java}`]).catch(() => undefined);
  if (startedBroker) await stopKafka();
}

console.log('\n| case | rows | wall s | rows/s | MB/s |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(`| ${r.name} | ${r.rows} | ${r.seconds.toFixed(2)} | ${Math.round(r.rows / r.seconds).toLocaleString('en')} | ${((r.rows * recordSize) / 1e6 / r.seconds).toFixed(1)} |`);
}
const ratio = (ours, java) => ((ours.rows / ours.seconds) / (java.rows / java.seconds)).toFixed(2);
console.log(`\nratio to Kafka's Java tools (rows/s, goal >= 0.5): produce ${ratio(results[1], results[0])}x, consume ${ratio(results[3], results[2])}x`);
console.log('FlowEngine figures include engine start (worker threads, group join) and, for produce, parsing the CSV file; the Java tools time only their loop after JVM start.');
console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores (broker, tools and engine share them; figures on a busy machine are noisy)`);

async function pipeline(name, plugins) {
  const file = join(dataDir, `pipeline-${results.length}.yml`);
  writeFileSync(file, `pipeline:\n  name: kafka-bench\n  plugins:${plugins}\n`);
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), '--case', file], { maxBuffer: 1 << 20, timeout: 1_800_000 });
  const result = JSON.parse(stdout.trim().split('\n').at(-1));
  if (result.rows !== rows) throw new Error(`${name}: expected ${rows} rows, the pipeline moved ${result.rows}`);
  console.log(`${name}: ${result.rows} rows in ${result.seconds.toFixed(2)} s`);
  return { name, ...result };
}

async function timed(name, count, run) {
  // The Java tools print their own figures; the wall time here includes JVM start, so their own
  // loop time is taken from their output where it is printed.
  const started = performance.now();
  const output = await run();
  const wall = (performance.now() - started) / 1000;
  const own = toolSeconds(output, count);
  console.log(`${name}: ${count} rows in ${(own ?? wall).toFixed(2)} s (${own === undefined ? 'wall' : 'tool\'s own timing'}; wall with JVM start ${wall.toFixed(2)} s)`);
  return { name, rows: count, seconds: own ?? wall };
}

/** Seconds of the measured loop, from ProducerPerformance's or ConsumerPerformance's summary line. */
function toolSeconds(output, count) {
  const producer = output.match(/(\d+) records sent, ([\d.]+) records\/sec/);
  if (producer) return Number(producer[1]) / Number(producer[2]);
  // ConsumerPerformance: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
  const line = output.trim().split('\n').filter((l) => /^\d{4}-\d\d-\d\d/.test(l)).at(-1);
  if (line) {
    const fields = line.split(',').map((f) => f.trim());
    const nMsgSec = Number(fields[5]);
    if (nMsgSec > 0) return Number(fields[4]) / nMsgSec;
  }
  return count > 0 ? undefined : 0;
}

function runClass(cls, args) {
  return promisify(execFile)('bash', [kafkaSh, 'run-class', cls, ...args], { maxBuffer: 16 << 20, timeout: 1_800_000 }).then(({ stdout }) => stdout);
}

async function generateCsv(file, count, size) {
  console.log(`generating ${count} rows into ${file} ...`);
  const out = createWriteStream(file);
  out.write('id,text\n');
  const pad = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(size / 36) + 1);
  let buffer = '';
  for (let i = 1; i <= count; i++) {
    const id = String(i);
    // id,text is one record value of `size` bytes once the sink writes it as a CSV line.
    buffer += `${id},${pad.slice(0, Math.max(1, size - id.length - 1))}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((r) => out.once('drain', r));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise((r) => out.once('finish', r));
}
