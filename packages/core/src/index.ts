export { CORE_ERRORS } from './errors.js';
export type { CoreErrorCode } from './errors.js';
export {
  loadPipelineConfig, checkPipelineConfig, readPipelineSource, pipelineJsonSchema, configOptionsTable, formatProblem,
} from './config/index.js';
export type {
  LoadedConfig, LoadOptions, PipelineSource, ConfigCheck, ConfigProblem, PluginCatalog, PluginCatalogEntry, PluginKind,
  PipelineConfig, PluginInstanceConfig, EngineSettings, ChannelSettings, IsolationSettings, PoolSettings, RestartPolicy,
  PerformanceConfig, DataSchemaConfig, FieldConfig, FieldTypeName, TimeUnit, FullMode, IsolationMode, ErrorPolicy,
} from './config/index.js';
export { Channel } from './channel/channel.js';
export type { ChannelStats } from './channel/channel.js';
export type { ChannelOptions, SpillOptions } from './channel/options.js';
export { parseExpression, compileExpression, filterChunk, compileProjection, projectChunk, evaluateRow } from './expression/index.js';
export type { CompiledExpression, CompileOptions, Projection, ProjectionColumn, RowObject, RowValue, Expr, TypedExpr } from './expression/index.js';
export { buildPipelineGraph } from './graph/pipeline-graph.js';
export type { PipelineGraph, GraphStageInput, SourceLocation, StageKind } from './graph/pipeline-graph.js';
export { startPipeline, runPipeline, edgeName } from './executor/run-pipeline.js';
export type { RunOptions, RunningPipeline } from './executor/run-pipeline.js';
export type { PipelineEdge } from './executor/edge-channel.js';
export type { ExecutionPlan, StagePlan } from './executor/plan.js';
export type { RunSummary, StageSummary, ChannelSummary, RunStatus } from './executor/summary.js';
export { AvailablePlugins } from './pipeline/catalog.js';
export type { AvailablePlugin, InstalledPlugin } from './pipeline/catalog.js';
export { buildExecutionPlan } from './pipeline/plan.js';
export type { PlanOptions } from './pipeline/plan.js';
export { BUILT_IN_PLUGINS } from './builtins/index.js';
export type { BuiltInPlugin } from './builtins/index.js';
export { attachMetrics, serveMetrics, sampleMemory, ENGINE_METER } from './metrics/index.js';
export type {
  AttachMetricsOptions, AttachedMetrics, ServeMetricsOptions, MetricsServer, MemorySampler, MemorySamplerOptions, MemoryReport, InstanceMemoryReport,
} from './metrics/index.js';
export { findInstalledPlugins, allInstalledPlugins, listPlugins, pluginTypesIn, stageCountIn } from './pipeline/installed.js';
