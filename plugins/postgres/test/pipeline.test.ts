import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvents, PG_URL, probeServer, tableHash, testSchema } from './pg.js';

const server = await probeServer();
// The whole engine, as a user runs it: the built `flowengine` CLI, started from the repository
// root so it finds this package (built dist/) among the installed plugins. Plugins may not import
// the runtime, not even in tests, so the pipeline runs in a child process.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(root, 'packages/cli/dist/bin.js');
if (!existsSync(cli) || !existsSync(join(root, 'plugins/postgres/dist/index.js'))) {
  throw new Error(`${cli} or plugins/postgres/dist is missing: build first (npx tsc -b packages/cli plugins/postgres)`);
}
// A password the server ignores (trust auth), to prove the url is redacted everywhere.
const SECRET = 'pw-never-printed-7f3a';
const urlWithPassword = (() => {
  const url = new URL(PG_URL);
  url.password = SECRET;
  return url.toString();
})();

function runCli(yaml: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'fe-pg-pipeline-')), 'pipeline.yml');
  writeFileSync(file, yaml);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'run', file, '--json'], { cwd: root, env: { ...process.env, PG_URL: urlWithPassword } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => void (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => void (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!server.ok)('in a pipeline (flowengine run, worker isolation)', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeEach(async () => {
    db = await testSchema();
    await createEvents(db, 'src', 30000, { body: 'row ', step: '1 minute' });
    await db.admin.query(`CREATE TABLE ${db.name}.dst (LIKE ${db.name}.src INCLUDING ALL)`);
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

  it('${PG_URL} reaches the plugins unprinted; a killed sink session is restarted by the engine and the upsert is exact', async () => {
    const { code, stdout, stderr } = await runCli(yaml('upsert', 0));
    expect(stdout + stderr).not.toContain(SECRET);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as { status: string; retries: Record<string, number> };
    expect(summary.status).toBe('succeeded');
    expect(summary.retries).toEqual({ sink: 1 });
    expect(stderr).toContain('FE_PG_CONNECTION_LOST');
    // Row 12345 was inserted twice: once when the session died, once in the replayed batch.
    expect((await db.admin.query(`SELECT last_value::int AS n FROM ${db.name}.kills`)).rows[0]?.n).toBe(2);
    expect(await tableHash(db.admin, db.name, 'dst', 'id')).toBe(await tableHash(db.admin, db.name, 'src', 'id'));
  });

  it('append with the plugin\'s own retries: the kill mid-COPY is retried inside the sink and logged, every row at least once', async () => {
    const { code, stdout, stderr } = await runCli(yaml('append', 5));
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'succeeded', retries: {} });
    expect(stderr).toContain('replaying the uncommitted batch');
    const stats = (await db.admin.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM ${db.name}.dst`)).rows[0];
    expect(stats?.d).toBe(30000);
    expect(stats?.n).toBeGreaterThanOrEqual(30000);
  });
});
