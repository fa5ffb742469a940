import { byCloseness } from '@flowengine/sdk';
import { Value } from '@flowengine/sdk/typebox';
import type { PluginCatalog } from './catalog.js';
import { didYouMean } from './did-you-mean.js';
import { effectivePluginSchema } from './plugin-schema.js';
import { childPointer, type ProblemList } from './problems.js';
import { addSchemaProblems } from './schema-problems.js';

type Obj = Record<string, unknown>;

/** A YAML mapping (not a list, not null). */
export const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const SEED_SECTIONS = ['channels', 'isolation', 'memoryPools'] as const;

/**
 * The checks a schema cannot express: plugin types against the catalog, each plugin's config against
 * its own schema, unique names, `input` and `channel` references, the profile asked for, and the
 * seed shapes not contradicting the canonical ones. Written defensively: it runs on a file that may
 * also have schema problems, so that one report lists everything.
 */
export function checkReferences(raw: unknown, problems: ProblemList, catalog: PluginCatalog, profile: string | undefined): void {
  if (!isObj(raw)) return;
  checkSeedConflicts(raw, problems);
  checkProfile(raw, problems, profile);
  const pipeline = raw['pipeline'];
  if (!isObj(pipeline) || !Array.isArray(pipeline['plugins'])) return;
  const plugins = pipeline['plugins'] as unknown[];
  const base = '/pipeline/plugins';
  const names = new Map<string, string>();
  const channelNames = availableChannels(raw, profile);

  plugins.forEach((plugin, index) => {
    if (!isObj(plugin)) return;
    const at = childPointer(base, index);
    const name = plugin['name'];
    if (typeof name === 'string') {
      const first = names.get(name);
      if (first === undefined) names.set(name, at);
      else problems.at('FE_CONFIG_DUPLICATE_NAME', `${at}/name`, `duplicate instance name "${name}" (first used at line ${problems.lineOf(`${first}/name`)}); names must be unique`);
    }
    checkPlugin(plugin, at, problems, catalog);
    if (plugin['threads'] !== undefined && plugin['parallelism'] !== undefined) {
      problems.at('FE_CONFIG_CONFLICT', `${at}/threads`, `both "threads" and "parallelism" are given (parallelism at line ${problems.lineOf(`${at}/parallelism`)}); keep one`, 'key');
    }
    const channel = plugin['channel'];
    if (typeof channel === 'string' && !channelNames.includes(channel)) {
      problems.at('FE_CONFIG_UNKNOWN_CHANNEL', `${at}/channel`, `unknown channel "${channel}"${didYouMean(channel, channelNames)} (defined: ${channelNames.join(', ')})`);
    }
  });

  const known = [...names.keys()];
  plugins.forEach((plugin, index) => {
    if (!isObj(plugin)) return;
    const at = `${childPointer(base, index)}/input`;
    const input = plugin['input'];
    const refs: Array<[string, string]> = typeof input === 'string' ? [[input, at]]
      : Array.isArray(input) ? input.flatMap((item, i) => typeof item === 'string' ? [[item, childPointer(at, i)] as [string, string]] : []) : [];
    for (const [ref, pointer] of refs) {
      if (names.has(ref)) continue;
      problems.at('FE_CONFIG_UNKNOWN_INPUT', pointer, `input "${ref}" is not a plugin instance of this pipeline; instances: ${byCloseness(ref, known).join(', ')}`);
    }
  });

  checkSourceSchema(raw, pipeline, plugins, problems, catalog);
}

function checkPlugin(plugin: Obj, at: string, problems: ProblemList, catalog: PluginCatalog): void {
  const type = plugin['type'];
  if (typeof type !== 'string' || type === '') return;
  const entry = catalog.get(type);
  if (entry === undefined) {
    const ids = byCloseness(type, catalog.ids());
    const list = ids.length === 0 ? 'no plugins are installed' : `installed: ${ids.join(', ')}`;
    problems.at('FE_CONFIG_UNKNOWN_PLUGIN', `${at}/type`, `unknown plugin type "${type}"${didYouMean(type, ids)}; ${list}`);
    return;
  }
  const config = plugin['config'] ?? {};
  if (!isObj(config)) return; // the file schema already reports a config that is not a mapping
  const effective = effectivePluginSchema(entry);
  // Defaults first, as the plugin will see its config: an option with a `default` need not be written.
  const withDefaults = Value.Default(effective.schema, structuredClone(config));
  const before = problems.items.length;
  addSchemaProblems(problems, effective.schema, effective.validator, withDefaults, `${at}/config`, `${type} config`);
  if (problems.items.length === before && entry.check !== undefined) {
    for (const issue of entry.check(withDefaults as Record<string, unknown>)) {
      const pointer = issue.path.reduce<string>((parent, key) => childPointer(parent, key), `${at}/config`);
      if (issue.index === undefined) problems.at('FE_CONFIG_WRONG_VALUE', pointer, `${type} config: ${issue.message}`);
      else problems.inside('FE_CONFIG_WRONG_VALUE', pointer, issue.index, `${type} config: ${issue.message}`);
    }
  }
  if (effective.engineChunkSize && config['chunkSize'] !== undefined && plugin['chunkSize'] !== undefined) {
    problems.at('FE_CONFIG_CONFLICT', `${at}/config/chunkSize`, `chunkSize is given here and on the plugin (line ${problems.lineOf(`${at}/chunkSize`)}); keep one`, 'key');
  }
}

function checkSeedConflicts(raw: Obj, problems: ProblemList): void {
  const settings = raw['settings'];
  for (const section of SEED_SECTIONS) {
    if (raw[section] !== undefined && isObj(settings) && settings[section] !== undefined) {
      problems.at('FE_CONFIG_CONFLICT', `/${section}`,
        `"${section}" is given at the top level and under settings (line ${problems.lineOf(`/settings/${section}`)}); keep one`, 'key');
    }
  }
  const pipeline = raw['pipeline'];
  if (raw['schema'] !== undefined && isObj(pipeline) && pipeline['schema'] !== undefined) {
    problems.at('FE_CONFIG_CONFLICT', '/schema', `"schema" is given at the top level and under pipeline (line ${problems.lineOf('/pipeline/schema')}); keep one`, 'key');
  }
}

function checkProfile(raw: Obj, problems: ProblemList, profile: string | undefined): void {
  if (profile === undefined) return;
  const profiles = isObj(raw['profiles']) ? Object.keys(raw['profiles']) : [];
  if (profiles.includes(profile)) return;
  const listed = profiles.length === 0 ? 'this file defines no profiles' : `profiles in this file: ${byCloseness(profile, profiles).join(', ')}`;
  problems.at('FE_CONFIG_UNKNOWN_PROFILE', raw['profiles'] === undefined ? '' : '/profiles', `profile "${profile}" is not defined; ${listed}`, 'key');
}

/** Channel profile names a plugin may pick: `default` and every name the file (or the profile) defines. */
function availableChannels(raw: Obj, profile: string | undefined): string[] {
  const settings = isObj(raw['settings']) ? raw['settings'] : {};
  const overlay = profile !== undefined && isObj(raw['profiles']) && isObj(raw['profiles'][profile]) ? raw['profiles'][profile] : {};
  const names = new Set(['default']);
  for (const channels of [settings['channels'], raw['channels'], overlay['channels']]) {
    if (isObj(channels)) for (const name of Object.keys(channels)) names.add(name);
  }
  return [...names];
}

// The seed guide writes one `schema:` beside the plugins; it belongs to the one source without its own.
function checkSourceSchema(raw: Obj, pipeline: Obj, plugins: unknown[], problems: ProblemList, catalog: PluginCatalog): void {
  const pointer = raw['schema'] !== undefined ? '/schema' : pipeline['schema'] !== undefined ? '/pipeline/schema' : undefined;
  if (pointer === undefined) return;
  const entries = plugins.map((p) => (isObj(p) && typeof p['type'] === 'string' ? catalog.get(p['type']) : undefined));
  if (entries.some((entry) => entry === undefined)) return; // unknown types are reported already
  const targets = sourceSchemaTargets(plugins, entries.map((entry) => entry?.kind));
  if (targets.length === 1) return;
  const why = targets.length === 0 ? 'every source already declares its own schema (or there is no source)'
    : `${targets.length} sources could take it`;
  problems.at('FE_CONFIG_CONFLICT', pointer, `this schema belongs to no single source: ${why}; move it under the source plugin's "schema:"`, 'key');
}

/** Indexes of source plugins without their own `schema:`. */
export function sourceSchemaTargets(plugins: readonly unknown[], kinds: ReadonlyArray<string | undefined>): number[] {
  return plugins.flatMap((plugin, index) => (kinds[index] === 'source' && isObj(plugin) && plugin['schema'] === undefined ? [index] : []));
}
