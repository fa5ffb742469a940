export { attachMetrics } from './attach-metrics.js';
export { ENGINE_METER } from './meter-names.js';
export type { AttachMetricsOptions, AttachedMetrics } from './attach-metrics.js';
export { serveMetrics } from './serve-metrics.js';
export type { ServeMetricsOptions, MetricsServer } from './serve-metrics.js';
export { sampleMemory } from './memory-sampler.js';
export type { MemorySampler, MemorySamplerOptions, MemoryReport, InstanceMemoryReport } from './memory-sampler.js';
