export { csvSource } from './csv-source.js';
export type { CsvPosition } from './csv-source.js';
export { csvSink } from './csv-sink.js';
export { CsvSourceConfig } from './source/options.js';
export type { CsvSourceOptions } from './source/options.js';
export { CsvSinkConfig } from './sink/options.js';
export type { CsvSinkOptions } from './sink/options.js';
export { CSV_ERRORS } from './errors.js';
export type { CsvErrorCode } from './errors.js';
