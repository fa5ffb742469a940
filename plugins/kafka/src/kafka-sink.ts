import { FlowEngineError, defineSink, type Chunk, type PluginContext, type Schema } from '@flowengine/sdk';
import { ProduceAcks, Producer } from '@platformatic/kafka';
import { clientOptions, closeQuietly, connectError, describeCause, retryBudgetMs, withDeadline } from './client/connection.js';
import { RowEncoder, type OutgoingRecord } from './format/encoder.js';
import { KafkaSinkConfig, type KafkaSinkOptions } from './sink/options.js';

/**
 * `kafka-sink`: writes each row as one record, batched, with `acks: all` and the idempotent
 * producer. `flush` resolves once the broker acknowledged every record written before it, which
 * is what lets the engine acknowledge source positions after it.
 *
 * @example
 * - name: out
 *   type: kafka-sink
 *   input: orders
 *   config: { brokers: 127.0.0.1:9092, topic: orders-clean, key: id, compression: gzip }
 */
export const kafkaSink = defineSink({
  id: 'kafka-sink',
  config: KafkaSinkConfig,
  async open(ctx: PluginContext<KafkaSinkOptions>, inputSchema: Schema) {
    const config = ctx.config;
    const where = `kafka-sink "${ctx.instanceName}"`;
    const encoder = new RowEncoder(inputSchema, config.topic, config.format ?? 'json', config.delimiter ?? ',', config.key, where);
    const maxBatchRows = config.maxBatchRows ?? 1000;
    const lingerMs = config.lingerMs ?? 5;
    const maxQueuedBatches = config.maxQueuedBatches ?? 4;
    const base = clientOptions(config, ctx.instanceName);
    const producer = new Producer({
      ...base,
      idempotent: true,
      acks: ProduceAcks.ALL,
      compression: config.compression ?? 'none',
    });
    const budgetMs = retryBudgetMs(config);
    const gaveUp = (what: string) => () => new Error(`${what} did not succeed within ${budgetMs} ms (retries × retryDelayMs + 5 s)`);
    try {
      await withDeadline(producer.initIdempotentProducer({}), budgetMs, gaveUp('InitProducerId'));
    } catch (error) {
      await closeQuietly(producer);
      throw connectError(where, base, error, 'start an idempotent producer on');
    }

    const pending: OutgoingRecord[] = [];
    let failure: FlowEngineError | undefined;
    let linger: NodeJS.Timeout | undefined;
    let sent = 0;
    // The client's idempotent producer advances a partition's sequence number when a produce
    // response arrives, so two requests in flight would reuse one sequence and the broker would
    // reject the second (OUT_OF_ORDER_SEQUENCE). Batches therefore go out one after another, in
    // order; up to `maxQueuedBatches` wait their turn before `write` waits too.
    let queued = 0;
    let tail: Promise<void> = Promise.resolve();
    const drained: Array<() => void> = [];

    const send = (records: OutgoingRecord[]): void => {
      queued += 1;
      tail = tail.then(async () => {
        if (failure !== undefined) return;
        try {
          await withDeadline(producer.send({ messages: records }), budgetMs, gaveUp('Produce'));
          sent += records.length;
        } catch (error) {
          failure ??= new FlowEngineError('FE_KAFKA_PRODUCE', `${where}: the broker did not acknowledge ${records.length} record(s) for topic "${config.topic}": ${describeCause(error)}`,
            { details: { topic: config.topic, records: records.length }, cause: error });
        } finally {
          queued -= 1;
          drained.shift()?.();
        }
      });
    };
    const sendPending = async (all: boolean): Promise<void> => {
      // The condition is checked again after every wait: the linger timer may have sent meanwhile.
      while (pending.length >= maxBatchRows || (all && pending.length > 0)) {
        if (queued >= maxQueuedBatches) {
          await new Promise<void>((resolve) => drained.push(resolve));
          continue;
        }
        send(pending.splice(0, maxBatchRows));
      }
    };
    const check = (): void => {
      if (failure !== undefined) throw failure;
    };

    return {
      async write(chunk: Chunk) {
        check();
        encoder.encode(chunk, pending);
        await sendPending(false);
        if (pending.length > 0 && linger === undefined) {
          linger = setTimeout(() => {
            linger = undefined;
            sendPending(true).catch(() => undefined);
          }, lingerMs);
        }
      },
      async flush() {
        if (linger !== undefined) clearTimeout(linger);
        linger = undefined;
        await sendPending(true);
        await tail;
        check();
      },
      async close() {
        if (linger !== undefined) clearTimeout(linger);
        ctx.logger.debug(`${where}: ${sent} record(s) acknowledged by the broker`, { sent });
        await closeQuietly(producer);
      },
    };
  },
});
