import { FlowEngineError } from '@flowengine/sdk';
import { sinkHandle, sourceHandle, transformHandle } from './handles.js';
import { Supervisor } from './supervisor.js';
import type { ResolvedOptions } from './supervisor.js';
import type { PluginKind } from '@flowengine/sdk';
import type { Piscina } from 'piscina';
import type { HandleFor, InstanceHandle, InstanceOptions, PluginRef } from './types.js';

const MODES = ['worker', 'inline', 'process'];
/** The V8 heap limit of an instance that names none. */
export const DEFAULT_MEMORY_LIMIT_MB = 200;
const POLICIES = ['fail', 'skip', 'deadLetter'];

/**
 * Starts one plugin instance in its isolation mode and opens it. Resolves once the plugin's
 * `open` has returned (with the source schema or the transform's output schema known).
 *
 * @example
 * const handle = await startInstance({ name: 'upper', plugin: { id: 'upper', kind: 'transform', modulePath, firstParty: true },
 *   config: {}, inputSchema: schema });
 * const [out] = await handle.transform(chunk);
 * await handle.close();
 */
export async function startInstance<K extends PluginKind>(options: InstanceOptions & { plugin: PluginRef & { kind: K } }): Promise<HandleFor<K>>;
export async function startInstance(options: InstanceOptions): Promise<InstanceHandle> {
  return startResolved(resolveOptions(options));
}

/** startInstance with options already resolved; `pool` is a worker pool prepared for it ahead. */
export async function startResolved(resolved: ResolvedOptions, pool?: Piscina): Promise<InstanceHandle> {
  const supervisor = new Supervisor(resolved, pool);
  try {
    const opened = await supervisor.openLane(0);
    if (resolved.plugin.kind === 'source') return sourceHandle(supervisor, opened.schema);
    if (resolved.plugin.kind === 'sink') return sinkHandle(supervisor);
    if (resolved.threads > 1) {
      if (opened.stateless !== true) {
        throw new FlowEngineError('FE_ISOLATION_OPTIONS_INVALID',
          `instance "${resolved.name}": threads: ${resolved.threads} needs a transform declared stateless: true, but "${resolved.plugin.id}" keeps state; use threads: 1`,
          { details: { instance: resolved.name, threads: resolved.threads } });
      }
      await Promise.all(Array.from({ length: resolved.threads - 1 }, (_, i) => supervisor.openLane(i + 1)));
    }
    return transformHandle(supervisor, opened.schema);
  } catch (error) {
    await supervisor.close().catch(() => undefined);
    throw error;
  }
}

/** Where and how big an instance runs, defaults applied (not checked: see resolveOptions). */
export function placementOf(options: Pick<InstanceOptions, 'plugin' | 'mode' | 'memoryLimitMB' | 'threads'>): { mode: string; memoryLimitMB: number; threads: number } {
  return {
    mode: options.mode ?? (options.plugin?.firstParty === false ? 'process' : 'worker'),
    memoryLimitMB: options.memoryLimitMB ?? DEFAULT_MEMORY_LIMIT_MB,
    threads: options.threads ?? 1,
  };
}

/** Checks the options and applies defaults; FE_ISOLATION_OPTIONS_INVALID lists every problem. */
export function resolveOptions(options: InstanceOptions): ResolvedOptions {
  const problems: string[] = [];
  const { plugin } = options;
  if (typeof options.name !== 'string' || options.name === '') problems.push('name: expected a non-empty instance name');
  if (plugin === undefined || typeof plugin.modulePath !== 'string' || typeof plugin.id !== 'string') problems.push('plugin: expected { id, kind, modulePath, firstParty }');
  else if (!['source', 'transform', 'sink'].includes(plugin.kind)) problems.push(`plugin.kind: expected source, transform or sink, found ${JSON.stringify(plugin.kind)}`);
  const { mode, memoryLimitMB, threads } = placementOf(options);
  if (!MODES.includes(mode)) problems.push(`mode: expected one of ${MODES.join(', ')}, found ${JSON.stringify(mode)}`);
  if (!(memoryLimitMB > 0)) problems.push(`memoryLimitMB: expected a positive number, found ${String(memoryLimitMB)}`);
  const timeoutSeconds = options.timeoutSeconds ?? 60;
  if (!(timeoutSeconds > 0)) problems.push(`timeoutSeconds: expected a positive number, found ${String(timeoutSeconds)}`);
  if (!Number.isInteger(threads) || threads < 1) problems.push(`threads: expected an integer >= 1, found ${String(threads)}`);
  else if (threads > 1 && plugin?.kind !== 'transform') problems.push(`threads: ${threads} is only possible for stateless transforms, not a ${String(plugin?.kind)}`);
  else if (threads > 1 && mode !== 'worker') problems.push(`threads: ${threads} needs mode worker, found ${mode}`);
  if (options.errors !== undefined && !POLICIES.includes(options.errors)) problems.push(`errors: expected one of ${POLICIES.join(', ')}, found ${JSON.stringify(options.errors)}`);
  if ((plugin?.kind === 'transform' || plugin?.kind === 'sink') && options.inputSchema === undefined) problems.push(`inputSchema: required for a ${plugin.kind}`);
  const restart = options.restart;
  if (restart !== undefined && (!Number.isInteger(restart.maxRetries) || restart.maxRetries < 0 || !(restart.backoffMs >= 0))) {
    problems.push('restart: expected { maxRetries: integer >= 0, backoffMs: number >= 0 }');
  }
  if (problems.length > 0) {
    throw new FlowEngineError('FE_ISOLATION_OPTIONS_INVALID', `instance "${String(options.name)}": ${problems.join('; ')}`, { details: { problems } });
  }
  return { ...options, mode: mode as ResolvedOptions['mode'], memoryLimitMB, timeoutSeconds, threads };
}
