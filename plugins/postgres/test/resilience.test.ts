import { chunkFromRows, Schema, type Chunk } from '@flowengine/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresSink, postgresSource, type PostgresPosition } from '../src/index.js';
import { idleInTransaction, PG_URL, probeServer, testSchema } from './pg.js';
import { pluginContext } from '@flowengine/sdk/testing';

const server = await probeServer();

describe.skipIf(!server.ok)('connection loss (pg_terminate_backend)', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeEach(async () => {
    db = await testSchema();
    await db.admin.query(`CREATE TABLE ${db.name}.src (id int8 PRIMARY KEY, body text)`);
    await db.admin.query(`INSERT INTO ${db.name}.src SELECT g, repeat('x', 4000) || g FROM generate_series(1, 10000) g`);
    await db.admin.query(`CREATE TABLE ${db.name}.dst (id int8 PRIMARY KEY, body text)`);
    await db.admin.query(`CREATE TABLE ${db.name}.log (id int8, body text)`);
  });
  afterEach(async () => {
    try {
      expect(await idleInTransaction(db.admin)).toBe(0);
    } finally {
      await db.drop();
    }
  });

  /** Ends every session of one instance, as an operator or a failover would. */
  const terminate = async (instance: string): Promise<number> => (await db.admin.query(
    'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1', [`flowengine:${instance}`])).rows[0]?.n;

  /**
   * source → sink, acknowledging each position after the sink flushed it (what the engine does),
   * killing the sink's session mid-COPY and the source's session mid-read.
   */
  async function run(table: string, mode: 'append' | 'upsert', id: string) {
    const source = pluginContext(postgresSource, { url: PG_URL, schema: db.name, table: 'src', chunkSize: 500, incremental: { column: 'id' }, retry: { backoffMs: 5 } }, { instanceName: `src-${id}` });
    const sink = pluginContext(postgresSink, { url: PG_URL, schema: db.name, table, mode, key: ['id'], retry: { backoffMs: 5 } }, { instanceName: `dst-${id}` });
    const reader = await postgresSource.open(source.ctx);
    const writer = await postgresSink.open(sink.ctx, reader.schema);
    const acked: PostgresPosition[] = [];
    let batches = 0;
    let killedSink = 0;
    let killedSource = 0;
    try {
      for await (const { chunk, position } of reader.read()) {
        await writer.write(chunk);
        batches++;
        if (batches === 3 || batches === 12) killedSink += await terminate(`dst-${id}`); // COPY open, transaction uncommitted
        if (batches === 7) killedSource += await terminate(`src-${id}`); // COPY TO paused mid-stream
        if (batches % 4 === 0) {
          await writer.flush();
          await reader.ack?.(position);
          acked.push(position);
        }
      }
      await writer.flush();
    } finally {
      await writer.close?.();
      await reader.close?.();
    }
    return { killedSink, killedSource, acked, sinkLogs: sink.logs, sourceLogs: source.logs };
  }

  it('upsert: every source row is in the table exactly once, and the retries are reported', async () => {
    const result = await run('dst', 'upsert', 'u');
    expect(result.killedSink).toBe(2);
    expect(result.killedSource).toBe(1);
    const stats = (await db.admin.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d, min(id)::int AS lo, max(id)::int AS hi FROM ${db.name}.dst`)).rows[0];
    expect(stats).toEqual({ n: 10000, d: 10000, lo: 1, hi: 10000 });
    expect(await db.admin.query(`SELECT 1 FROM ${db.name}.src s FULL JOIN ${db.name}.dst d USING (id) WHERE s.body IS DISTINCT FROM d.body`)).toMatchObject({ rowCount: 0 });
    const retries = result.sinkLogs.filter((l) => l.message.includes('replaying the uncommitted batch'));
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[0]?.fields).toMatchObject({ attempt: 1, rows: expect.any(Number) });
    expect(result.sinkLogs.find((l) => l.message === 'postgres-sink summary')?.fields).toMatchObject({ retries: retries.length, rejected: 0 });
    // Replays open a new COPY, which in binary needs its own header and trailer.
    expect(result.sinkLogs.find((l) => l.message === 'postgres-sink COPY format')?.fields).toMatchObject({ format: 'binary' });
    expect(result.sourceLogs.some((l) => l.message.includes('resuming after the last key read'))).toBe(true);
  });

  it('append: every source row is in the table at least once', async () => {
    const result = await run('log', 'append', 'a');
    expect(result.killedSink).toBe(2);
    expect(result.killedSource).toBe(1);
    const stats = (await db.admin.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM ${db.name}.log`)).rows[0];
    expect(stats?.d).toBe(10000);
    expect(stats?.n).toBeGreaterThanOrEqual(10000);
  });

  it('when the retries run out: FE_PG_CONNECTION_LOST, nothing of the batch committed, no session left in a transaction', async () => {
    const schema = Schema.of([{ name: 'id', type: 'int64' }, { name: 'body', type: 'string' }]);
    const sink = pluginContext(postgresSink, { url: PG_URL, schema: db.name, table: 'dst', retry: { maxRetries: 0 } }, { instanceName: 'dst-x' });
    const writer = await postgresSink.open(sink.ctx, schema);
    await writer.write(chunkFromRows(schema, [[1, 'a']]));
    expect(await terminate('dst-x')).toBe(1);
    await writer.write(chunkFromRows(schema, [[2, 'b']]));
    await expect(writer.flush()).rejects.toMatchObject({ code: 'FE_PG_CONNECTION_LOST', message: expect.stringContaining('the batch was rolled back') });
    await writer.close?.();
    expect((await db.admin.query(`SELECT count(*)::int AS n FROM ${db.name}.dst`)).rows[0]?.n).toBe(0);
  });

  it('a non-incremental read cannot continue after a loss: FE_PG_CONNECTION_LOST for the engine to restart it', async () => {
    const source = pluginContext(postgresSource, { url: PG_URL, schema: db.name, table: 'src', chunkSize: 1000 }, { instanceName: 'src-x' });
    const reader = await postgresSource.open(source.ctx);
    const chunks: Chunk[] = [];
    const read = (async () => {
      for await (const { chunk } of reader.read()) {
        chunks.push(chunk);
        if (chunks.length === 1) await terminate('src-x');
      }
    })();
    await expect(read).rejects.toMatchObject({ code: 'FE_PG_CONNECTION_LOST' });
    await reader.close?.();
  });
});
