import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Compile } from '@flowengine/sdk/typebox';
import { FlowEngineError, SDK_VERSION } from '@flowengine/sdk';
import { describeEveryPlugin, type PluginDescription } from './describe.js';
import { discoverPlugins, notFound } from './discover.js';
import type { DiscoverOptions, ResolvedPlugin } from './discover.js';
import { hashPackage } from './hash.js';

/** Where preload writes its lock file, relative to the project. */
export const LOCK_FILE = '.flowengine/plugins.lock.json';
const LOCK_VERSION = 1;

/** One plugin as recorded by preload. Paths are relative to the project directory. */
export interface LockedPlugin {
  readonly id: string;
  readonly kind: ResolvedPlugin['kind'];
  readonly packageName: string;
  readonly packageVersion: string;
  readonly packageDir: string;
  readonly modulePath: string;
  readonly sdk: string;
  readonly firstParty: boolean;
  readonly builtin: boolean;
  readonly stateless: boolean;
  /** The plugin's TypeBox config schema as JSON Schema: the core validates configs with it. */
  readonly configSchema: unknown;
}

export interface LockedPackage {
  readonly integrity: string;
  readonly files: Record<string, string>;
}

export interface PluginLock {
  readonly version: typeof LOCK_VERSION;
  readonly sdk: string;
  readonly plugins: Record<string, LockedPlugin>;
  /** By package directory (relative): hashes of its files. */
  readonly packages: Record<string, LockedPackage>;
}

export interface PreloadOptions extends DiscoverOptions {
  /** Plugin ids to lock (those a pipeline uses); default: every plugin discovered. */
  readonly ids?: readonly string[];
  /** Write the lock file (default true). */
  readonly write?: boolean;
}

/**
 * Resolves every plugin (manifest, SDK range), loads the modules in one throwaway worker to read their
 * config schemas and compiles that into a validator, hashes each plugin package's files (sha256),
 * and writes `.flowengine/plugins.lock.json`. Fails on the first plugin that cannot be resolved.
 */
export async function preloadPlugins(options: PreloadOptions): Promise<PluginLock> {
  const projectDir = resolve(options.projectDir);
  const { plugins, problems } = discoverPlugins(options);
  const wanted = options.ids ?? plugins.map((plugin) => plugin.id);
  const lock: PluginLock = { version: LOCK_VERSION, sdk: options.sdkVersion ?? SDK_VERSION, plugins: {}, packages: {} };
  const chosen = wanted.map((id) => {
    const plugin = plugins.find((candidate) => candidate.id === id);
    if (plugin === undefined) {
      throw problems.find((problem) => (problem.details.ids as string[] | undefined)?.includes(id)) ?? notFound(id, plugins.map((candidate) => candidate.id));
    }
    return plugin;
  });
  const descriptions = await describeEveryPlugin(chosen);
  chosen.forEach((plugin, i) => {
    const described = descriptions[i] as PluginDescription;
    // Compiling proves the schema is usable before any run depends on it.
    Compile(described.configSchema as Parameters<typeof Compile>[0]);
    const packageDir = relative(projectDir, plugin.packageDir) || '.';
    lock.plugins[plugin.id] = {
      id: plugin.id, kind: plugin.kind, packageName: plugin.packageName, packageVersion: plugin.packageVersion, packageDir,
      modulePath: relative(projectDir, plugin.modulePath), sdk: plugin.sdk, firstParty: plugin.firstParty, builtin: plugin.builtin,
      stateless: described.stateless, configSchema: described.configSchema,
    };
    lock.packages[packageDir] ??= hashPackage(plugin.packageDir);
  });
  if (options.write !== false) {
    const path = join(projectDir, LOCK_FILE);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
  }
  return lock;
}

/** Reads the lock file of a project, or undefined when there is none. FE_PLUGIN_LOCK_INVALID when unreadable. */
export function readLock(projectDir: string): PluginLock | undefined {
  const path = join(projectDir, LOCK_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let lock: Partial<PluginLock>;
  try {
    lock = JSON.parse(text) as Partial<PluginLock>;
  } catch (cause) {
    throw new FlowEngineError('FE_PLUGIN_LOCK_INVALID', `${path}: expected JSON: ${(cause as Error).message}; run \`flowengine plugins preload\` again`, { cause });
  }
  if (lock.version !== LOCK_VERSION || typeof lock.plugins !== 'object' || typeof lock.packages !== 'object') {
    throw new FlowEngineError('FE_PLUGIN_LOCK_INVALID', `${path}: expected a lock file of version ${LOCK_VERSION}, found version ${String(lock.version)}; run \`flowengine plugins preload\` again`);
  }
  return lock as PluginLock;
}

/**
 * Checks that each locked plugin package (or only those of `ids`) still has exactly the files
 * preload hashed, and returns the plugins as resolved refs (absolute paths) so a run can start
 * without resolving. FE_PLUGIN_INTEGRITY names the package and the changed, added and removed files.
 */
export function verifyLock(projectDir: string, lock: PluginLock, ids: readonly string[] = Object.keys(lock.plugins)): ResolvedPlugin[] {
  const root = resolve(projectDir);
  const checked = new Set<string>();
  const out: ResolvedPlugin[] = [];
  for (const id of ids) {
    const locked = lock.plugins[id];
    if (locked === undefined) throw notFound(id, Object.keys(lock.plugins));
    if (!checked.has(locked.packageDir)) {
      checked.add(locked.packageDir);
      const expected = lock.packages[locked.packageDir];
      const actual = hashPackage(resolve(root, locked.packageDir));
      if (expected === undefined || expected.integrity !== actual.integrity) {
        const before = expected?.files ?? {};
        const changed = Object.keys(actual.files).filter((file) => file in before && before[file] !== actual.files[file]);
        const added = Object.keys(actual.files).filter((file) => !(file in before));
        const removed = Object.keys(before).filter((file) => !(file in actual.files));
        const list = [...changed.map((file) => `changed ${file}`), ...added.map((file) => `added ${file}`), ...removed.map((file) => `removed ${file}`)].join(', ');
        throw new FlowEngineError('FE_PLUGIN_INTEGRITY',
          `plugin "${id}" (${locked.packageName}@${locked.packageVersion} in ${locked.packageDir}): its files differ from ${LOCK_FILE}: ${list}; run \`flowengine plugins preload\` if this is intended`,
          { details: { id, packageName: locked.packageName, changed, added, removed } });
      }
    }
    out.push({
      id: locked.id, kind: locked.kind, modulePath: resolve(root, locked.modulePath), packageName: locked.packageName, packageVersion: locked.packageVersion,
      packageDir: resolve(root, locked.packageDir), sdk: locked.sdk, firstParty: locked.firstParty, builtin: locked.builtin,
    });
  }
  return out;
}
