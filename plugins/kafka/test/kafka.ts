// Test helpers that talk to the real broker directly (not through the plugin), so what the
// pipeline did is checked by an independent reader.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Consumer, ProduceAcks, Producer } from '@platformatic/kafka';
import { afterAll } from 'vitest';

/** The broker the global setup found or started; undefined when the suite is skipped. */
export const BROKERS = process.env['FLOWENGINE_TEST_KAFKA_BROKERS'];
/** Why the suite is skipped, when it is. */
export const SKIP_REASON = process.env['FLOWENGINE_TEST_KAFKA_SKIP'] ?? 'FLOWENGINE_TEST_KAFKA_BROKERS is not set';

const base = () => ({ clientId: 'flowengine-test', bootstrapBrokers: [BROKERS as string], retries: 10, retryDelay: 500 });

let counter = 0;
/** A topic/group name unique to this run, so tests never see each other's data. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

const tempDirs: string[] = [];
// Registered by each test file that imports this module: its temp folders go when it ends.
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fe-kafka-test-'));
  tempDirs.push(dir);
  return dir;
}

export async function createTopic(topic: string, partitions = 1): Promise<void> {
  const admin = new Admin(base());
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/** Fresh source and sink topics of `partitions` each, and a fresh group, for a copy pipeline. */
export async function copyTopics(prefix: string, partitions: number): Promise<{ source: string; sink: string; group: string }> {
  const names = { source: unique(prefix), sink: unique(`${prefix}-out`), group: unique(prefix) };
  await createTopic(names.source, partitions);
  await createTopic(names.sink, partitions);
  return names;
}

export interface TestRecord {
  readonly key?: string;
  readonly value: string | Buffer;
  readonly partition?: number;
}

/** Produces records with acks=all and waits for the broker's acknowledgement. */
export async function produce(topic: string, records: readonly TestRecord[], batch = 500): Promise<void> {
  const producer = new Producer({ ...base(), acks: ProduceAcks.ALL });
  try {
    for (let i = 0; i < records.length; i += batch) {
      await producer.send({
        messages: records.slice(i, i + batch).map((r) => ({
          topic,
          key: r.key === undefined ? undefined : Buffer.from(r.key),
          value: typeof r.value === 'string' ? Buffer.from(r.value) : r.value,
          ...(r.partition === undefined ? {} : { partition: r.partition }),
        })),
      });
    }
  } finally {
    await producer.close();
  }
}

/** `count` keyed JSON records `{ id, payload }` with ids 1..count, key `k<id>`. */
export function orders(count: number, from = 1): TestRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const id = from + i;
    return { key: `k${id}`, value: JSON.stringify({ id, payload: `order-${id}-${'x'.repeat(id % 17)}` }) };
  });
}

export interface ReadBack {
  /** `timestamp`: the producer's create time, epoch ms. */
  readonly records: Array<{ key: string | undefined; value: string; partition: number; offset: bigint; timestamp: bigint }>;
}

/** Every record of a topic from the start to its end offsets now, read by a fresh group. */
export async function readAll(topic: string): Promise<ReadBack['records']> {
  const consumer = new Consumer({ ...base(), groupId: unique('reader'), autocommit: false, maxWaitTime: 200 });
  const records: ReadBack['records'] = [];
  try {
    const end = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    if (end.every((offset) => offset === 0n)) return records;
    const next = end.map(() => 0n);
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    for await (const message of stream) {
      records.push({ key: message.key?.toString(), value: message.value?.toString() ?? '', partition: message.partition, offset: message.offset, timestamp: message.timestamp });
      next[message.partition] = message.offset + 1n;
      if (next.every((offset, p) => offset >= (end[p] ?? 0n))) break;
    }
    await stream.close();
    return records;
  } finally {
    await consumer.close(true);
  }
}

/** Count, distinct ids and sum of ids of JSON records with an `id`: the checksum tests compare. */
export function tally(records: ReadBack['records']): { count: number; distinct: number; sum: number; duplicates: number } {
  const ids = records.map((r) => (JSON.parse(r.value) as { id: number }).id);
  const distinct = new Set(ids);
  return { count: ids.length, distinct: distinct.size, sum: [...distinct].reduce((a, b) => a + b, 0), duplicates: ids.length - distinct.size };
}

/** Offsets the group committed, per partition (-1: none). */
export async function committed(group: string, topic: string): Promise<bigint[]> {
  const admin = new Admin(base());
  try {
    const [result] = await admin.listConsumerGroupOffsets({ groups: [group] });
    const partitions = result?.topics.find((t) => t.name === topic)?.partitions ?? [];
    return partitions.sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => p.committedOffset);
  } finally {
    await admin.close();
  }
}

/**
 * The YAML of kafka-source → kafka-sink for the `orders` records. `extraSource`/`extraSink` are
 * appended inside each config (`, key: value`), `extra`/`extraSinkInstance` to each instance.
 */
export function copyPipeline(options: { name?: string; source: string; sink: string; group: string; extraSource?: string; extraSink?: string; extra?: string; extraSinkInstance?: string }): string {
  return `pipeline:
  name: ${options.name ?? 'kafka-copy'}
  plugins:
    - name: in
      type: kafka-source
      config: { brokers: "${BROKERS}", topics: [${options.source}], group: ${options.group}, chunkSize: 500, maxWaitMs: 100, metadata: { key: key }${options.extraSource ?? ''} }
      schema:
        fields: [{ name: id, type: int64 }, { name: payload, type: string }, { name: key, type: string }]${options.extra ?? ''}
    - name: out
      type: kafka-sink
      input: in
      config: { brokers: "${BROKERS}", topic: ${options.sink}, key: key, maxBatchRows: 500, lingerMs: 5${options.extraSink ?? ''} }${options.extraSinkInstance ?? ''}
`;
}
