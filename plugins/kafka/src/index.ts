export { kafkaSource } from './kafka-source.js';
export { kafkaSink } from './kafka-sink.js';
export type { KafkaPosition } from './source/ledger.js';
export { KafkaSourceConfig } from './source/options.js';
export type { KafkaSourceOptions } from './source/options.js';
export { KafkaSinkConfig } from './sink/options.js';
export type { KafkaSinkOptions } from './sink/options.js';
export { KAFKA_ERRORS } from './errors.js';
export type { KafkaErrorCode } from './errors.js';
