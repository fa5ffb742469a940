import { afterEach, describe, expect, it } from 'vitest';
import { Consumer } from '@platformatic/kafka';
import { PartitionFetcher, RecordView, type FetchedBatch } from './fetcher.js';
import { BROKERS, SKIP_REASON, createTopic, produce, unique } from '../../test/kafka.js';

const skipped = BROKERS === undefined ? ` (skipped: ${SKIP_REASON})` : '';
const consumers: Consumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.close().catch(() => undefined)));
});

/** A group member of `group` on `topic`, joined, as kafka-source sets one up. */
async function member(topic: string, group: string): Promise<Consumer> {
  const consumer = new Consumer({ clientId: 'fetcher-test', bootstrapBrokers: [BROKERS as string], groupId: group, autocommit: false, sessionTimeout: 10_000, heartbeatInterval: 1000, rebalanceTimeout: 30_000 });
  consumers.push(consumer);
  consumer.topics.track(topic);
  await consumer.joinGroup({});
  return consumer;
}

/** Takes batches until `done` says so (or 20 s pass); returns the values taken, in order. */
async function drain(fetcher: PartitionFetcher, done: (values: string[]) => boolean): Promise<{ values: string[]; offsets: bigint[]; batches: FetchedBatch[] }> {
  const view = new RecordView();
  const result = { values: [] as string[], offsets: [] as bigint[], batches: [] as FetchedBatch[] };
  const deadline = Date.now() + 20_000;
  while (!done(result.values) && Date.now() < deadline) {
    const batch = fetcher.shift();
    if (batch === undefined) {
      if (fetcher.error !== undefined) throw fetcher.error;
      await fetcher.wait(100);
      continue;
    }
    result.batches.push(batch);
    for (let i = batch.from; i < batch.records.length; i++) {
      view.point(batch, i);
      result.values.push(view.value?.toString() ?? '');
      result.offsets.push(view.offset);
    }
  }
  return result;
}

const options = { fallback: 'earliest', maxBytes: 1 << 20, maxWaitMs: 100, highWater: 1000 } as const;

describe.skipIf(BROKERS === undefined)(`PartitionFetcher${skipped}`, () => {
  it('starts at the committed offset inside a batch, stops at the end offsets, and starts again from the commit after a join', async () => {
    const topic = unique('fetch');
    const group = unique('fetch-g');
    await createTopic(topic);
    await produce(topic, Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` }))); // one send: one batch
    const consumer = await member(topic, group);
    await consumer.commit({ offsets: [{ topic, partition: 0, offset: 4n, leaderEpoch: -1 }] });
    const endOffsets = await consumer.listOffsets({ topics: [topic] });
    const fetcher = new PartitionFetcher(consumer, [topic], { ...options, endOffsets });
    fetcher.start();

    const first = await drain(fetcher, (values) => values.length >= 6);
    expect(first.values).toEqual(['v4', 'v5', 'v6', 'v7', 'v8', 'v9']);
    expect(first.offsets).toEqual([4n, 5n, 6n, 7n, 8n, 9n]);
    expect(first.batches[0]?.from).toBe(4); // the batch came whole, from offset 0
    expect(fetcher.positions.get(`${topic}:0`)).toBe(10n);

    // Past the end offsets seen at start nothing is fetched, though more records arrive.
    await produce(topic, [{ value: 'late' }]);
    await fetcher.wait(500);
    expect(fetcher.drained).toBe(true);
    expect(fetcher.positions.get(`${topic}:0`)).toBe(10n);

    // A group join: the positions are reloaded from the commit, the records after it come again.
    fetcher.reassigned();
    const again = await drain(fetcher, (values) => values.length >= 6);
    expect(again.values).toEqual(['v4', 'v5', 'v6', 'v7', 'v8', 'v9']);
    fetcher.close();
  }, 60_000);

  it('without a commit starts at the fallback: earliest reads all, latest only what comes after', async () => {
    const topic = unique('fetch-fb');
    await createTopic(topic);
    await produce(topic, [{ value: 'a' }, { value: 'b' }]);
    const earliest = new PartitionFetcher(await member(topic, unique('fetch-e')), [topic], options);
    earliest.start();
    expect((await drain(earliest, (values) => values.length >= 2)).values).toEqual(['a', 'b']);
    earliest.close();

    const latest = new PartitionFetcher(await member(topic, unique('fetch-l')), [topic], { ...options, fallback: 'latest' });
    latest.start();
    await latest.wait(300);
    expect(latest.drained).toBe(true);
    await produce(topic, [{ value: 'c' }]);
    expect((await drain(latest, (values) => values.length >= 1)).values).toEqual(['c']);
    latest.close();
  }, 60_000);

  it('moves a committed offset outside the partition\'s records (a recreated topic, retention) to startFrom, and says so', async () => {
    const topic = unique('fetch-oor');
    await createTopic(topic);
    await produce(topic, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    for (const fallback of ['earliest', 'latest'] as const) {
      const consumer = await member(topic, unique(`fetch-oor-${fallback}`));
      await consumer.commit({ offsets: [{ topic, partition: 0, offset: 1000n, leaderEpoch: -1 }] });
      const resets: unknown[] = [];
      const fetcher = new PartitionFetcher(consumer, [topic], { ...options, fallback, onReset: (reset) => void resets.push(reset) });
      fetcher.start();
      if (fallback === 'earliest') {
        expect((await drain(fetcher, (values) => values.length >= 3)).values).toEqual(['a', 'b', 'c']);
      } else {
        await fetcher.wait(500);
        expect(fetcher.drained).toBe(true);
      }
      expect(fetcher.error).toBeUndefined();
      expect(resets).toEqual([{ topic, partition: 0, from: 1000n, to: fallback === 'earliest' ? 0n : 3n, first: 0n, end: 3n }]);
      expect(fetcher.positions.get(`${topic}:0`)).toBe(3n);
      fetcher.close();
    }
  }, 60_000);
});
