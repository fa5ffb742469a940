import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import semver from 'semver';
import { FlowEngineError, PLUGIN_KEYWORD, SDK_VERSION, byCloseness, parseManifest } from '@flowengine/sdk';
import type { PluginKind } from '@flowengine/sdk';
import type { PluginRef } from '../instance/types.js';

/** A plugin the engine can run (a {@link PluginRef} for startInstance), found from a manifest or given as a built-in. */
export interface ResolvedPlugin extends PluginRef {
  readonly packageName: string;
  readonly packageVersion: string;
  readonly packageDir: string;
  /** The SDK range the package declares. */
  readonly sdk: string;
  readonly builtin: boolean;
}

/** A plugin shipped with the engine; the core passes these in. */
export interface BuiltinPlugin {
  readonly id: string;
  readonly kind: PluginKind;
  readonly modulePath: string;
  readonly packageName: string;
  readonly packageDir: string;
  readonly packageVersion?: string;
  readonly sdk?: string;
}

export interface DiscoverOptions {
  /** The project whose node_modules, and every ancestor's, is searched. */
  readonly projectDir: string;
  readonly builtins?: readonly BuiltinPlugin[];
  /** The engine's SDK version (default: the SDK this package was built with). */
  readonly sdkVersion?: string;
}

/**
 * Lists every plugin available to a project: the built-ins, then each package in
 * `<projectDir>/node_modules` and in every ancestor's (scoped ones too; as Node resolves packages,
 * so a workspace package finds what is hoisted to the root, and the nearest copy of an id wins)
 * that carries the `flowengine-plugin` keyword or a `"flowengine"` block. Reads manifests only; no
 * plugin code is loaded. Packages whose manifest is broken or whose SDK range excludes this engine
 * are returned in `problems`, not as plugins.
 */
export function discoverPlugins(options: DiscoverOptions): { plugins: ResolvedPlugin[]; problems: FlowEngineError[] } {
  const plugins: ResolvedPlugin[] = [];
  const problems: FlowEngineError[] = [];
  const byId = new Map<string, ResolvedPlugin>();
  const add = (plugin: ResolvedPlugin): void => {
    const existing = byId.get(plugin.id);
    if (existing !== undefined) {
      problems.push(new FlowEngineError('FE_PLUGIN_DUPLICATE_ID',
        `plugin "${plugin.id}" is provided by both ${existing.packageName} (${existing.packageDir}) and ${plugin.packageName} (${plugin.packageDir}); uninstall one`,
        { details: { id: plugin.id, packages: [existing.packageName, plugin.packageName] } }));
      return;
    }
    byId.set(plugin.id, plugin);
    plugins.push(plugin);
  };
  for (const builtin of options.builtins ?? []) {
    add({
      id: builtin.id, kind: builtin.kind, modulePath: builtin.modulePath, packageName: builtin.packageName, packageDir: builtin.packageDir,
      packageVersion: builtin.packageVersion ?? '0.0.0', sdk: builtin.sdk ?? `^${SDK_VERSION}`, firstParty: true, builtin: true,
    });
  }
  const sdkVersion = options.sdkVersion ?? SDK_VERSION;
  // Ids found in a nearer node_modules: a farther copy is shadowed, not a duplicate.
  const nearer = new Set<string>();
  for (let dir = resolve(options.projectDir); ; dir = dirname(dir)) {
    for (const { packageDir, pkg } of candidatePackages(join(dir, 'node_modules'))) {
      try {
        const manifest = parseManifest(pkg, packageDir);
        checkSdkRange(manifest.packageName, manifest.packageVersion, manifest.sdk, sdkVersion, manifest.plugins.map((entry) => entry.id));
        for (const entry of manifest.plugins) {
          if (nearer.has(entry.id)) continue;
          add({
            id: entry.id, kind: entry.kind, modulePath: isAbsolute(entry.entry) ? entry.entry : resolve(packageDir, entry.entry),
            packageName: manifest.packageName, packageVersion: manifest.packageVersion, packageDir, sdk: manifest.sdk,
            firstParty: manifest.packageName.startsWith('@flowengine/'), builtin: false,
          });
        }
      } catch (error) {
        problems.push(FlowEngineError.from(error));
      }
    }
    for (const plugin of plugins) if (!plugin.builtin) nearer.add(plugin.id);
    if (dirname(dir) === dir) break;
  }
  return { plugins, problems };
}

/**
 * Finds the plugin a pipeline names. FE_PLUGIN_NOT_FOUND lists the installed ids, closest first;
 * a package that would provide the id but was refused (SDK mismatch, broken manifest) is reported
 * with that reason instead.
 */
export function resolvePlugin(id: string, options: DiscoverOptions): ResolvedPlugin {
  const { plugins, problems } = discoverPlugins(options);
  const found = plugins.find((plugin) => plugin.id === id);
  if (found !== undefined) return found;
  const refused = problems.find((problem) => problem.code === 'FE_PLUGIN_SDK_MISMATCH' && (problem.details.ids as string[] | undefined)?.includes(id));
  if (refused !== undefined) throw refused;
  throw notFound(id, plugins.map((plugin) => plugin.id));
}

export function notFound(id: string, installed: readonly string[]): FlowEngineError {
  const ranked = byCloseness(id, [...installed].sort());
  const list = ranked.length === 0 ? 'no plugins are installed' : `installed: ${ranked.join(', ')}`;
  return new FlowEngineError('FE_PLUGIN_NOT_FOUND', `plugin "${id}": no built-in or installed package provides it; ${list}`,
    { details: { id, installed: ranked } });
}

/** FE_PLUGIN_SDK_MISMATCH unless `sdkVersion` satisfies the package's range; says which versions fit. */
export function checkSdkRange(packageName: string, packageVersion: string, range: string, sdkVersion: string, ids: readonly string[] = []): void {
  const valid = semver.validRange(range);
  if (valid !== null && semver.satisfies(sdkVersion, valid, { includePrerelease: true })) return;
  const fits = valid === null ? `"${range}" is not a valid semver range` : `it accepts @flowengine/sdk ${valid}`;
  throw new FlowEngineError('FE_PLUGIN_SDK_MISMATCH',
    `${packageName}@${packageVersion} was built for @flowengine/sdk "${range}" but this engine has ${sdkVersion}; ${fits}. Install a version of ${packageName} built for ${sdkVersion}, or an engine whose SDK fits`,
    { details: { packageName, packageVersion, range, sdkVersion, ids: [...ids] } });
}

/** The plugin packages in a node_modules folder, each with its package.json read once. */
function* candidatePackages(nodeModules: string): Generator<{ packageDir: string; pkg: Record<string, unknown> }> {
  if (!existsSync(nodeModules)) return;
  for (const name of readdirSync(nodeModules).sort()) {
    if (name.startsWith('.')) continue;
    const dirs = name.startsWith('@') ? readdirSync(join(nodeModules, name)).sort().map((scoped) => join(nodeModules, name, scoped)) : [join(nodeModules, name)];
    for (const packageDir of dirs) {
      const pkg = pluginPackageJson(packageDir);
      if (pkg !== undefined) yield { packageDir, pkg };
    }
  }
}

/** The package.json of a package that says it provides plugins (keyword or "flowengine" block). */
function pluginPackageJson(dir: string): Record<string, unknown> | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    return pkg.flowengine !== undefined || (Array.isArray(pkg.keywords) && pkg.keywords.includes(PLUGIN_KEYWORD)) ? pkg : undefined;
  } catch {
    return undefined;
  }
}
