import { fileURLToPath } from 'node:url';
import { AvailablePlugins, buildExecutionPlan, loadPipelineConfig, runPipeline } from '@flowengine/core';
import { createInstanceHost } from '@flowengine/isolation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresSink, postgresSource } from '../src/index.js';
import { PG_URL, probeServer, tableHash, testSchema } from './pg.js';

const server = await probeServer();
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const modulePath = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const plugins = new AvailablePlugins([postgresSource, postgresSink].map((descriptor) => ({
  id: descriptor.id, kind: descriptor.kind, configSchema: descriptor.config, modulePath, packageDir, packageName: '@flowengine/plugin-postgres', firstParty: true,
})));

describe.skipIf(!server.ok)('in a pipeline (core runtime, worker isolation)', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeEach(async () => {
    db = await testSchema();
    await db.admin.query(`CREATE TABLE ${db.name}.src (id int8 PRIMARY KEY, body text, at timestamptz)`);
    await db.admin.query(`INSERT INTO ${db.name}.src SELECT g, 'row ' || g, timestamptz '2024-01-01' + g * interval '1 minute' FROM generate_series(1, 30000) g`);
    await db.admin.query(`CREATE TABLE ${db.name}.dst (id int8 PRIMARY KEY, body text, at timestamptz)`);
    // The sink's session kills itself once, in the middle of a batch: a deterministic connection loss.
    await db.admin.query(`CREATE SEQUENCE ${db.name}.kills`);
    await db.admin.query(`CREATE FUNCTION ${db.name}.kill_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = 12345 AND nextval('${db.name}.kills') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
        RETURN NEW;
      END $$`);
    await db.admin.query(`CREATE TRIGGER kill_once BEFORE INSERT ON ${db.name}.dst FOR EACH ROW EXECUTE FUNCTION ${db.name}.kill_once()`);
  });
  afterEach(async () => { await db.drop(); });

  const yaml = (mode: string, sinkRetries: number) => `
pipeline:
  name: pg-copy
  plugins:
    - name: source
      type: postgres-source
      config: { url: "\${PG_URL}", schema: ${db.name}, table: src, chunkSize: 2000, incremental: { column: id } }
    - name: sink
      type: postgres-sink
      input: source
      restart: { maxRetries: 3, backoffMs: 10 }
      config: { url: "\${PG_URL}", schema: ${db.name}, table: dst, mode: ${mode}, key: [id], retry: { maxRetries: ${sinkRetries}, backoffMs: 10 } }
`;

  async function run(mode: string, sinkRetries: number) {
    const loaded = loadPipelineConfig({ file: 'pg-copy.yml', text: yaml(mode, sinkRetries) }, { plugins, env: { PG_URL } });
    const host = createInstanceHost();
    try {
      const summary = await runPipeline(buildExecutionPlan(loaded, plugins), { startInstance: host.startInstance });
      return { loaded, summary };
    } finally {
      await host.close();
    }
  }

  it('${PG_URL} reaches the plugin, the url is redacted, and a killed sink session is restarted by the engine: upsert exactly once', async () => {
    const { loaded, summary } = await run('upsert', 0);
    expect(loaded.redacted.plugins.map((p) => p.config.url)).toEqual(['***', '***']);
    expect(JSON.stringify(summary)).not.toContain(PG_URL);
    expect(summary.status).toBe('succeeded');
    expect(summary.retries).toEqual({ sink: 1 });
    // Row 12345 was inserted twice: once when the session died, once in the replayed batch.
    expect((await db.admin.query(`SELECT last_value::int AS n FROM ${db.name}.kills`)).rows[0]?.n).toBe(2);
    expect(await tableHash(db.admin, db.name, 'dst', 'id')).toBe(await tableHash(db.admin, db.name, 'src', 'id'));
  });

  it('append with the plugin\'s own retries: the kill mid-COPY is retried inside the sink, every row at least once', async () => {
    const { summary } = await run('append', 5);
    expect(summary.status).toBe('succeeded');
    expect(summary.retries).toEqual({});
    const stats = (await db.admin.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM ${db.name}.dst`)).rows[0];
    expect(stats?.d).toBe(30000);
    expect(stats?.n).toBeGreaterThanOrEqual(30000);
  });
});
