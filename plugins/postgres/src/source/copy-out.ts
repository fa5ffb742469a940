import { Readable } from 'node:stream';
import type { Connection, Submittable } from 'pg';

// Backend message types (protocol "Message Formats").
const COPY_DATA = 0x64; // d
const COPY_OUT_RESPONSE = 0x48; // H
const ERROR_RESPONSE = 0x45; // E
const PARAMETER_STATUS = 0x53; // S
const NOTICE_RESPONSE = 0x4e; // N
const NOTIFICATION_RESPONSE = 0x41; // A

const TYPE = 0;
const LENGTH = 1;
const BODY = 2;

/** One network chunk of a COPY and where its CopyData payloads lie in it. */
export interface CopyDataBatch {
  readonly bytes: Buffer;
  /**
   * `start, end` pairs into `bytes`, in order. A payload cut by the chunk's end goes on in the
   * next batch, so the concatenated ranges are exactly the COPY text; rows may be cut anywhere.
   */
  readonly ranges: readonly number[];
}

/**
 * Splits the server's bytes during `COPY … TO STDOUT` into CopyData payload ranges, across any
 * split of the stream (a header cut in the middle included), without copying a byte.
 *
 * What ends COPY follows pg-copy-streams 7.0.0 (copy-to.js `_parse`): an ErrorResponse is left
 * unread for pg; CopyOutResponse, ParameterStatus, NoticeResponse and NotificationResponse are
 * skipped; any other message (CopyDone) is consumed and ends the COPY.
 */
export class CopyOutFramer {
  #state = TYPE;
  #type = 0;
  #length = 0;
  #lengthBytes = 0;
  #bodyLeft = 0;
  /** How the COPY ended: 'done' after CopyDone, 'error' at an ErrorResponse. */
  outcome: 'copying' | 'done' | 'error' = 'copying';

  /**
   * Appends the payload ranges in `chunk` to `ranges`. Returns -1 while the COPY goes on, else the
   * offset where the bytes stop being the COPY's (see {@link outcome}): pg reads from there.
   */
  scan(chunk: Uint8Array, ranges: number[]): number {
    const end = chunk.length;
    let pos = 0;
    // Locals for the per-row loop, written back before returning.
    let state = this.#state;
    let type = this.#type;
    let bodyLeft = this.#bodyLeft;
    while (pos < end) {
      if (state === TYPE) {
        type = chunk[pos] as number;
        if (type === ERROR_RESPONSE) {
          this.outcome = 'error';
          break;
        }
        pos++;
        state = LENGTH;
        this.#length = 0;
        this.#lengthBytes = 0;
      }
      if (state === LENGTH) {
        if (this.#lengthBytes === 0 && end - pos >= 4) {
          this.#length = ((chunk[pos] as number) * 0x1000000) + (((chunk[pos + 1] as number) << 16) | ((chunk[pos + 2] as number) << 8) | (chunk[pos + 3] as number));
          pos += 4;
        } else {
          // A chunk cut the length: gather it byte by byte.
          while (this.#lengthBytes < 4 && pos < end) {
            this.#length = this.#length * 256 + (chunk[pos++] as number);
            this.#lengthBytes++;
          }
          if (this.#lengthBytes < 4) break;
        }
        bodyLeft = this.#length - 4;
        state = BODY;
      }
      const take = Math.min(bodyLeft, end - pos);
      if (type === COPY_DATA && take > 0) ranges.push(pos, pos + take);
      pos += take;
      bodyLeft -= take;
      if (bodyLeft > 0) break;
      state = TYPE;
      if (type !== COPY_DATA && type !== COPY_OUT_RESPONSE && type !== PARAMETER_STATUS && type !== NOTICE_RESPONSE && type !== NOTIFICATION_RESPONSE) {
        this.outcome = 'done';
        break;
      }
    }
    this.#state = state;
    this.#type = type;
    this.#bodyLeft = bodyLeft;
    return this.outcome === 'copying' ? -1 : pos;
  }
}

/**
 * `COPY … TO STDOUT` as a pg query: a Readable of {@link CopyDataBatch}es, one per network chunk.
 *
 * pg-copy-streams' `to()` slices every CopyData message (one per row) out of the chunk and
 * concatenates them again; at a million rows those allocations cost more than decoding. This
 * hands over the chunk as read and where the rows are in it.
 *
 * Taking over the connection is pg-copy-streams 7.0.0's way, kept step for step: while the COPY
 * runs, pg's only 'data' listener on `connection.stream` (pg 8.23.1) is removed and the socket read
 * on demand, which gives backpressure; once the COPY ends the listener comes back and gets the
 * bytes not read, so pg parses the ErrorResponse or CommandComplete and ReadyForQuery itself and
 * the client stays usable. copy-out.test.ts fails if pg stops having exactly one such listener.
 */
export class CopyOutStream extends Readable implements Submittable {
  readonly text: string;
  /** Rows the server reported in CommandComplete. */
  rowCount = 0;
  readonly #framer = new CopyOutFramer();
  #connection: Connection | undefined;
  #pgOnData: ((chunk: Buffer) => void) | undefined;
  #wanted = false;
  #forwarding = false;
  #detached = false;
  readonly #onReadable = (): void => this.#forward();

  constructor(text: string) {
    super({ objectMode: true });
    this.text = text;
  }

  submit(connection: Connection): void {
    this.#connection = connection;
    const socket = connection.stream;
    const listeners = socket.listeners('data');
    if (listeners.length !== 1) throw new Error(`CopyOutStream: expected pg to have one 'data' listener on its socket, found ${listeners.length}`);
    this.#pgOnData = listeners[0] as (chunk: Buffer) => void;
    socket.removeListener('data', this.#pgOnData);
    socket.pause();
    this.#forward();
    socket.on('readable', this.#onReadable);
    connection.query(this.text);
  }

  override _read(): void {
    this.#wanted = true;
    this.#forward();
  }

  #forward(): void {
    if (this.#forwarding || !this.#wanted || this.#detached || this.#connection === undefined) return;
    this.#forwarding = true;
    const socket = this.#connection.stream;
    let chunk: Buffer | null;
    while (this.#wanted && !this.#detached && (chunk = socket.read() as Buffer | null) !== null) this.#wanted = this.#parse(chunk);
    this.#forwarding = false;
  }

  /** Returns whether the consumer wants more. */
  #parse(chunk: Buffer): boolean {
    const ranges: number[] = [];
    const end = this.#framer.scan(chunk, ranges);
    // On an error the rows read with it are dropped, as pg-copy-streams does; the error follows through handleError.
    if (this.#framer.outcome === 'error') {
      this.#detach(chunk.subarray(end));
      return false;
    }
    const wanted = ranges.length === 0 || this.push({ bytes: chunk, ranges } satisfies CopyDataBatch);
    if (this.#framer.outcome === 'done') {
      this.#detach(chunk.subarray(end));
      this.push(null);
      return false;
    }
    return wanted;
  }

  #detach(unread: Buffer): void {
    this.#detached = true;
    const socket = (this.#connection as Connection).stream;
    const pgOnData = this.#pgOnData as (chunk: Buffer) => void;
    socket.removeListener('readable', this.#onReadable);
    socket.addListener('data', pgOnData);
    pgOnData(unread);
    // pg's handler may pause the socket (its highWaterMark), so resume once it has returned.
    process.nextTick(() => socket.resume());
  }

  handleError(error: Error): void {
    // destroy, not emit: once the consumer is gone (stream destroyed) a late error is dropped instead of thrown.
    this.destroy(error);
  }

  handleCommandComplete(message: { text?: string } | undefined): void {
    const match = /COPY (\d+)/.exec(message?.text ?? '');
    if (match) this.rowCount = Number.parseInt(match[1] as string, 10);
  }

  handleReadyForQuery(): void {}
}
