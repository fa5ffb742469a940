import { randomBytes } from 'node:crypto';
import type { SourceDescriptor, TSchema } from '@flowengine/sdk';
import { readSource, type PluginContextOptions } from '@flowengine/sdk/testing';
import pg from 'pg';

/** Where the tests find Postgres (CONTRIBUTING.md: FLOWENGINE_TEST_PG_URL). */
export const PG_URL = process.env.FLOWENGINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether the server answers. When it does not: tests skip with the reason, unless
 * FLOWENGINE_REQUIRE_SERVICES is set (CI), where the absence is a failure.
 */
export async function probeServer(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (error) {
    const reason = `Postgres at ${PG_URL} is unreachable (${(error as Error).message}); set FLOWENGINE_TEST_PG_URL`;
    if (process.env.FLOWENGINE_REQUIRE_SERVICES) throw new Error(`${reason}. FLOWENGINE_REQUIRE_SERVICES is set, so this fails instead of skipping.`);
    console.warn(`skipping postgres tests: ${reason}`);
    return { ok: false, reason };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema of its own for one test, dropped (CASCADE) by `drop`. */
export async function testSchema(): Promise<{ name: string; admin: pg.Client; drop(): Promise<void> }> {
  const name = `fe_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${pg.escapeIdentifier(name)}`);
  return {
    name, admin,
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`);
      await admin.end();
    },
  };
}

/** md5 of a table's rows in a stable order: equal hashes mean equal contents. */
export async function tableHash(client: pg.Client, schema: string, table: string, orderBy: string): Promise<string> {
  const sql = `SELECT md5(string_agg(t::text, '|' ORDER BY ${pg.escapeIdentifier(orderBy)})) AS h FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)} t`;
  const result = await client.query<{ h: string | null }>(sql);
  return result.rows[0]?.h ?? 'empty';
}

/** An `events (id int8 PRIMARY KEY, body text, at timestamptz)` table: row g is (g, body || g, 2024-01-01 + g * step). */
export async function createEvents(db: { name: string; admin: pg.Client }, table: string, rows: number, options: { body: string; step: string }): Promise<void> {
  const name = `${pg.escapeIdentifier(db.name)}.${pg.escapeIdentifier(table)}`;
  await db.admin.query(`CREATE TABLE ${name} (id int8 PRIMARY KEY, body text, at timestamptz)`);
  await db.admin.query(`INSERT INTO ${name} SELECT g, $1 || g, timestamptz '2024-01-01' + g * $2::interval FROM generate_series(1, $3::int) g`,
    [options.body, options.step, rows]);
}

/** Reads a source to the end, acknowledging every position as the engine does after a flush. */
export function readAll<C extends TSchema>(source: SourceDescriptor<C>, config: unknown, options: PluginContextOptions = {}) {
  return readSource(source, config, { ...options, ack: true });
}

/** Sessions of this test run that sit inside a transaction doing nothing (there must be none). */
export async function idleInTransaction(client: pg.Client): Promise<number> {
  const result = await client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND application_name LIKE 'flowengine:%'");
  return result.rows[0]?.n ?? 0;
}
