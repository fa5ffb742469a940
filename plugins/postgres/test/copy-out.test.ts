import { Schema } from '@flowengine/sdk';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// Internals on purpose: these pin how CopyOutStream takes over a real pg connection and gives it
// back, which the public source cannot show (it closes its client after a failed read).
import { CopyOutStream, type CopyDataBatch } from '../src/source/copy-out.js';
import { CopyBinaryDecoder, WIRE } from '../src/source/binary-decoder.js';
import type { DecodedChunk } from '../src/source/chunk-assembler.js';
import { PG_URL, probeServer } from './pg.js';

const server = await probeServer();

/**
 * Reads a COPY through CopyOutStream and the binary decoder, as postgres-source does (its columns
 * here are int4 or text); returns the decoded rows.
 */
async function copyRows(client: pg.Client, sql: string, schema: Schema): Promise<unknown[][]> {
  const stream = client.query(new CopyOutStream(`COPY (${sql}) TO STDOUT (FORMAT binary)`));
  const wires = schema.fields.map((field) => (field.type === 'int32' ? WIRE.int4 : WIRE.text));
  const decoder = new CopyBinaryDecoder(schema, wires, 10_000, -1, { display: 'test' });
  const out: DecodedChunk[] = [];
  for await (const { bytes, ranges } of stream as AsyncIterable<CopyDataBatch>) {
    for (let i = 0; i < ranges.length; i += 2) decoder.push(bytes, out, ranges[i] as number, ranges[i + 1] as number);
  }
  const last = decoder.end();
  if (last !== undefined) out.push(last);
  return out.flatMap(({ chunk }) => Array.from({ length: chunk.length }, (_, r) => chunk.columns.map((c) => c.get(r))));
}

describe.skipIf(!server.ok)('CopyOutStream on a real connection', () => {
  let client: pg.Client;
  beforeEach(async () => {
    client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
  });
  afterEach(async () => { await client.end(); });

  it('pg still has exactly one data listener on its socket, which CopyOutStream borrows (pg 8.23.1)', () => {
    const { connection } = client as unknown as { connection: pg.Connection };
    expect(connection.stream.listeners('data')).toHaveLength(1);
  });

  it('reads many network chunks of binary rows (multi-byte UTF-8, tabs and backslashes cut anywhere) and leaves the client usable', async () => {
    const schema = Schema.of([{ name: 'i', type: 'int32' }, { name: 's', type: 'string' }]);
    const rows = await copyRows(client, `SELECT i, repeat('ü', i % 50) || E'\\t\\\\' || i FROM generate_series(1, 200000) i`, schema);
    expect(rows).toHaveLength(200_000);
    expect(rows.every(([i, s], k) => i === k + 1 && s === `${'ü'.repeat((k + 1) % 50)}\t\\${k + 1}`)).toBe(true);
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('an error the server raises mid-COPY arrives as that error, and the client stays usable', async () => {
    const sql = 'SELECT CASE WHEN i < 5000 THEN i ELSE 1/(i-i) END FROM generate_series(1,10000) i';
    const error = await copyRows(client, sql, Schema.of([{ name: 'i', type: 'int32' }])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '22012', message: 'division by zero' });
    expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    const stream = client.query(new CopyOutStream('COPY (SELECT 1) TO STDOUT (FORMAT binary)'));
    for await (const _ of stream) { /* drain */ }
    expect(stream.rowCount).toBe(1);
  });
});
