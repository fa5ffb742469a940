export { defineSource, defineTransform, defineSink, isPluginDescriptor } from './define.js';
export type {
  PluginKind, PluginDescriptor, SourceDescriptor, TransformDescriptor, SinkDescriptor, SourceSpec, TransformSpec, SinkSpec,
  SourceInstance, SourceBatch, TransformInstance, TransformOutput, SinkInstance,
} from './define.js';
export type { PluginContext, PluginLogger, RejectedRow, ErrorPolicy } from './context.js';
export { rejectionError } from './context.js';
export { validateConfig } from './config.js';
export { readManifest, parseManifest, PLUGIN_KEYWORD } from './manifest.js';
export type { PluginManifest, ManifestPlugin } from './manifest.js';
export { SDK_VERSION, SDK_RANGE } from './version.js';
