import { resolve } from 'node:path';
import { FlowEngineError, Schema } from '@flowengine/sdk';
import type { LoadedConfig } from '../config/load.js';
import type { ExecutionPlan, StagePlan } from '../executor/plan.js';
import type { AvailablePlugins } from './catalog.js';

export interface PlanOptions {
  /** Relative paths in the config (dead letters, spill) resolve against it. Default: process.cwd(). */
  readonly cwd?: string;
  /** Overrides every instance's mode, e.g. `inline` for tests or to measure isolation's cost. */
  readonly mode?: 'worker' | 'inline' | 'process';
  readonly flushIntervalMs?: number;
}

/** Turns a validated config into what the executor runs: one stage per plugin instance. */
export function buildExecutionPlan(loaded: LoadedConfig, plugins: AvailablePlugins, options: PlanOptions = {}): ExecutionPlan {
  const cwd = options.cwd ?? process.cwd();
  const { config } = loaded;
  const isolation = config.settings.isolation;
  const stages: StagePlan[] = config.plugins.map((instance) => {
    const plugin = plugins.plugin(instance.type);
    if (plugin === undefined) {
      throw new FlowEngineError('FE_PLUGIN_NOT_FOUND', `instance "${instance.name}": plugin "${instance.type}" is not installed; installed: ${plugins.ids().join(', ')}`);
    }
    const channel = config.settings.channels[instance.channel] ?? config.settings.channels['default'];
    if (channel === undefined) throw new FlowEngineError('FE_CONFIG_INVALID', `instance "${instance.name}": channel profile "${instance.channel}" does not exist`);
    const declaredSchema = instance.schema === undefined ? undefined : Schema.fromDefinition(instance.schema, `${instance.name}.schema`);
    const pluginConfig = instance.chunkSize !== undefined && instance.kind === 'source' && !('chunkSize' in instance.config)
      ? { ...instance.config, chunkSize: instance.chunkSize }
      : instance.config;
    return {
      name: instance.name,
      type: instance.type,
      kind: instance.kind,
      inputs: instance.input,
      errors: instance.errors,
      deadLetterPath: instance.deadLetter === undefined ? undefined : resolve(cwd, instance.deadLetter.path),
      where: loaded.locations.get(instance.name),
      channel,
      instance: {
        name: instance.name,
        plugin: plugin.ref,
        config: pluginConfig,
        mode: options.mode ?? instance.mode,
        memoryLimitMB: instance.memoryLimitMB,
        timeoutSeconds: instance.timeoutSeconds,
        threads: instance.parallelism,
        restart: instance.restart,
        ...(declaredSchema === undefined ? {} : { declaredSchema }),
      },
    };
  });
  return {
    pipeline: config.name,
    stages,
    spill: isolation.enableSpillover ? { directory: resolve(cwd, isolation.spilloverPath) } : undefined,
    lazy: isolation.enableLazyLoading && !isolation.preloadPlugins,
    flushIntervalMs: options.flushIntervalMs ?? 1000,
  };
}
