import { FlowEngineError, Type } from '@flowengine/sdk';

/** Options both plugins share: where the cluster is and how long to keep trying. */
export const connectionOptions = {
  brokers: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
    description: 'Bootstrap brokers: `host:port`, a comma-separated list, or an array of them.',
  }),
  clientId: Type.Optional(Type.String({ minLength: 1, description: 'Client id shown in broker logs and quotas; defaults to `flowengine-<instance>`.' })),
  retries: Type.Optional(Type.Integer({ minimum: 0, default: 30, description: 'Retries of a failed request (connect, metadata, fetch, produce, commit) before the instance fails; keep retries × retryDelayMs below the instance timeoutSeconds (60 s by default).' })),
  retryDelayMs: Type.Optional(Type.Integer({ minimum: 0, default: 1000, description: 'Wait between retries; `retries` × `retryDelayMs` is how long a broker outage is ridden out.' })),
};

/** What `clientOptions` gives: the options every client (Admin, Consumer, Producer) starts from. */
export interface ClientOptions {
  readonly clientId: string;
  readonly bootstrapBrokers: string[];
  readonly retries: number;
  readonly retryDelay: number;
}

export interface ConnectionConfig {
  readonly brokers: string | readonly string[];
  readonly clientId?: string | undefined;
  readonly retries?: number | undefined;
  readonly retryDelayMs?: number | undefined;
}

/** The client's base options from ours. */
export function clientOptions(config: ConnectionConfig, instanceName: string): ClientOptions {
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

/** FE_KAFKA_CONNECT: `doing` (e.g. "reach the Kafka cluster at") the brokers failed past the retries. */
export function connectError(where: string, base: ClientOptions, error: unknown, doing = 'reach the Kafka cluster at'): FlowEngineError {
  return new FlowEngineError('FE_KAFKA_CONNECT', `${where}: could not ${doing} ${base.bootstrapBrokers.join(',')} (after ${base.retries} retries): ${describeCause(error)}`,
    { details: { brokers: base.bootstrapBrokers }, cause: error });
}

/**
 * The client nests causes (MultipleErrors of retries, each wrapping NetworkErrors); the innermost
 * messages of the first and the last attempt say most.
 */
export function describeCause(error: unknown): string {
  type Nested = { message?: string; cause?: unknown; errors?: unknown[] } | undefined | null;
  const chain = (start: Nested, pick: (errors: unknown[]) => unknown): string[] => {
    const seen: string[] = [];
    let current = start;
    for (let depth = 0; current !== undefined && current !== null && depth < 6; depth++) {
      if (typeof current.message === 'string' && current.message !== '') seen.push(current.message);
      current = (current.errors !== undefined && current.errors.length > 0 ? pick(current.errors) : current.cause) as Nested;
    }
    return seen;
  };
  const first = chain(error as Nested, (errors) => errors[0]);
  const last = chain(error as Nested, (errors) => errors[errors.length - 1]);
  const text = (parts: string[]) => [...new Set(parts)].join(': ');
  if (first.length === 0) return String(error);
  return text(first) === text(last) ? text(first) : `${text(first)} (last attempt: ${text(last.slice(1))})`;
}
