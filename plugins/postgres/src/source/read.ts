import Cursor from 'pg-cursor';
import type { PgClient } from '../connection/connect.js';
import type { CopyBinaryDecoder } from './binary-decoder.js';
import { CopyOutStream, type CopyDataBatch } from './copy-out.js';
import type { DecodedChunk } from './chunk-assembler.js';
import type { CopyTextDecoder } from './text-decoder.js';
import type { ReadPlan } from './plan.js';

// The key bound for an incremental read travels as a session setting, because COPY takes no
// bind parameters: the value never becomes part of the SQL text.
const AFTER_SETTING = 'flowengine.after';

/**
 * The SELECT of one read: the plan's, plus `WHERE key > $after ORDER BY key` when incremental, or
 * `OFFSET skip` when resuming without a key (`skip` is a count we computed, never config text).
 */
export function readSql(plan: ReadPlan, select: string, after: 'none' | 'setting' | 'parameter', skip = 0): string {
  if (plan.key === undefined) return skip > 0 ? `${select} OFFSET ${Math.floor(skip)}` : select;
  const bound = after === 'setting' ? `current_setting('${AFTER_SETTING}')::${plan.key.typeText}` : `$1::${plan.key.typeText}`;
  const filter = after === 'none' ? '' : ` WHERE ${plan.key.sql} > ${bound}`;
  return `${select}${filter} ORDER BY ${plan.key.sql}`;
}

/** What decodes a COPY's data, in the format it reads. */
export type CopyDecoder =
  | { readonly format: 'binary'; readonly decoder: CopyBinaryDecoder }
  | { readonly format: 'text'; readonly decoder: CopyTextDecoder };

/**
 * Streams `COPY (select) TO STDOUT` through the decoder: binary (what the source uses), or text,
 * which tests use to check that both give the same values.
 */
export async function* readCopy(client: PgClient, plan: ReadPlan, after: string | undefined, skip: number, { format, decoder }: CopyDecoder, signal: AbortSignal): AsyncGenerator<DecodedChunk> {
  if (after !== undefined) await client.query('SELECT set_config($1, $2, false)', [AFTER_SETTING, after]);
  const sql = readSql(plan, format === 'binary' ? plan.binarySelect : plan.select, after === undefined ? 'none' : 'setting', skip);
  const stream = client.query(new CopyOutStream(format === 'binary' ? `COPY (${sql}) TO STDOUT (FORMAT binary)` : `COPY (${sql}) TO STDOUT`));
  const onAbort = (): void => void stream.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const out: DecodedChunk[] = [];
  try {
    for await (const batch of stream as AsyncIterable<CopyDataBatch>) {
      const { bytes, ranges } = batch;
      for (let i = 0; i < ranges.length; i += 2) decoder.push(bytes, out, ranges[i] as number, ranges[i + 1] as number);
      while (out.length > 0) yield out.shift() as DecodedChunk;
      if (signal.aborted) return;
    }
    const last = decoder.end();
    if (last !== undefined) yield last;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!stream.destroyed) stream.destroy();
  }
}

/**
 * Reads through a server-side cursor, `chunkSize` rows per round trip. Every value is fetched as
 * its raw text (no driver type parsing) and parsed by the same code as COPY, so both modes agree.
 */
export async function* readCursor(client: PgClient, plan: ReadPlan, after: string | undefined, skip: number, decoder: CopyTextDecoder, chunkSize: number, signal: AbortSignal): AsyncGenerator<DecodedChunk> {
  const sql = readSql(plan, plan.select, after === undefined ? 'none' : 'parameter', skip);
  const cursor = client.query(new Cursor<unknown[]>(sql, after === undefined ? [] : [after], {
    rowMode: 'array',
    types: { getTypeParser: () => (value: string) => value },
  }));
  const out: DecodedChunk[] = [];
  try {
    for (;;) {
      const rows = await cursor.read(chunkSize);
      for (const row of rows) decoder.pushTextRow(row as (string | null)[], out);
      while (out.length > 0) yield out.shift() as DecodedChunk;
      if (rows.length < chunkSize || signal.aborted) break;
    }
    const last = decoder.end();
    if (last !== undefined && !signal.aborted) yield last;
  } finally {
    await cursor.close().catch(() => undefined);
  }
}
