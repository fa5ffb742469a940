import { FlowEngineError } from '@flowengine/sdk';
import { Admin, type Consumer } from '@platformatic/kafka';
import { connectError, type ClientOptions } from '../client/connection.js';
import type { KafkaSourceOptions } from './options.js';

/** The topics to subscribe: the list, or the topics the pattern matches now. */
export async function resolveTopics(config: KafkaSourceOptions, base: ClientOptions, where: string): Promise<string[]> {
  if ((config.topics === undefined) === (config.topicPattern === undefined)) {
    throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: expected exactly one of config.topics and config.topicPattern, found ${config.topics === undefined ? 'neither' : 'both'}`,
      { details: { option: 'topics' } });
  }
  const pattern = config.topicPattern === undefined ? undefined : compilePattern(config.topicPattern, where);
  const admin = new Admin(base);
  try {
    const names = await admin.listTopics({ includeInternals: false });
    if (pattern === undefined) {
      // A missing topic would otherwise show as a join that retries until it gives up.
      const missing = (config.topics ?? []).filter((topic) => !names.includes(topic));
      if (missing.length > 0) {
        throw new FlowEngineError('FE_KAFKA_NO_TOPICS', `${where}: config.topics: expected existing topics, found ${missing.map((t) => JSON.stringify(t)).join(', ')} missing on ${base.bootstrapBrokers.join(',')}`,
          { details: { missing } });
      }
      return [...(config.topics ?? [])];
    }
    const matched = names.filter((name) => pattern.test(name)).sort();
    if (matched.length === 0) {
      throw new FlowEngineError('FE_KAFKA_NO_TOPICS', `${where}: config.topicPattern ${JSON.stringify(config.topicPattern)} matches none of the ${names.length} topic(s) on ${base.bootstrapBrokers.join(',')}`,
        { details: { pattern: config.topicPattern, topics: names.slice(0, 50) } });
    }
    return matched;
  } catch (error) {
    if (error instanceof FlowEngineError) throw error;
    throw connectError(where, base, error);
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/**
 * `startFrom: <time>`: partitions the group has no committed offset for get one, the offset of
 * the first record at or after that time, committed before the consumer joins (so later runs of
 * the group resume from their own commits, as with earliest/latest).
 */
export async function seedOffsetsAt(time: number, topics: readonly string[], group: string, consumer: Consumer, base: ClientOptions, where: string): Promise<number> {
  const admin = new Admin(base);
  try {
    const [committed] = await admin.listConsumerGroupOffsets({ groups: [group] });
    const has = new Set<string>();
    for (const topic of committed?.topics ?? []) {
      for (const partition of topic.partitions) if (partition.committedOffset >= 0n) has.add(`${topic.name}:${partition.partitionIndex}`);
    }
    const atTime = await consumer.listOffsets({ topics: [...topics], timestamp: BigInt(time) });
    const latest = await consumer.listOffsets({ topics: [...topics] });
    const seeds: Array<{ name: string; partitionOffsets: Array<{ partition: number; offset: bigint }> }> = [];
    for (const [name, offsets] of atTime) {
      // A time after the last record answers -1: start at the end then.
      const partitionOffsets = offsets
        .map((offset, partition) => ({ partition, offset: offset >= 0n ? offset : (latest.get(name)?.[partition] ?? 0n) }))
        .filter(({ partition }) => !has.has(`${name}:${partition}`));
      if (partitionOffsets.length > 0) seeds.push({ name, partitionOffsets });
    }
    if (seeds.length > 0) await admin.alterConsumerGroupOffsets({ groupId: group, topics: seeds });
    return seeds.reduce((n, seed) => n + seed.partitionOffsets.length, 0);
  } catch (error) {
    if (error instanceof FlowEngineError) throw error;
    throw connectError(where, base, error);
  } finally {
    await admin.close().catch(() => undefined);
  }
}

function compilePattern(source: string, where: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: config.topicPattern: expected a regular expression, found ${JSON.stringify(source)} (${(error as Error).message})`,
      { details: { option: 'topicPattern' }, cause: error });
  }
}

/**
 * `resumeFrom` (the engine re-opens a failed source with the last acknowledged position): that
 * partition's committed offset is moved up to the position's, never back. The commit normally
 * happened on that acknowledgement already; this covers a position that was acknowledged but
 * whose commit did not go out. Needs the group to be empty (the failed consumer gone); when it
 * is not, reading starts at the committed offset, which only re-reads (at-least-once).
 */
export async function seedResume(position: { topic: string; partition: number; offset: bigint }, group: string, base: ClientOptions): Promise<'moved' | 'current'> {
  const admin = new Admin(base);
  try {
    const [committed] = await admin.listConsumerGroupOffsets({ groups: [group] });
    const current = committed?.topics.find((t) => t.name === position.topic)?.partitions.find((p) => p.partitionIndex === position.partition)?.committedOffset ?? -1n;
    if (current >= position.offset) return 'current';
    await admin.alterConsumerGroupOffsets({ groupId: group, topics: [{ name: position.topic, partitionOffsets: [{ partition: position.partition, offset: position.offset }] }] });
    return 'moved';
  } finally {
    await admin.close().catch(() => undefined);
  }
}
