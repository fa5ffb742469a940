export { DEFAULT_MEMORY_LIMIT_MB, startInstance } from './instance/start-instance.js';
export { createInstanceHost } from './instance/host.js';
export type { HostOptions, IsolationHost, PrepareOptions } from './instance/host.js';
export type {
  InstanceOptions, InstanceHandle, HandleFor, SourceHandle, TransformHandle, SinkHandle, InstanceStats, IsolationMode, PluginRef, Grants, RestartPolicy,
} from './instance/types.js';
export { ISOLATION_ERRORS } from './errors.js';
export type { IsolationErrorCode } from './errors.js';
export { discoverPlugins, resolvePlugin, checkSdkRange } from './resolve/discover.js';
export type { ResolvedPlugin, BuiltinPlugin, DiscoverOptions } from './resolve/discover.js';
export { preloadPlugins, readLock, verifyLock, LOCK_FILE } from './resolve/lock.js';
export { describeEveryPlugin, describePlugins } from './resolve/describe.js';
export type { PluginDescription } from './resolve/describe.js';
export type { PluginLock, LockedPlugin, LockedPackage, PreloadOptions } from './resolve/lock.js';
export { hashPackage } from './resolve/hash.js';
export type { RunOutcome } from './runtime/protocol.js';
