// The file piscina loads in each worker thread. piscina require()s its worker file first, and on
// Node 20.19+ require() of an ES module loads it synchronously; a worker terminated during that
// load (a restart, a timeout) aborts the WHOLE process with a V8 fatal error (IsGraphAsync on an
// uninstantiated module). This CommonJS shim is safe to require() and loads the ES module entry
// with import(), whose interruption only ends the worker.
interface Entry {
  default(task: unknown): Promise<null>;
  preload(task: unknown): Promise<null>;
}

// Started as the thread starts, not on its first task: a thread booted ahead of its instance
// (prepare, warm workers) then has the runtime and the SDK loaded by the time it is used. A failure
// here is reported by the first task, which awaits the same promise.
const entry = import('./worker-entry.js') as unknown as Promise<Entry>;
entry.catch(() => undefined);

// piscina calls `name` on the module (`default` unless given): the module itself is the default
// task (CommonJS interop maps `default` to module.exports), `preload` the named one.
export = Object.assign(async (task: unknown): Promise<null> => (await entry).default(task), {
  preload: async (task: unknown): Promise<null> => (await entry).preload(task),
});
