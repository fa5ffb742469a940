import type { Static } from 'typebox';
import { Value } from '@flowengine/sdk/typebox';
import type { PluginCatalog, PluginCatalogEntry } from './catalog.js';
import { isObj, sourceSchemaTargets } from './checks.js';
import {
  ARRAY_ROW_POOL_DEFAULTS, CHANNEL_DEFAULTS, CHUNK_POOL_DEFAULTS, ISOLATION_DEFAULTS, PERFORMANCE_DEFAULTS, RESTART_DEFAULTS, defaultDeadLetterPath,
} from './defaults.js';
import type { PipelineFile, Settings } from './file-schema.js';
import { effectivePluginSchema } from './plugin-schema.js';
import type { ChannelSettings, EngineSettings, IsolationSettings, PipelineConfig, PluginInstanceConfig } from './types.js';

type FileValue = Static<typeof PipelineFile>;
type SettingsValue = Static<typeof Settings>;
type PluginValue = FileValue['pipeline']['plugins'][number];

/**
 * Builds the canonical config from a file that passed every check: seed sections folded into
 * `settings`, the profile overlaid, every default filled. Not yet frozen.
 */
export function normalize(file: FileValue, catalog: PluginCatalog, profile: string | undefined): PipelineConfig {
  const base: SettingsValue = { ...file.settings };
  if (file.channels !== undefined) base.channels = file.channels;
  if (file.isolation !== undefined) base.isolation = file.isolation;
  if (file.memoryPools !== undefined) base.memoryPools = file.memoryPools;
  const merged = (profile === undefined ? base : deepMerge(base, file.profiles?.[profile] ?? {})) as SettingsValue;
  const settings = settingsWithDefaults(merged);

  const entries = file.pipeline.plugins.map((plugin) => catalog.get(plugin.type) as PluginCatalogEntry);
  const sharedSchema = file.schema ?? file.pipeline.schema;
  const schemaTarget = sharedSchema === undefined ? undefined : sourceSchemaTargets(file.pipeline.plugins, entries.map((e) => e.kind))[0];
  const plugins = file.pipeline.plugins.map((plugin, index): PluginInstanceConfig => {
    const previous = file.pipeline.plugins[index - 1];
    const entry = entries[index] as PluginCatalogEntry;
    const own = plugin.schema ?? (index === schemaTarget ? sharedSchema : undefined);
    return pluginWithDefaults(plugin, entry, settings.isolation, previous?.name, own);
  });

  const performance = file.pipeline.performance;
  return {
    name: file.pipeline.name,
    plugins,
    ...(performance === undefined ? {} : { performance: { ...PERFORMANCE_DEFAULTS, ...performance } }),
    settings,
    ...(profile === undefined ? {} : { profile }),
  };
}

function settingsWithDefaults(settings: SettingsValue): EngineSettings {
  const declared = settings.channels ?? {};
  const fallback: ChannelSettings = { ...CHANNEL_DEFAULTS, ...declared['default'] } as ChannelSettings;
  const channels: Record<string, ChannelSettings> = { default: fallback };
  // A named channel inherits what it leaves out from `default`, so a profile can change one knob.
  for (const [name, channel] of Object.entries(declared)) channels[name] = { ...fallback, ...channel } as ChannelSettings;
  const pools = settings.memoryPools ?? {};
  return {
    channels,
    isolation: { ...ISOLATION_DEFAULTS, ...settings.isolation } as IsolationSettings,
    memoryPools: {
      chunkPool: { ...CHUNK_POOL_DEFAULTS, ...pools.chunkPool },
      arrayRowPool: { ...ARRAY_ROW_POOL_DEFAULTS, ...pools.arrayRowPool },
    },
  };
}

function pluginWithDefaults(
  plugin: PluginValue, entry: PluginCatalogEntry, isolation: IsolationSettings, previous: string | undefined,
  schema: PluginValue['schema'],
): PluginInstanceConfig {
  const effective = effectivePluginSchema(entry);
  const config = Value.Default(effective.schema, structuredClone(plugin.config ?? {})) as Record<string, unknown>;
  const fromConfig = typeof config['chunkSize'] === 'number' ? config['chunkSize'] : undefined;
  // The seed's `config.chunkSize` is the engine's; a plugin that declares chunkSize keeps it too.
  if (effective.engineChunkSize) delete config['chunkSize'];
  const chunkSize = plugin.chunkSize ?? fromConfig;
  const trusted = plugin.trusted ?? false;
  const input = plugin.input === undefined ? (entry.kind === 'source' || previous === undefined ? [] : [previous])
    : typeof plugin.input === 'string' ? [plugin.input] : [...plugin.input];
  const errors = plugin.errors ?? 'fail';
  return {
    name: plugin.name,
    type: plugin.type,
    kind: entry.kind,
    builtIn: entry.builtIn,
    input,
    config,
    ...(schema === undefined ? {} : { schema }),
    errors,
    ...(errors === 'deadLetter' ? { deadLetter: plugin.deadLetter ?? { path: defaultDeadLetterPath(plugin.name) } } : {}),
    mode: plugin.mode ?? isolation.defaultMode ?? (entry.builtIn || entry.trusted === true || trusted ? 'worker' : 'process'),
    trusted,
    memoryLimitMB: plugin.memoryLimitMB ?? isolation.defaultMemoryLimitMB,
    timeoutSeconds: plugin.timeoutSeconds ?? isolation.defaultTimeoutSeconds,
    parallelism: plugin.parallelism ?? plugin.threads ?? 1,
    restart: { ...RESTART_DEFAULTS, ...plugin.restart },
    channel: plugin.channel ?? 'default',
    ...(chunkSize === undefined ? {} : { chunkSize }),
  };
}

/** Mappings merge key by key; anything else (lists included) in the overlay replaces the base. */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (!isObj(base) || !isObj(overlay)) return overlay === undefined ? base : overlay;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) out[key] = deepMerge(base[key], value);
  return out;
}
