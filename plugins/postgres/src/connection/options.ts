import { Type } from '@flowengine/sdk';
import type { RetryPolicy } from './retry.js';

/** Options every postgres instance shares. `url` is secret: the engine redacts it from logs and summaries. */
export const connectionOptions = {
  url: Type.String({ minLength: 1, secret: true, description: 'Connection URL, e.g. `${PG_URL}` or `postgres://user@host:5432/db`. Redacted in logs.' }),
  password: Type.Optional(Type.String({ secret: true, description: 'Password, when it is not in `url`. Redacted in logs.' })),
  schema: Type.Optional(Type.String({ minLength: 1, default: 'public', description: 'Postgres schema of `table` (exact, case-sensitive).' })),
  retry: Type.Optional(Type.Object({
    maxRetries: Type.Optional(Type.Integer({ minimum: 0, default: 5, description: 'Reconnect attempts after a lost or refused connection.' })),
    backoffMs: Type.Optional(Type.Integer({ minimum: 1, default: 200, description: 'Base of the exponential, jittered wait between attempts.' })),
  }, { additionalProperties: false, description: 'Retries on connection loss (never on a rejected statement).' })),
};

/** The retry policy with its defaults applied. */
export function retryPolicy(retry: { maxRetries?: number | undefined; backoffMs?: number | undefined } | undefined): RetryPolicy {
  return { maxRetries: retry?.maxRetries ?? 5, backoffMs: retry?.backoffMs ?? 200 };
}

/** `url` with `password` put in, when one is given separately. */
export function connectionUrl(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  try {
    const parsed = new URL(url);
    parsed.password = password;
    return parsed.toString();
  } catch {
    return url;
  }
}
