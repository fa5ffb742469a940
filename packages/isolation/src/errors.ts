import type { ErrorCatalogue } from '@flowengine/sdk';

/**
 * Every error code `@flowengine/isolation` raises. The "Error codes" table in README.md is kept in
 * step with this object by `test/errors.test.ts`. A published code is never reused.
 */
export const ISOLATION_ERRORS = {
  FE_PLUGIN_TIMEOUT: {
    meaning: 'A plugin call (open, read, transform, write, flush, ack, close) did not settle within `timeoutSeconds`; the instance was terminated.',
    fix: 'Raise `timeoutSeconds` for the instance, or find what the plugin waits for (the message names the call).',
  },
  FE_PLUGIN_OUT_OF_MEMORY: {
    meaning: 'An instance passed `memoryLimitMB`: its V8 heap hit the limit, or the watchdog saw heap + external (Buffers, typed arrays) or resident memory above it. The instance was ended, never the engine.',
    fix: 'Raise `memoryLimitMB` for the instance, use smaller chunks, or fix the plugin holding on to data.',
  },
  FE_PLUGIN_CRASHED: {
    meaning: 'The worker thread or child process running an instance died: `process.exit()`, an uncaught exception or unhandled rejection after a call returned, or a fatal signal.',
    fix: 'Read the cause (exit code, original error and stack); plugin authors: await every promise and never call process.exit().',
  },
  FE_PLUGIN_RESTART_LIMIT: {
    meaning: 'An instance kept failing and used up `restart.maxRetries`; the last failure is the cause.',
    fix: 'Fix the cause shown in the message; raise `restart.maxRetries` only for failures that go away on their own.',
  },
  FE_PLUGIN_CLOSED: {
    meaning: 'A call reached an instance that was closed (or had failed for good).',
    fix: 'A bug in the caller: do not use a handle after close() or after it failed.',
  },
  FE_PLUGIN_LOAD_FAILED: {
    meaning: 'The module of a plugin could not be imported (missing file, syntax error, a throw at import time).',
    fix: 'Build the plugin package (workers run JavaScript, not TypeScript) and check the module path and the cause.',
  },
  FE_PLUGIN_EXPORT_NOT_FOUND: {
    meaning: 'The plugin module does not export a descriptor with the id asked for.',
    fix: 'Export the result of defineSource/defineTransform/defineSink (default or named); the message lists the ids found.',
  },
  FE_PLUGIN_KIND_MISMATCH: {
    meaning: 'The descriptor found is of another kind than the manifest or pipeline says (e.g. a sink used as a source).',
    fix: 'Make the manifest `kind` match the define* helper used, or use the plugin where its kind fits.',
  },
  FE_PLUGIN_ACCESS_DENIED: {
    meaning: 'A plugin in `process` mode touched a file, env variable or capability its grants do not allow.',
    fix: 'Grant the path in the instance\'s `grants.read`/`grants.write` (or `env`), or mark the plugin trusted to run it in a worker.',
  },
  FE_PLUGIN_PROTOCOL: {
    meaning: 'A plugin returned something the contract does not allow (e.g. a transform returned a non-chunk, a source yielded no chunk).',
    fix: 'Return chunks (Chunk, Chunk[] or nothing) from transform/flush; yield { chunk, position } from read().',
  },
  FE_ISOLATION_OPTIONS_INVALID: {
    meaning: 'startInstance was given options it cannot use (unknown mode, non-positive limits, threads for a stateful plugin).',
    fix: 'Fix the listed options; `threads` above 1 needs a transform declared `stateless: true`.',
  },
  FE_PLUGIN_NOT_FOUND: {
    meaning: 'No built-in plugin and no installed plugin package provides the id a pipeline asks for.',
    fix: 'Install the package that provides it (npm install ...) or fix the spelling; the message lists installed ids, closest first.',
  },
  FE_PLUGIN_SDK_MISMATCH: {
    meaning: 'A plugin package was built for an SDK range that does not include this engine\'s SDK version.',
    fix: 'Upgrade the plugin (or the engine) so the ranges meet; the message says which SDK versions the plugin accepts.',
  },
  FE_PLUGIN_DUPLICATE_ID: {
    meaning: 'Two installed packages (or a package and a built-in) provide the same plugin id.',
    fix: 'Uninstall one of the packages; the message names both.',
  },
  FE_PLUGIN_INTEGRITY: {
    meaning: 'A plugin package\'s files differ from the hashes in `.flowengine/plugins.lock.json`.',
    fix: 'If the change is intended (an upgrade), run `flowengine plugins preload` again; otherwise reinstall the package.',
  },
  FE_PLUGIN_LOCK_INVALID: {
    meaning: '`.flowengine/plugins.lock.json` is not a lock file this engine can read.',
    fix: 'Delete it and run `flowengine plugins preload` again.',
  },
} as const satisfies ErrorCatalogue;

export type IsolationErrorCode = keyof typeof ISOLATION_ERRORS;
