/** How often and how patiently a lost or refused connection is retried. */
export interface RetryPolicy {
  /** Attempts after the first one; 0 disables retrying. */
  readonly maxRetries: number;
  /** Base of the exponential backoff: see {@link backoffDelay}. */
  readonly backoffMs: number;
}

const SQLSTATE_CONNECTION = /^(08|57P0[1-3])/;
const NODE_CONNECTION = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether an error means the connection itself is gone (so retrying on a new one makes sense),
 * as opposed to the server rejecting a statement. `pg_terminate_backend` shows up as SQLSTATE
 * 57P01, or as "Connection terminated unexpectedly" when the socket closes first.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (SQLSTATE_CONNECTION.test(code) || NODE_CONNECTION.has(code))) return true;
  return typeof message === 'string' && /Connection terminated|connection ended|not queryable|Client was closed/i.test(message);
}

/**
 * The wait before retry number `attempt` (1-based): between half and all of
 * `backoffMs * 2^(attempt-1)` (capped at 30 s), chosen at random so many writers do not reconnect in step.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const cap = Math.min(30_000, policy.backoffMs * 2 ** (attempt - 1));
  return Math.round(cap * (0.5 + Math.random() / 2));
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
