export { startInstance } from './instance/start-instance.js';
export { createInstanceHost } from './instance/host.js';
export type { IsolationHost } from './instance/host.js';
export type {
  InstanceOptions, InstanceHandle, SourceHandle, TransformHandle, SinkHandle, InstanceStats, IsolationMode, PluginRef, Grants, RestartPolicy,
} from './instance/types.js';
export { ISOLATION_ERRORS } from './errors.js';
export type { IsolationErrorCode } from './errors.js';
