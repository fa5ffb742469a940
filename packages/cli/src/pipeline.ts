import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  AvailablePlugins, allInstalledPlugins, buildExecutionPlan, findInstalledPlugins, loadPipelineConfig, pluginTypesIn, readPipelineSource,
  type ExecutionPlan, type LoadedConfig, type PipelineSource,
} from '@flowengine/core';

export interface PreparedPipeline {
  readonly loaded: LoadedConfig;
  readonly plugins: AvailablePlugins;
  readonly plan: ExecutionPlan;
}

export interface PrepareOptions {
  readonly file: string;
  readonly profile?: string | undefined;
  readonly mode?: 'worker' | 'inline' | 'process' | undefined;
  readonly cwd?: string;
  /** The file's text when the caller has read it already (core's readPipelineSource). */
  readonly source?: PipelineSource;
}

/**
 * The project a command works in: the nearest folder, from `cwd` up, with a package.json (as npm
 * finds it). The preload lock file lives in its `.flowengine/`; plugins are discovered in its
 * node_modules and its ancestors' (as Node resolves packages). Paths inside a pipeline still
 * resolve against `cwd`.
 */
export function projectDir(cwd: string = process.cwd()): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

/** The plugins a pipeline file can use: the built-ins plus the installed ones it names (lock file first). */
export async function pipelinePlugins(source: PipelineSource, cwd: string): Promise<AvailablePlugins> {
  return namedPlugins(pluginTypesIn(source), cwd);
}

/** The built-ins plus the installed plugins with these ids (lock file first); only those are described. */
export async function namedPlugins(ids: readonly string[], cwd: string): Promise<AvailablePlugins> {
  return new AvailablePlugins(await findInstalledPlugins(projectDir(cwd), ids));
}

/** Every plugin of the project, for the JSON Schema (`flowengine schema`). */
export async function projectPlugins(cwd: string): Promise<AvailablePlugins> {
  return new AvailablePlugins((await allInstalledPlugins(projectDir(cwd))).plugins);
}

/** Loads and validates a pipeline file and turns it into an execution plan; throws FE_CONFIG_INVALID. */
export async function preparePipeline(options: PrepareOptions): Promise<PreparedPipeline> {
  const cwd = options.cwd ?? process.cwd();
  const source = options.source ?? readPipelineSource(options.file);
  const plugins = await pipelinePlugins(source, cwd);
  const loaded = loadPipelineConfig(source, { plugins, ...(options.profile === undefined ? {} : { profile: options.profile }) });
  const plan = buildExecutionPlan(loaded, plugins, { cwd, ...(options.mode === undefined ? {} : { mode: options.mode }) });
  return { loaded, plugins, plan };
}
