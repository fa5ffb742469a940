import { Worker } from 'node:worker_threads';
import { FlowEngineError, type FlowEngineErrorData } from '@flowengine/sdk';
import type { ResolvedPlugin } from './discover.js';

/** What loading a plugin's module tells preload and the config loader. */
export interface PluginDescription {
  readonly configSchema: unknown;
  readonly stateless: boolean;
  readonly sdk: string;
}

type PluginToDescribe = Pick<ResolvedPlugin, 'id' | 'kind' | 'modulePath'>;
type DescribeMessage = ({ ok: true } & PluginDescription) | { ok: false; error: FlowEngineErrorData };

/**
 * Loads plugin modules in one throwaway worker (each worker start loads the SDK again) and reads
 * their descriptors. Returns, in order, each plugin's description or the error loading it gave. A
 * module that kills its worker (process.exit, a crash) fails only itself: the plugins after it are
 * described in a fresh worker.
 */
export async function describePlugins(plugins: readonly PluginToDescribe[]): Promise<Array<PluginDescription | FlowEngineError>> {
  const results: Array<PluginDescription | FlowEngineError> = [];
  while (results.length < plugins.length) results.push(...(await describeInOneWorker(plugins.slice(results.length))));
  return results;
}

/** {@link describePlugins} for callers that need every plugin: the first plugin's error is thrown. */
export async function describeEveryPlugin(plugins: readonly PluginToDescribe[]): Promise<PluginDescription[]> {
  const results = await describePlugins(plugins);
  const failed = results.find((result): result is FlowEngineError => result instanceof FlowEngineError);
  if (failed !== undefined) throw failed;
  return results as PluginDescription[];
}

/** Results for a prefix of `plugins` (at least one): all of them, or up to the one whose load ended the worker. */
function describeInOneWorker(plugins: readonly PluginToDescribe[]): Promise<Array<PluginDescription | FlowEngineError>> {
  return new Promise((resolvePromise) => {
    const results: Array<PluginDescription | FlowEngineError> = [];
    let settled = false;
    const worker = new Worker(new URL('./describe-entry.js', import.meta.url), {
      workerData: { plugins: plugins.map(({ id, kind, modulePath }) => ({ id, kind, modulePath })) },
    });
    const settle = (): void => {
      settled = true;
      void worker.terminate();
      resolvePromise(results);
    };
    const lost = (what: string, cause?: Error): void => {
      if (settled) return;
      const plugin = plugins[results.length] as PluginToDescribe;
      results.push(new FlowEngineError('FE_PLUGIN_LOAD_FAILED', `plugin "${plugin.id}": loading ${plugin.modulePath} ${what}`, cause === undefined ? undefined : { cause }));
      settle();
    };
    worker.on('message', (message: DescribeMessage) => {
      if (settled) return;
      results.push(message.ok ? { configSchema: message.configSchema, stateless: message.stateless, sdk: message.sdk } : FlowEngineError.fromData(message.error));
      if (results.length === plugins.length) settle();
    });
    worker.once('error', (error) => lost(`crashed: ${error.message}`, error));
    worker.once('exit', (code) => lost(`exited with code ${code}`));
  });
}
