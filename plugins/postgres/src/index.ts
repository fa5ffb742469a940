export { postgresSource } from './postgres-source.js';
export type { PostgresPosition } from './postgres-source.js';
export { PostgresSourceConfig } from './source/options.js';
export type { PostgresSourceOptions } from './source/options.js';
export { postgresSink } from './postgres-sink.js';
export { PostgresSinkConfig } from './sink/options.js';
export type { PostgresSinkOptions } from './sink/options.js';
export { POSTGRES_ERRORS } from './errors.js';
export type { PostgresErrorCode } from './errors.js';
