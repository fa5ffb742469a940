import { Type } from '@flowengine/sdk';

/** Options both plugins share: where the cluster is and how long to keep trying. */
export const connectionOptions = {
  brokers: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
    description: 'Bootstrap brokers: `host:port`, a comma-separated list, or an array of them.',
  }),
  clientId: Type.Optional(Type.String({ minLength: 1, description: 'Client id shown in broker logs and quotas; defaults to `flowengine-<instance>`.' })),
  retries: Type.Optional(Type.Integer({ minimum: 0, default: 30, description: 'Retries of a failed request (connect, metadata, fetch, produce, commit) before the instance fails; keep retries × retryDelayMs below the instance timeoutSeconds (60 s by default).' })),
  retryDelayMs: Type.Optional(Type.Integer({ minimum: 0, default: 1000, description: 'Wait between retries; `retries` × `retryDelayMs` is how long a broker outage is ridden out.' })),
};

export interface ConnectionConfig {
  readonly brokers: string | readonly string[];
  readonly clientId?: string | undefined;
  readonly retries?: number | undefined;
  readonly retryDelayMs?: number | undefined;
}

/** The client's base options from ours. */
export function clientOptions(config: ConnectionConfig, instanceName: string) {
  const list = typeof config.brokers === 'string' ? config.brokers.split(',') : config.brokers;
  return {
    clientId: config.clientId ?? `flowengine-${instanceName}`,
    bootstrapBrokers: list.map((broker) => broker.trim()).filter((broker) => broker !== ''),
    retries: config.retries ?? 30,
    retryDelay: config.retryDelayMs ?? 1000,
  };
}

/** Closes a client (force: leaves the group, drops pending requests) and never rejects. */
export function closeQuietly(client: { close(force: boolean, callback: (error?: Error | null) => void): void }): Promise<Error | undefined> {
  return new Promise((resolve) => client.close(true, (error) => resolve(error ?? undefined)));
}

/**
 * How long a request may keep retrying: `retries` × `retryDelayMs`, plus one request timeout.
 * The client's idempotent producer retries forever by design, so the sink bounds it with this.
 */
export function retryBudgetMs(config: ConnectionConfig): number {
  return (config.retries ?? 30) * (config.retryDelayMs ?? 1000) + 5000;
}

/** Resolves or rejects like `promise`, or rejects with `onTimeout()` after `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
