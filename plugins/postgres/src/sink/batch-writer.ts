import { FlowEngineError, type PluginLogger, type RejectedRow } from '@flowengine/sdk';
import copyStreams from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import { closeQuietly, type PgClient } from '../connection/connect.js';
import { backoffDelay, isConnectionLoss, sleep, type RetryPolicy } from '../connection/retry.js';
import { liveRows, rowLocation, rowRecord, rowsData, type RowRef, type Segment } from './rows.js';
import type { SinkMode, SinkTarget } from './target.js';

export interface BatchWriterOptions {
  readonly target: SinkTarget;
  readonly mode: SinkMode;
  readonly connect: () => Promise<PgClient>;
  readonly retry: RetryPolicy;
  readonly logger: PluginLogger;
  readonly signal: AbortSignal;
  readonly reject: (row: RejectedRow) => void;
  readonly where: string;
  /** Called once per retry after a connection loss, for metrics. */
  readonly onRetry?: (() => void) | undefined;
}

/** Retries after connection loss and rows rejected, since the sink opened. */
export interface WriterStats {
  retries: number;
  rejected: number;
}

type CopyStream = Writable;

/**
 * Everything between two flushes is one transaction. Writes stream into an open COPY as they
 * come (so the server parses while we encode); the encoded rows are also kept until commit so a
 * lost connection can replay them into a new transaction, and a batch that fails on bad rows can
 * be split, under savepoints, until each bad row is isolated and handed to the errors policy.
 */
export class BatchWriter {
  readonly stats: WriterStats = { retries: 0, rejected: 0 };
  readonly #options: BatchWriterOptions;
  #client: PgClient | undefined;
  #pending: Segment[] = [];
  #stream: CopyStream | undefined;
  /** The first error the open COPY stream hit; the flush deals with it. */
  #streamError: unknown;
  /** The last write still travelling to the server; never rejects (failures land in #streamError). */
  #inflight: Promise<void> | undefined;
  #inTransaction = false;
  /** replace: whether a committed transaction has truncated the table yet. */
  #truncated = false;

  constructor(options: BatchWriterOptions) {
    this.#options = options;
  }

  /** Keeps the rows and streams them into the open COPY (opening one when needed). */
  async write(segment: Segment): Promise<void> {
    this.#pending.push(segment);
    if (this.#streamError !== undefined) return;
    try {
      if (this.#stream === undefined) await this.#beginCopy();
    } catch (error) {
      this.#streamError ??= error;
      return;
    }
    // Two writes in flight: while the server parses this chunk, the caller encodes the next one.
    const previous = this.#inflight;
    this.#inflight = writeTo(this.#stream as CopyStream, segment.data).catch((error: unknown) => void (this.#streamError ??= error));
    await previous;
  }

  /** Commits everything written since the last flush: the durable point. */
  async flush(): Promise<void> {
    // replace commits its TRUNCATE even when nothing came: an empty input empties the table.
    if (this.#pending.length === 0 && (this.#options.mode !== 'replace' || this.#truncated)) return;
    await this.#inflight;
    this.#inflight = undefined;
    let failure = this.#streamError;
    let attempt = 0;
    if (failure !== undefined) {
      await this.#abandon();
      if (isConnectionLoss(failure)) await this.#afterLoss(failure, ++attempt);
    }
    for (;;) {
      try {
        if (failure === undefined && this.#stream !== undefined) await this.#commitStream();
        else if (isRowError(failure)) await this.#transaction(() => this.#loadSplit(liveRows(this.#pending)));
        else await this.#transaction(() => this.#load(liveRows(this.#pending)));
        break;
      } catch (error) {
        await this.#abandon();
        if (isConnectionLoss(error)) {
          await this.#afterLoss(error, ++attempt);
          failure = error;
          continue;
        }
        if (isRowError(error) && !isRowError(failure)) {
          failure = error;
          continue;
        }
        throw error instanceof FlowEngineError ? error : this.#statementError(error);
      }
    }
    this.#pending = [];
    this.#streamError = undefined;
    this.#truncated = true;
  }

  /** Retry number `attempt` after a lost connection: reports it and waits, or gives up past `maxRetries`. */
  async #afterLoss(error: unknown, attempt: number): Promise<void> {
    const { retry, logger, target } = this.#options;
    if (attempt > retry.maxRetries) {
      throw new FlowEngineError('FE_PG_CONNECTION_LOST',
        `${this.#options.where}: writing table ${JSON.stringify(target.table.display)}: expected the connection to hold, found "${(error as Error).message}" after ${attempt - 1} retries; the batch was rolled back (unless the loss hit its COMMIT)`,
        { details: { table: target.table.display, retries: attempt - 1 }, cause: error });
    }
    this.stats.retries++;
    const rows = liveRows(this.#pending).length;
    this.#options.onRetry?.();
    const wait = backoffDelay(retry, attempt);
    logger.warn('postgres-sink lost its connection; replaying the uncommitted batch', { attempt, rows, waitMs: wait, message: (error as Error).message });
    await sleep(wait, this.#options.signal);
  }

  /** Drops the connection; an open transaction is rolled back by the server, never left idle. */
  async close(): Promise<void> {
    this.#stream = undefined;
    this.#inflight = undefined;
    this.#inTransaction = false;
    await closeQuietly(this.#client);
    this.#client = undefined;
  }

  async #connection(): Promise<PgClient> {
    if (this.#client !== undefined) return this.#client;
    const client = await this.#options.connect();
    try {
      const upsert = this.#options.target.sql.upsert;
      if (upsert !== undefined) await client.query(upsert.createStaging);
    } catch (error) {
      await closeQuietly(client);
      throw error;
    }
    this.#client = client;
    return client;
  }

  async #begin(): Promise<PgClient> {
    const client = await this.#connection();
    await client.query('BEGIN');
    this.#inTransaction = true;
    if (this.#options.mode === 'replace' && !this.#truncated) await client.query(this.#options.target.sql.truncate);
    return client;
  }

  async #beginCopy(): Promise<void> {
    const client = await this.#begin();
    this.#stream = openCopy(client, this.#options.target, (error) => void (this.#streamError ??= error));
  }

  async #commitStream(): Promise<void> {
    const stream = this.#stream as CopyStream;
    await this.#inflight;
    this.#inflight = undefined;
    if (this.#streamError !== undefined) throw this.#streamError;
    await endStream(stream, this.#options.target.format.trailer);
    this.#stream = undefined;
    if (this.#streamError !== undefined) throw this.#streamError;
    const client = this.#client as PgClient;
    const upsert = this.#options.target.sql.upsert;
    if (upsert !== undefined) await client.query(upsert.merge);
    await client.query('COMMIT');
    this.#inTransaction = false;
  }

  /** BEGIN, body, COMMIT on a fresh or kept connection. */
  async #transaction(body: () => Promise<void>): Promise<void> {
    const client = await this.#begin();
    await body();
    await client.query('COMMIT');
    this.#inTransaction = false;
  }

  /** COPY some rows (into staging and merged, for upsert) inside the open transaction. */
  async #load(rows: readonly RowRef[]): Promise<void> {
    if (rows.length === 0) return;
    const client = this.#client as PgClient;
    const { target } = this.#options;
    let failed: unknown;
    const stream = openCopy(client, target, (error) => void (failed ??= error));
    try {
      for (const part of rowsData(rows)) await writeTo(stream, part);
      await endStream(stream, target.format.trailer);
    } catch (error) {
      failed ??= error;
    }
    if (failed !== undefined) throw failed;
    const upsert = target.sql.upsert;
    if (upsert !== undefined) {
      await client.query(upsert.merge);
      await client.query(upsert.clearStaging);
    }
  }

  /**
   * Loads rows under a savepoint; when they fail on a row error, rolls back to it and isolates
   * the bad rows: straight to the row COPY names when it names one, otherwise by halving.
   */
  async #loadSplit(rows: readonly RowRef[]): Promise<void> {
    if (rows.length === 0) return;
    const client = this.#client as PgClient;
    await client.query('SAVEPOINT fe_split');
    try {
      await this.#load(rows);
      await client.query('RELEASE SAVEPOINT fe_split');
      return;
    } catch (error) {
      if (!isRowError(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT fe_split');
      await client.query('RELEASE SAVEPOINT fe_split');
      if (rows.length === 1) return this.#rejectRow(rows[0] as RowRef, error);
      const line = copyLine(error);
      if (line !== undefined && line >= 1 && line <= rows.length) {
        await this.#loadSplit(rows.slice(0, line - 1));
        this.#rejectRow(rows[line - 1] as RowRef, error);
        return this.#loadSplit(rows.slice(line));
      }
      const half = rows.length >> 1;
      await this.#loadSplit(rows.slice(0, half));
      await this.#loadSplit(rows.slice(half));
    }
  }

  #rejectRow(row: RowRef, error: unknown): void {
    const { target } = this.#options;
    const column = errorColumn(error);
    const sqlState = (error as { code?: string }).code ?? '';
    const code = sqlState.startsWith('23') ? 'FE_PG_CONSTRAINT' : 'FE_PG_VALUE_INVALID';
    const constraint = (error as { constraint?: string }).constraint;
    const reason = `table ${JSON.stringify(target.table.display)}${column === undefined ? '' : `, column ${JSON.stringify(column)}`}`
      + `${constraint === undefined ? '' : `, constraint ${JSON.stringify(constraint)}`}, ${rowLocation(row)}: ${(error as Error).message}`;
    row.segment.rejected.add(row.index);
    this.stats.rejected++;
    this.#options.reject({ record: rowRecord(row, target.columnNames), reason: `${this.#options.where}: ${reason}`, code, location: rowLocation(row) });
  }

  /** After a failure: roll back if the connection still works, else drop it. */
  async #abandon(): Promise<void> {
    const client = this.#client;
    // A COPY still open and healthy cannot be cancelled mid-stream: dropping the connection is the rollback.
    const openCopy = this.#stream !== undefined && this.#streamError === undefined;
    this.#stream = undefined;
    this.#streamError = undefined;
    if (client === undefined) return;
    if (openCopy) return this.close();
    if (!this.#inTransaction) return;
    try {
      await client.query('ROLLBACK');
      this.#inTransaction = false;
    } catch {
      await this.close();
    }
  }

  #statementError(error: unknown): FlowEngineError {
    const sqlState = (error as { code?: unknown }).code;
    return new FlowEngineError('FE_PG_QUERY_FAILED',
      `${this.#options.where}: writing table ${JSON.stringify(this.#options.target.table.display)}: the server rejected the batch: ${(error as Error).message}`,
      { details: { table: this.#options.target.table.display, sqlState: typeof sqlState === 'string' ? sqlState : undefined }, cause: error });
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint): the fault of some row. */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** The 1-based COPY line a data error names (`COPY t, line 3, column x: …`). */
function copyLine(error: unknown): number | undefined {
  const where = (error as { where?: unknown }).where;
  const match = typeof where === 'string' ? /COPY [^\n]*?, line (\d+)/.exec(where) : null;
  return match === null ? undefined : Number(match[1]);
}

function errorColumn(error: unknown): string | undefined {
  const column = (error as { column?: unknown }).column;
  if (typeof column === 'string') return column;
  const where = (error as { where?: unknown }).where;
  const match = typeof where === 'string' ? /, column (.+?)(?::|$)/m.exec(where) : null;
  return match?.[1];
}

/** Resolves once the stream took the data; rejects when the stream fails first (a COPY the server refused never drains). */
function writeTo(stream: CopyStream, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.errored) return reject(stream.errored);
    const onError = (error: unknown): void => reject(error);
    stream.once('error', onError);
    stream.write(data, (error) => {
      stream.off('error', onError);
      if (error) reject(error);
      else resolve();
    });
  });
}

/**
 * Starts the target's `COPY … FROM STDIN` and queues its format's header (binary COPY opens every
 * COPY with one, a replay's too); any failure, the header's included, reaches `onError`.
 */
function openCopy(client: PgClient, target: SinkTarget, onError: (error: unknown) => void): CopyStream {
  const stream = client.query(copyStreams.from(target.sql.copy));
  stream.on('error', onError);
  if (target.format.header.length > 0) stream.write(target.format.header);
  return stream;
}

/** Writes `last` (a format's trailer, possibly empty) and ends the COPY. */
function endStream(stream: CopyStream, last: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.errored) return reject(stream.errored);
    const onError = (error: unknown): void => reject(error);
    stream.once('error', onError);
    if (last.length > 0) stream.write(last);
    stream.end(() => {
      stream.off('error', onError);
      resolve();
    });
  });
}
