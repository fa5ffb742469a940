import { PassThrough } from 'node:stream';
import { Schema } from '@flowengine/sdk';
import type { Connection } from 'pg';
import { describe, expect, it } from 'vitest';
import { CopyOutFramer, CopyOutStream, type CopyDataBatch } from './copy-out.js';
import type { DecodedChunk } from './chunk-assembler.js';
import { CopyTextDecoder } from './text-decoder.js';

/** A backend message: type byte, int32 length (itself included), body. */
function message(type: string, body = ''): Buffer {
  const payload = Buffer.from(body);
  const header = Buffer.alloc(5);
  header[0] = type.charCodeAt(0);
  header.writeUInt32BE(payload.length + 4, 1);
  return Buffer.concat([header, payload]);
}

const schema = Schema.of([{ name: 'id', type: 'int32' }, { name: 'body', type: 'string' }]);
const ROWS = [[1, 'plain'], [2, 'ünï 😀'], [3, 'tab\there\nnewline\\'], [null, null], [4, 'split'], [5, '\\N'], [6, 'long '.repeat(100)]];

// What the server sends for a COPY of ROWS, with the messages it may put in between; the last
// row comes in two CopyData messages (the protocol allows it, though servers send one per row).
const COPY = Buffer.concat([
  message('H', '\0\0\x02\0\0\0\0'), // CopyOutResponse: text, 2 columns
  message('d', '1\tplain\n'),
  message('N', 'SNOTICE\0Mhello\0\0'),
  message('d', '2\tünï 😀\n'),
  message('d', '3\ttab\\there\\nnewline\\\\\n'),
  message('S', 'application_name\0x\0'),
  message('d', '\\N\t\\N\n'),
  message('A', '\0\0\0\x01chan\0\0'),
  message('d', '4\tsp'),
  message('d', 'lit\n5\t\\\\N\n'),
  message('d', `6\t${'long '.repeat(100)}\n`), // a length of more than one byte
  message('c'), // CopyDone
]);
// What pg must read once the COPY is over.
const AFTER = Buffer.concat([message('C', 'COPY 6\0'), message('Z', 'I')]);
const ERROR = Buffer.concat([message('E', 'SERROR\0C22012\0Mdivision by zero\0\0'), message('Z', 'I')]);

/**
 * Runs framer and decoder over `chunks` as the stream does. Returns the rows, how the COPY ended,
 * and the bytes left for pg: the rest of the chunk where it ended, then every later chunk.
 */
function frame(chunks: readonly Buffer[]): { rows: unknown[][]; outcome: string; unread: Buffer } {
  const framer = new CopyOutFramer();
  const decoder = new CopyTextDecoder(schema, 4, -1, { display: 'test' });
  const out: DecodedChunk[] = [];
  const unread: Buffer[] = [];
  for (const chunk of chunks) {
    if (framer.outcome !== 'copying') {
      unread.push(chunk);
      continue;
    }
    const ranges: number[] = [];
    const end = framer.scan(chunk, ranges);
    for (let i = 0; i < ranges.length; i += 2) decoder.push(chunk, out, ranges[i] as number, ranges[i + 1] as number);
    if (end >= 0) unread.push(chunk.subarray(end));
  }
  if (framer.outcome === 'done') {
    const last = decoder.end();
    if (last !== undefined) out.push(last);
  }
  const rows = out.flatMap(({ chunk }) => Array.from({ length: chunk.length }, (_, r) => chunk.columns.map((c) => c.get(r))));
  return { rows, outcome: framer.outcome, unread: Buffer.concat(unread) };
}

describe('CopyOutFramer', () => {
  const whole = Buffer.concat([COPY, AFTER]);

  it('finds every row and hands pg the bytes after CopyDone, however the stream is cut in two', () => {
    for (let cut = 0; cut <= whole.length; cut++) {
      const result = frame([whole.subarray(0, cut), whole.subarray(cut)]);
      expect({ cut, ...result }).toEqual({ cut, rows: ROWS, outcome: 'done', unread: AFTER });
    }
  });

  it('does the same one byte at a time (every header and row cut everywhere)', () => {
    const bytes = Array.from(whole, (_, i) => whole.subarray(i, i + 1));
    expect(frame(bytes)).toEqual({ rows: ROWS, outcome: 'done', unread: AFTER });
  });

  it('stops at an ErrorResponse and leaves it, whole, for pg', () => {
    const rowsThenError = Buffer.concat([message('H', '\0\0\x02\0\0\0\0'), message('d', '1\ta\n'), ERROR]);
    for (let cut = 0; cut <= rowsThenError.length; cut++) {
      const { outcome, unread } = frame([rowsThenError.subarray(0, cut), rowsThenError.subarray(cut)]);
      expect({ cut, outcome, unread }).toEqual({ cut, outcome: 'error', unread: ERROR });
    }
  });
});

describe('CopyOutStream', () => {
  /** A stand-in for pg's Connection: a socket with pg's one 'data' listener, which records what it gets. */
  function fakeConnection() {
    const socket = new PassThrough();
    const pgReceived: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => pgReceived.push(chunk));
    const queries: string[] = [];
    const connection = { stream: socket, query: (text: string) => queries.push(text) } as unknown as Connection;
    return { socket, connection, pgReceived, queries };
  }

  it('streams the rows, then gives the socket back to pg with the bytes after CopyDone', async () => {
    const { socket, connection, pgReceived, queries } = fakeConnection();
    const stream = new CopyOutStream('COPY t TO STDOUT');
    stream.submit(connection);
    expect(queries).toEqual(['COPY t TO STDOUT']);
    const whole = Buffer.concat([COPY, AFTER]);
    void (async () => {
      // Small pieces, each its own socket read, so headers and rows are cut between batches.
      for (let at = 0; at < whole.length; at += 7) {
        socket.write(whole.subarray(at, at + 7));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const decoder = new CopyTextDecoder(schema, 100, -1, { display: 'test' });
    const out: DecodedChunk[] = [];
    for await (const { bytes, ranges } of stream as AsyncIterable<CopyDataBatch>) {
      for (let i = 0; i < ranges.length; i += 2) decoder.push(bytes, out, ranges[i] as number, ranges[i + 1] as number);
    }
    const chunk = decoder.end()?.chunk;
    expect(Array.from({ length: chunk?.length ?? 0 }, (_, r) => chunk?.columns.map((c) => c.get(r)))).toEqual(ROWS);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Buffer.concat(pgReceived)).toEqual(AFTER);
    expect(socket.listenerCount('readable')).toBe(0);
    expect(socket.isPaused()).toBe(false);
  });

  it('refuses a connection whose socket does not have exactly one data listener (pg changed shape)', () => {
    const { socket, connection } = fakeConnection();
    socket.on('data', () => undefined);
    expect(() => new CopyOutStream('COPY t TO STDOUT').submit(connection)).toThrow(/one 'data' listener/);
  });
});
