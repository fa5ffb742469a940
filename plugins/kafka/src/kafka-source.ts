import { ChunkBuilder, FlowEngineError, defineSource, type PluginContext, type Schema, type SourceBatch } from '@flowengine/sdk';
import { Consumer } from '@platformatic/kafka';
import { clientOptions, closeQuietly, connectError, describeCause } from './client/connection.js';
import { CoerceError } from './format/coerce.js';
import { RecordDecoder } from './format/decoder.js';
import { PartitionFetcher, RecordView, isRebalanceError, type FetchedBatch } from './source/fetcher.js';
import { AckLedger, type CommitPoint, type KafkaPosition } from './source/ledger.js';
import { KafkaSourceConfig, type KafkaSourceOptions } from './source/options.js';
import { resolveTopics, seedOffsetsAt, seedResume } from './source/topics.js';

/**
 * Bytes a fetch asks for: 1 MiB, where the client's default is 10 MiB. The client keeps a response
 * as the list of socket reads it arrived in and finds each field it decodes by walking that list
 * from the start, so decoding costs grow with the response's size (1M records of 100 B, through
 * the client's stream: 15.8 s at 10 MiB, 13.3 s at 4 MiB, 9.9 s at 1 MiB, 11.5 s at 256 KiB). A
 * record batch larger than this still comes whole (the broker always returns one).
 */
const FETCH_MAX_BYTES = 1_048_576;

/** How long an idle source waits before it yields an empty chunk (see `heartbeat`). */
const IDLE_HEARTBEAT_MS = 1000;

/** A partly filled chunk of one partition. */
interface PartitionChunk {
  readonly topic: string;
  readonly partition: number;
  readonly builder: ChunkBuilder;
  /** The offset after the last record taken (decoded or rejected); -1 before any. */
  next: bigint;
  /** When the first record of the current chunk was taken (for `maxWaitMs`). */
  since: number;
}

/**
 * `kafka-source`: reads topics as a member of a consumer group, decoding each record onto the
 * declared schema. Offsets are committed only when the engine acknowledges a position, i.e. once
 * every sink has flushed the rows, and only the acknowledged prefix of each partition.
 *
 * @example
 * - name: orders
 *   type: kafka-source
 *   config: { brokers: 127.0.0.1:9092, topics: [orders], group: etl, stopAtEnd: true }
 *   schema: { fields: [{ name: id, type: int64 }, { name: amount, type: float64 }] }
 */
export const kafkaSource = defineSource({
  id: 'kafka-source',
  config: KafkaSourceConfig,
  async open(ctx: PluginContext<KafkaSourceOptions>) {
    const config = ctx.config;
    const where = `kafka-source "${ctx.instanceName}"`;
    const schema = ctx.declaredSchema;
    if (schema === undefined) {
      throw new FlowEngineError('FE_KAFKA_SCHEMA', `${where}: expected a declared schema (schema: { fields: [...] }) on the instance, found none; Kafka records carry no schema`,
        { details: { instance: ctx.instanceName } });
    }
    const decoder = new RecordDecoder(schema, config.format ?? 'json', config.metadata ?? {}, config.delimiter ?? ',', where);
    const chunkSize = config.chunkSize ?? 5000;
    const maxWaitMs = config.maxWaitMs ?? 200;
    const startTime = startTimeOf(config.startFrom, where);
    const resume = resumePoint(ctx.resumeFrom);
    const base = clientOptions(config, ctx.instanceName);
    const topics = await resolveTopics(config, base, where);
    const sessionTimeout = config.sessionTimeoutMs ?? 10_000;

    const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
      ...base,
      groupId: config.group,
      autocommit: false,
      sessionTimeout,
      heartbeatInterval: Math.max(200, Math.floor(sessionTimeout / 10)),
      rebalanceTimeout: Math.max(sessionTimeout, 30_000),
    });
    const ledger = new AckLedger();

    // --- commits ---------------------------------------------------------------------------
    let commitChain: Promise<void> = Promise.resolve();
    const commit = (): Promise<void> => {
      const run = commitChain.then(async () => {
        const points = ledger.takeCommits();
        if (points.length === 0) return;
        try {
          await consumer.commit({ offsets: points.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset, leaderEpoch: -1 })) });
        } catch (error) {
          if (isRebalanceError(error)) {
            // The group is rebalancing: keep the points; if the partitions stay ours, the next
            // commit (with the new generation) carries them, and if not, `forget` drops them.
            ledger.restoreCommits(points);
            ctx.logger.warn(`${where}: commit deferred by a group rebalance (${describeCause(error)})`, { partitions: describe(points) });
            return;
          }
          ledger.restoreCommits(points);
          throw new FlowEngineError('FE_KAFKA_COMMIT', `${where}: committing offsets ${describe(points)} for group "${config.group}" failed: ${describeCause(error)}`,
            { details: { group: config.group, offsets: describe(points) }, cause: error });
        }
      });
      commitChain = run.catch(() => undefined);
      return run;
    };

    // --- rebalances ------------------------------------------------------------------------
    /** Partitions assigned to this member, by `topic:partition` (the key of `partials` too). */
    let owned = new Map<string, { topic: string; partition: number }>();
    const partials = new Map<string, PartitionChunk>();
    // The client rejoins as soon as the coordinator announces a rebalance; commit what is
    // acknowledged right then, so the commit goes out ahead of the JoinGroup request.
    consumer.on('consumer:group:rebalance', () => {
      commit().catch((error: unknown) => ctx.logger.warn(`${where}: commit before rebalance failed: ${describeCause(error)}`));
    });
    consumer.on('consumer:group:join', (payload) => {
      const next = new Map<string, { topic: string; partition: number }>();
      for (const { topic, partitions } of payload.assignments ?? []) for (const partition of partitions) next.set(`${topic}:${partition}`, { topic, partition });
      const revoked = [...owned.keys()].filter((key) => !next.has(key));
      let dropped = 0;
      for (const key of revoked) {
        const { topic, partition } = owned.get(key) as { topic: string; partition: number };
        dropped += ledger.forget(topic, partition);
        partials.delete(key);
      }
      if (revoked.length > 0 || next.size !== owned.size) {
        const assigned = [...next.keys()];
        ctx.logger.info(`${where}: group "${config.group}" assigned ${assigned.sort().join(', ') || 'no partitions'}` +
          (revoked.length > 0 ? `; released ${revoked.sort().join(', ')} (${dropped} unacknowledged chunk(s) will be read again by their new owner)` : ''),
          { assigned, revoked });
      }
      owned = next;
    });

    let endOffsets: Map<string, bigint[]> | undefined;
    let fetcher: PartitionFetcher;
    try {
      if (startTime !== undefined) {
        const seeded = await seedOffsetsAt(startTime, topics, config.group, consumer, base, where);
        if (seeded > 0) ctx.logger.info(`${where}: started ${seeded} partition(s) without a committed offset at ${new Date(startTime).toISOString()}`);
      }
      if (resume !== undefined && topics.includes(resume.topic)) {
        const outcome = await seedResume(resume, config.group, base).catch((error: unknown) => describeCause(error));
        if (outcome !== 'moved' && outcome !== 'current') ctx.logger.warn(`${where}: could not resume ${resume.topic}/${resume.partition} at ${resume.offset} (${outcome}); reading from the committed offsets`);
      }
      if (config.stopAtEnd === true) endOffsets = await consumer.listOffsets({ topics });
      fetcher = new PartitionFetcher(consumer, topics, {
        fallback: config.startFrom === 'latest' ? 'latest' : 'earliest',
        maxBytes: FETCH_MAX_BYTES,
        maxWaitMs: Math.min(500, maxWaitMs * 2),
        highWater: Math.max(1000, chunkSize * 2),
        endOffsets,
        onReset: ({ topic, partition, from, to, first, end }) => ctx.logger.warn(
          `${where}: ${topic}/${partition}: offset ${from} is outside the partition's records (${first} to ${end}: deleted by retention, or the topic was recreated); reading from ${to} (startFrom ${config.startFrom === 'latest' ? 'latest' : 'earliest'})`,
          { topic, partition, from: from.toString(), to: to.toString() }),
      });
      // Registered after the rebalance bookkeeping above, so `owned` is current when it refetches.
      consumer.on('consumer:group:join', () => fetcher.reassigned());
      for (const topic of topics) consumer.topics.track(topic);
      await consumer.joinGroup({});
    } catch (error) {
      await closeQuietly(consumer);
      if (error instanceof FlowEngineError) throw error;
      throw connectError(where, base, error);
    }
    fetcher.start();

    // --- reading ---------------------------------------------------------------------------
    // A resumed source continues the numbering of the position it resumes after.
    let seq = resume?.seq ?? 0;
    let lastYield = performance.now();
    const empty = new ChunkBuilder(schema, { capacity: 1 });
    // An idle topic must not leave the engine waiting in read(): it checks for a stop between
    // chunks and bounds each call by timeoutSeconds. So an idle source yields an empty chunk now
    // and then; its position covers nothing new, so acknowledging it commits nothing.
    const heartbeat = (): SourceBatch<KafkaPosition> => {
      seq += 1;
      lastYield = performance.now();
      return { chunk: empty.finish(), position: { seq, topic: '', partition: -1, offset: '-1' } };
    };
    const emit = (part: PartitionChunk): SourceBatch<KafkaPosition> => {
      seq += 1;
      lastYield = performance.now();
      const position: KafkaPosition = { seq, topic: part.topic, partition: part.partition, offset: part.next.toString() };
      ledger.delivered(position);
      part.since = 0;
      return { chunk: part.builder.finish(), position };
    };
    const atEnd = (): boolean => {
      // A position moves only when its records are queued: with the queue empty, all up to it was taken.
      if (endOffsets === undefined || !fetcher.drained || consumer.assignments === null) return false;
      for (const { topic, partitions } of consumer.assignments) {
        for (const partition of partitions) {
          const end = endOffsets.get(topic)?.[partition] ?? 0n;
          const from = fetcher.positions.get(`${topic}:${partition}`);
          if (from === undefined || from < end) return false;
        }
      }
      return true;
    };
    const record = new RecordView();
    /** This member's chunk for `batch`'s partition (made on first use); undefined when it is not this member's to take. */
    const partOf = (batch: FetchedBatch): PartitionChunk | undefined => {
      // Fetched before a rebalance took the partition away: its new owner reads it.
      if (owned.size > 0 && !owned.has(batch.key)) return undefined;
      let part = partials.get(batch.key);
      if (part === undefined) {
        part = { topic: batch.topic, partition: batch.partition, builder: new ChunkBuilder(schema, { capacity: Math.min(chunkSize, 1024) }), next: -1n, since: 0 };
        partials.set(batch.key, part);
      }
      return part;
    };
    /** Takes record `index` of `batch` into `part`; false when this member has delivered it already. */
    const take = (part: PartitionChunk, batch: FetchedBatch, index: number): boolean => {
      record.point(batch, index);
      const offset = record.offset;
      // After a rejoin the fetcher starts again from the committed offsets: what this member took
      // already from a partition it kept comes a second time. It was delivered once; skip it.
      if (offset < part.next) return false;
      if (part.since === 0) part.since = performance.now();
      // The offset moves past a record that cannot be decoded too, whatever the policy does with it.
      part.next = offset + 1n;
      try {
        decoder.decodeInto(record, part.builder);
      } catch (error) {
        if (!(error instanceof CoerceError) && !(error instanceof FlowEngineError)) throw error;
        const location = `${batch.topic}/${batch.partition}/${offset}`;
        ctx.reject({
          record: record.value === undefined ? null : record.value.toString('utf8'),
          reason: `${location}: ${error.message}`,
          code: 'FE_KAFKA_DECODE',
          location,
        });
      }
      return true;
    };

    let closed = false;
    const shutdown = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      fetcher.close();
      await commit().catch((error: unknown) => ctx.logger.warn(`${where}: final commit failed: ${describeCause(error)}`));
      const error = await closeQuietly(consumer);
      if (error !== undefined) ctx.logger.warn(`${where}: closing the consumer failed: ${describeCause(error)}`);
    };

    return {
      schema: schema satisfies Schema,
      async *read(): AsyncGenerator<SourceBatch<KafkaPosition>> {
        let batch: FetchedBatch | undefined;
        let index = 0;
        // The batch's partition chunk, looked up once a batch and again after each yield (a
        // rebalance can only come while the generator is suspended); undefined: not this member's.
        let part: PartitionChunk | undefined;
        for (;;) {
          if (ctx.signal.aborted || closed) return;
          if (batch !== undefined && index < batch.records.length) {
            if (part === undefined) {
              index = batch.records.length;
            } else if (take(part, batch, index++) && part.builder.length >= chunkSize) {
              yield emit(part);
              part = partOf(batch);
            }
            continue;
          }
          batch = fetcher.shift();
          if (batch !== undefined) {
            index = batch.from;
            part = partOf(batch);
            continue;
          }
          if (fetcher.error !== undefined) {
            throw new FlowEngineError('FE_KAFKA_CONSUME', `${where}: reading ${topics.join(', ')} failed: ${describeCause(fetcher.error)}`,
              { details: { topics, group: config.group }, cause: fetcher.error });
          }
          // Nothing queued: emit partly filled chunks that waited long enough (or all at the end).
          const end = atEnd();
          const now = performance.now();
          let oldest = Infinity;
          for (const waiting of partials.values()) {
            if (waiting.since === 0) continue;
            if (end || now - waiting.since >= maxWaitMs) yield emit(waiting);
            else oldest = Math.min(oldest, waiting.since);
          }
          if (end) {
            ctx.logger.info(`${where}: reached the end offsets of ${topics.join(', ')} seen at start`);
            return;
          }
          if (now - lastYield >= IDLE_HEARTBEAT_MS) yield heartbeat();
          await fetcher.wait(oldest === Infinity ? maxWaitMs : Math.max(1, maxWaitMs - (now - oldest)));
        }
      },
      async ack(position: KafkaPosition) {
        if (ledger.acknowledge(position.seq) > 0) await commit();
      },
      close: shutdown,
    };
  },
});

/** `startFrom` as epoch ms when it is a time, undefined for earliest/latest. */
function startTimeOf(startFrom: KafkaSourceOptions['startFrom'], where: string): number | undefined {
  if (startFrom === undefined || startFrom === 'earliest' || startFrom === 'latest') return undefined;
  const ms = typeof startFrom === 'number' ? startFrom : Date.parse(startFrom);
  if (!Number.isFinite(ms)) {
    throw new FlowEngineError('FE_KAFKA_CONFIG', `${where}: config.startFrom: expected earliest, latest, an ISO 8601 time or epoch milliseconds, found ${JSON.stringify(startFrom)}`,
      { details: { option: 'startFrom', value: startFrom } });
  }
  return ms;
}

/** The position to resume after, when the engine re-opens the source with one of ours. */
function resumePoint(from: unknown): { seq: number; topic: string; partition: number; offset: bigint } | undefined {
  const position = from as Partial<KafkaPosition> | undefined;
  if (typeof position?.topic !== 'string' || typeof position.partition !== 'number' || position.partition < 0) return undefined;
  if (typeof position.offset !== 'string' || !/^\d+$/.test(position.offset) || typeof position.seq !== 'number') return undefined;
  return { seq: position.seq, topic: position.topic, partition: position.partition, offset: BigInt(position.offset) };
}

function describe(points: readonly CommitPoint[]): string {
  return points.map((p) => `${p.topic}/${p.partition}@${p.offset}`).join(', ');
}
