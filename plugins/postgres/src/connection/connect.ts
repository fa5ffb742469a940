import { FlowEngineError, type PluginLogger } from '@flowengine/sdk';
import type { Client } from 'pg';
import pg from './pg.js';
import { backoffDelay, isConnectionLoss, sleep, type RetryPolicy } from './retry.js';

export type PgClient = Client;

/** What every connection needs to know: where, who it is in `pg_stat_activity`, how to retry. */
export interface ConnectOptions {
  readonly url: string;
  /** Shown as `application_name`, so an operator can tell FlowEngine sessions apart. */
  readonly applicationName: string;
  readonly retry: RetryPolicy;
  readonly logger: PluginLogger;
  readonly signal: AbortSignal;
}

/**
 * Session settings every reader and writer relies on: ISO dates in UTC (the text format parsers
 * and encoders assume it), exact float text, and a server-side guard so a session that a crash
 * leaves inside a transaction is closed by the server instead of holding locks.
 */
const SESSION_SETUP = "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET client_encoding = 'UTF8'; "
  + "SET extra_float_digits = 3; SET idle_in_transaction_session_timeout = '5min'";

/**
 * Opens a connection, retrying refused or dropped connections with jittered backoff. Errors
 * never include the URL (it may hold a password); they name host, port and database instead.
 */
export async function connect(options: ConnectOptions): Promise<PgClient> {
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: options.url, application_name: options.applicationName });
    // A socket error after connect must not become an uncaught 'error' event; the next query reports it.
    client.on('error', (error) => options.logger.warn('postgres connection error', { message: error.message }));
    try {
      await client.connect();
      await client.query(SESSION_SETUP);
      return client;
    } catch (cause) {
      await client.end().catch(() => undefined);
      if (!isConnectionLoss(cause) || attempt >= options.retry.maxRetries || options.signal.aborted) {
        throw new FlowEngineError('FE_PG_CONNECT',
          `${describeTarget(options.url)}: expected to connect, found "${(cause as Error).message}" after ${attempt + 1} attempt(s); check url, that the server runs and pg_hba.conf`,
          { details: { target: describeTarget(options.url), attempts: attempt + 1 }, cause });
      }
      const wait = backoffDelay(options.retry, attempt + 1);
      options.logger.warn('postgres connect failed, retrying', { attempt: attempt + 1, waitMs: wait, message: (cause as Error).message });
      await sleep(wait, options.signal);
    }
  }
}

/** `postgres://host:port/db` without user or password, for messages. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres://${parsed.hostname}${parsed.port === '' ? '' : `:${parsed.port}`}${parsed.pathname}`;
  } catch {
    return 'postgres (unparsable url)';
  }
}

/** Ends a client without throwing: used in `finally` blocks and after a connection loss. */
export async function closeQuietly(client: PgClient | undefined): Promise<void> {
  if (client === undefined) return;
  await client.end().catch(() => undefined);
}
