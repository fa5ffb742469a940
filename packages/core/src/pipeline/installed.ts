import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { FlowEngineError, type TSchema } from '@flowengine/sdk';
import { describeEveryPlugin, describePlugins, discoverPlugins, readLock, verifyLock, type PluginDescription, type ResolvedPlugin } from '@flowengine/isolation';
import { BUILT_IN_PLUGINS } from '../builtins/index.js';
import type { PipelineSource } from '../config/load.js';
import type { InstalledPlugin } from './catalog.js';

const BUILT_IN_IDS = new Set(BUILT_IN_PLUGINS.map((plugin) => plugin.descriptor.id));

/**
 * The plugin types a pipeline file names, read without validating it (validation needs the
 * catalog this is used to build). Pass the text the loader will get too, so the file is read once.
 * Unreadable or odd files give none: the loader reports them.
 */
export function pluginTypesIn(source: PipelineSource): string[] {
  const plugins = pluginEntriesIn(source);
  return [...new Set(plugins.map((plugin: unknown) => (plugin as { type?: unknown } | null)?.type).filter((type): type is string => typeof type === 'string'))];
}

/**
 * How many stages the file lists, read as cheaply as {@link pluginTypesIn} (0 when it does not
 * parse): enough to boot that many worker threads while the file is validated.
 */
export function stageCountIn(source: PipelineSource): number {
  return pluginEntriesIn(source).length;
}

/** The parse behind both, once per source object (`flowengine run` asks both of the same one). */
const entriesOf = new WeakMap<PipelineSource, unknown[]>();

function pluginEntriesIn(source: PipelineSource): unknown[] {
  let entries = entriesOf.get(source);
  if (entries === undefined) entriesOf.set(source, (entries = parseEntries(source)));
  return entries;
}

function parseEntries(source: PipelineSource): unknown[] {
  let document: unknown;
  try {
    document = parse(source.text ?? readFileSync(source.file, 'utf8'));
  } catch {
    return [];
  }
  const plugins = (document as { pipeline?: { plugins?: unknown } } | null)?.pipeline?.plugins;
  return Array.isArray(plugins) ? plugins : [];
}

/**
 * The installed plugins a run needs. With a preload lock file (`flowengine plugins preload`), the
 * locked plugins are used without resolving, after checking their files are unchanged
 * (FE_PLUGIN_INTEGRITY otherwise); ids the lock lacks are discovered. Without a lock, plugins are
 * discovered in node_modules and their config schemas read in one throwaway worker.
 */
export async function findInstalledPlugins(projectDir: string, ids: readonly string[]): Promise<InstalledPlugin[]> {
  const wanted = ids.filter((id) => !BUILT_IN_IDS.has(id));
  if (wanted.length === 0) return [];
  const lock = readLock(projectDir);
  const found: InstalledPlugin[] = [];
  const locked = lock === undefined ? [] : wanted.filter((id) => id in lock.plugins);
  if (lock !== undefined && locked.length > 0) {
    for (const plugin of verifyLock(projectDir, lock, locked)) {
      found.push(toInstalled(plugin, lock.plugins[plugin.id]?.configSchema as TSchema));
    }
  }
  const rest = wanted.filter((id) => !locked.includes(id));
  if (rest.length === 0) return found;
  const { plugins, problems } = discoverPlugins({ projectDir });
  const toDescribe: ResolvedPlugin[] = [];
  for (const id of rest) {
    const plugin = plugins.find((candidate) => candidate.id === id);
    if (plugin === undefined) {
      // An unknown id is the config loader's to report (with position and the installed list);
      // a package refused for its SDK range or a broken manifest is reported here, with the reason.
      const refused = problems.find((problem) => (problem.details['ids'] as string[] | undefined)?.includes(id));
      if (refused !== undefined) throw refused;
      continue;
    }
    toDescribe.push(plugin);
  }
  const descriptions = await describeEveryPlugin(toDescribe);
  toDescribe.forEach((plugin, i) => {
    found.push(toInstalled(plugin, (descriptions[i] as PluginDescription).configSchema as TSchema));
  });
  return found;
}

/**
 * The plugins a project can name, from the built-ins and the installed manifests alone: no plugin
 * code is loaded (for listings; `allInstalledPlugins` when their config schemas are needed).
 */
export function listPlugins(projectDir: string): Array<{ id: string; kind: string; packageName: string | undefined }> {
  const builtIns = BUILT_IN_PLUGINS.map(({ descriptor }) => ({ id: descriptor.id, kind: descriptor.kind as string, packageName: undefined }));
  const installed = discoverPlugins({ projectDir }).plugins.map(({ id, kind, packageName }) => ({ id, kind: kind as string, packageName }));
  return [...builtIns, ...installed].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Every installed plugin with its config schema (for `flowengine schema`). */
export async function allInstalledPlugins(projectDir: string): Promise<{ plugins: InstalledPlugin[]; problems: FlowEngineError[] }> {
  const { plugins, problems } = discoverPlugins({ projectDir });
  const installed: InstalledPlugin[] = [];
  const descriptions = await describePlugins(plugins);
  plugins.forEach((plugin, i) => {
    const described = descriptions[i];
    if (described instanceof FlowEngineError) problems.push(described);
    else if (described !== undefined) installed.push(toInstalled(plugin, described.configSchema as TSchema));
  });
  return { plugins: installed, problems };
}

function toInstalled(plugin: ResolvedPlugin, configSchema: TSchema): InstalledPlugin {
  return {
    id: plugin.id, kind: plugin.kind, configSchema, modulePath: plugin.modulePath,
    packageName: plugin.packageName, packageDir: plugin.packageDir, firstParty: plugin.firstParty,
  };
}
