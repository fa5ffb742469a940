import { AvailablePlugins, buildExecutionPlan, loadPipelineConfig, type ExecutionPlan, type LoadedConfig } from '@flowengine/core';
import { findInstalledPlugins } from './installed-plugins.js';

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
}

/** The plugins a project can use: the built-ins plus what its node_modules provides. */
export async function projectPlugins(cwd: string): Promise<AvailablePlugins> {
  return new AvailablePlugins(await findInstalledPlugins(cwd));
}

/** Loads and validates a pipeline file and turns it into an execution plan; throws FE_CONFIG_INVALID. */
export async function preparePipeline(options: PrepareOptions): Promise<PreparedPipeline> {
  const cwd = options.cwd ?? process.cwd();
  const plugins = await projectPlugins(cwd);
  const loaded = loadPipelineConfig({ file: options.file }, { plugins, ...(options.profile === undefined ? {} : { profile: options.profile }) });
  const plan = buildExecutionPlan(loaded, plugins, { cwd, ...(options.mode === undefined ? {} : { mode: options.mode }) });
  return { loaded, plugins, plan };
}
