// The file piscina loads in each worker thread. piscina require()s its worker file first, and on
// Node 20.19+ require() of an ES module loads it synchronously; a worker terminated during that
// load (a restart, a timeout) aborts the WHOLE process with a V8 fatal error (IsGraphAsync on an
// uninstantiated module). This CommonJS shim is safe to require() and loads the ES module entry
// with import(), whose interruption only ends the worker.
interface Entry {
  default(task: unknown): Promise<null>;
  preload(task: unknown): Promise<null>;
}

let entry: Promise<Entry> | undefined;
const load = (): Promise<Entry> => (entry ??= import('./worker-entry.js') as unknown as Promise<Entry>);

// piscina calls `name` on the module (`default` unless given): the module itself is the default
// task (CommonJS interop maps `default` to module.exports), `preload` the named one.
export = Object.assign(async (task: unknown): Promise<null> => (await load()).default(task), {
  preload: async (task: unknown): Promise<null> => (await load()).preload(task),
});
