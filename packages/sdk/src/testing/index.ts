export { runPlugin } from './run-plugin.js';
export type { RunPluginOptions, RunPluginResult, PluginUnderTest, RowInput } from './run-plugin.js';
export { assertSourceCompliance, assertTransformCompliance, assertSinkCompliance } from './compliance.js';
export type { ComplianceOptions, ComplianceReport } from './compliance.js';
export type { HostHandle, HostInstanceOptions, HostStats } from './host.js';
export { pluginContext } from './plugin-context.js';
export type { PluginContextOptions, TestPluginContext, LoggedLine } from './plugin-context.js';
export { readSource, writeSink } from './drive.js';
export type { ReadSourceOptions } from './drive.js';
