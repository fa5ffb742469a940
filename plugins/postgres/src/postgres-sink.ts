import { defineSink, type PluginContext, type Schema, type SinkInstance } from '@flowengine/sdk';
import { closeQuietly, connect } from './connection/connect.js';
import { connectionUrl, retryPolicy } from './connection/options.js';
import { BatchWriter } from './sink/batch-writer.js';
import { PostgresSinkConfig, type PostgresSinkOptions } from './sink/options.js';
import { resolveTarget } from './sink/target.js';

/**
 * `postgres-sink`: writes chunks to a table with COPY FROM STDIN (binary when every column's type
 * allows, else text), one transaction per flush;
 * `upsert` merges through a staging table, `replace` truncates first.
 *
 * @example
 * - name: store
 *   type: postgres-sink
 *   input: orders
 *   config: { url: '${PG_URL}', table: orders, mode: upsert, key: [id], createTable: true }
 */
export const postgresSink = defineSink({
  id: 'postgres-sink',
  config: PostgresSinkConfig,
  async open(ctx: PluginContext<PostgresSinkOptions>, inputSchema: Schema): Promise<SinkInstance> {
    const config = ctx.config;
    const where = `instance "${ctx.instanceName}" (postgres-sink)`;
    const mode = config.mode ?? 'append';
    const retry = retryPolicy(config.retry);
    const connectOptions = {
      url: connectionUrl(config.url, config.password), applicationName: `flowengine:${ctx.instanceName}`.slice(0, 63),
      retry, logger: ctx.logger, signal: ctx.signal,
    };
    const client = await connect(connectOptions);
    let target;
    try {
      target = await resolveTarget(client, {
        schema: config.schema ?? 'public', table: config.table, input: inputSchema, mode, key: config.key,
        createTable: config.createTable ?? false, where,
      });
    } finally {
      await closeQuietly(client);
    }
    ctx.logger.debug('postgres-sink COPY format', { table: target.table.display, format: target.format.name, reason: target.format.reason });
    const { format } = target;
    const retries = ctx.meter.createCounter('postgres_sink_retries', { description: 'Batches replayed after a lost connection' });
    const writer = new BatchWriter({
      target, mode, retry, where, logger: ctx.logger, signal: ctx.signal,
      connect: () => connect(connectOptions),
      reject: (row) => ctx.reject(row),
      onRetry: () => retries.add(1),
    });
    let writes = 0;
    let rows = 0;
    return {
      async write(chunk) {
        if (chunk.length === 0) return;
        const encoded = format.encode(chunk);
        writes++;
        await writer.write({ ...encoded, write: writes, firstRow: rows, rejected: new Set(), chunk: format.keepsChunk ? chunk : undefined });
        rows += chunk.length;
      },
      async flush() {
        await writer.flush();
      },
      async close() {
        const { retries: retried, rejected } = writer.stats;
        if (retried > 0 || rejected > 0) ctx.logger.info('postgres-sink summary', { table: target.table.display, rows, retries: retried, rejected });
        await writer.close();
      },
    };
  },
});
