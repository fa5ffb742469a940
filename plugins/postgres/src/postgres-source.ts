import { defineSource, FlowEngineError, type PluginContext, type SourceBatch } from '@flowengine/sdk';
import { closeQuietly, connect, type PgClient } from './connection/connect.js';
import { connectionUrl, retryPolicy } from './connection/options.js';
import { backoffDelay, isConnectionLoss, sleep } from './connection/retry.js';
import { CopyBinaryDecoder } from './source/binary-decoder.js';
import { PostgresSourceConfig, type PostgresSourceOptions } from './source/options.js';
import { planRead } from './source/plan.js';
import { readCopy, readCursor } from './source/read.js';
import { CopyTextDecoder } from './source/text-decoder.js';

/**
 * Where a postgres-source is: rows read so far and, with `incremental`, the text of the last key
 * read. A resumed instance reads only rows whose key is greater than `key`.
 */
export interface PostgresPosition {
  readonly rows: number;
  readonly key?: string | undefined;
}

/**
 * `postgres-source`: reads a table or query with `COPY … TO STDOUT` (or a cursor) into chunks.
 *
 * @example
 * - name: orders
 *   type: postgres-source
 *   config: { url: '${PG_URL}', table: orders, incremental: { column: id } }
 */
export const postgresSource = defineSource({
  id: 'postgres-source',
  config: PostgresSourceConfig,
  async open(ctx: PluginContext<PostgresSourceOptions>) {
    const config = ctx.config;
    const where = `instance "${ctx.instanceName}" (postgres-source)`;
    if ((config.table === undefined) === (config.query === undefined)) {
      throw new FlowEngineError('FE_PG_CONFIG', `${where}: expected exactly one of "table" and "query", found ${config.table === undefined ? 'neither' : 'both'}`);
    }
    const retry = retryPolicy(config.retry);
    const connectOptions = {
      url: connectionUrl(config.url, config.password), applicationName: `flowengine:${ctx.instanceName}`.slice(0, 63),
      retry, logger: ctx.logger, signal: ctx.signal,
    };
    let client: PgClient | undefined = await connect(connectOptions);
    const plan = await planRead(client, {
      schema: config.schema ?? 'public', table: config.table, query: config.query, numeric: config.numeric ?? 'string',
      incrementalColumn: config.incremental?.column, declaredSchema: ctx.declaredSchema, where,
    }).catch(async (error: unknown) => {
      await closeQuietly(client);
      throw error;
    });
    const chunkSize = config.chunkSize ?? 10000;
    const resumed = ctx.resumeFrom as PostgresPosition | undefined;
    let after = plan.key === undefined ? undefined : resumed?.key ?? config.incremental?.startAfter;
    let rows = Number.isSafeInteger(resumed?.rows) && (resumed?.rows as number) > 0 ? resumed?.rows as number : 0;
    // Without a key the only way past acknowledged rows is to skip as many: right when the server
    // returns the same order again (an unchanged table, a query with ORDER BY); README says so.
    const skip = plan.key === undefined ? rows : 0;
    if (skip > 0) ctx.logger.info('postgres-source resuming without incremental: skipping the rows already acknowledged', { rows: skip });

    return {
      schema: plan.schema,
      async *read(): AsyncGenerator<SourceBatch<PostgresPosition>> {
        for (let attempt = 0; ; attempt++) {
          const keyIndex = plan.key?.index ?? -1;
          const target = { display: plan.display, firstRow: rows };
          try {
            client ??= await connect(connectOptions);
            const chunks = config.mode === 'cursor'
              ? readCursor(client, plan, after, skip, new CopyTextDecoder(plan.schema, chunkSize, keyIndex, target), chunkSize, ctx.signal)
              : readCopy(client, plan, after, skip, { format: 'binary', decoder: new CopyBinaryDecoder(plan.schema, plan.wires, chunkSize, keyIndex, target) }, ctx.signal);
            for await (const decoded of chunks) {
              rows = decoded.rows;
              if (decoded.lastKey !== undefined) after = decoded.lastKey;
              yield { chunk: decoded.chunk, position: plan.key === undefined ? { rows } : { rows, key: after } };
              attempt = 0;
            }
            return;
          } catch (error) {
            if (ctx.signal.aborted) return;
            // Only an incremental read can continue where it broke off: it restarts after the last key yielded.
            if (!isConnectionLoss(error) || plan.key === undefined || attempt >= retry.maxRetries) {
              if (isConnectionLoss(error)) {
                throw new FlowEngineError('FE_PG_CONNECTION_LOST',
                  `${where}: reading ${plan.display}: expected the connection to hold, found "${(error as Error).message}" after ${rows} rows${plan.key === undefined ? ' (only an incremental read can continue after a loss; the engine restarts it)' : ` and ${attempt} retries`}`,
                  { details: { rows, retries: attempt }, cause: error });
              }
              throw asQueryError(error, where, plan.display);
            }
            await closeQuietly(client);
            client = undefined;
            const wait = backoffDelay(retry, attempt + 1);
            ctx.logger.warn('postgres-source lost its connection, resuming after the last key read', { attempt: attempt + 1, waitMs: wait, after, rows });
            await sleep(wait, ctx.signal);
          }
        }
      },
      ack(position: PostgresPosition) {
        ctx.logger.debug('postgres-source position acknowledged', { rows: position.rows, key: position.key });
      },
      async close() {
        await closeQuietly(client);
        client = undefined;
      },
    };
  },
});

function asQueryError(error: unknown, where: string, display: string): unknown {
  if (error instanceof FlowEngineError) return error;
  const code = (error as { code?: unknown }).code;
  return new FlowEngineError('FE_PG_QUERY_FAILED', `${where}: reading ${display}: the server rejected the read: ${(error as Error).message}`,
    { details: { sqlState: typeof code === 'string' ? code : undefined }, cause: error });
}
