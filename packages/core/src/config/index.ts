export { loadPipelineConfig, checkPipelineConfig, readPipelineSource } from './load.js';
export type { LoadedConfig, LoadOptions, PipelineSource, ConfigCheck } from './load.js';
export type { PluginCatalog, PluginCatalogEntry, PluginKind } from './catalog.js';
export type { ConfigProblem } from './problems.js';
export { formatProblem } from './problems.js';
export { pipelineJsonSchema } from './json-schema.js';
export { configOptionsTable } from './options-table.js';
export type * from './types.js';
