import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowEngineError } from '../errors/flowengine-error.js';
import type { PluginKind } from './define.js';

/** One plugin a package provides, as declared in its package.json. */
export interface ManifestPlugin {
  readonly id: string;
  readonly kind: PluginKind;
  /** Module path relative to the package directory, exporting the descriptor (default or named). */
  readonly entry: string;
}

/** The `"flowengine"` block of a plugin package's package.json, plus the package's identity. */
export interface PluginManifest {
  readonly packageName: string;
  readonly packageVersion: string;
  readonly packageDir: string;
  /** The SDK semver range the package was built for. */
  readonly sdk: string;
  readonly plugins: readonly ManifestPlugin[];
}

/** The keyword that marks a package as a FlowEngine plugin package on npm. */
export const PLUGIN_KEYWORD = 'flowengine-plugin';

const KINDS: readonly string[] = ['source', 'transform', 'sink'];

/**
 * Reads and checks the manifest of the plugin package in `packageDir` without loading any of its
 * code. FE_PLUGIN_MANIFEST_MISSING when there is no package.json or no `"flowengine"` block,
 * FE_PLUGIN_MANIFEST_INVALID (listing every problem) when the block is malformed.
 */
export function readManifest(packageDir: string): PluginManifest {
  const file = join(packageDir, 'package.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new FlowEngineError('FE_PLUGIN_MANIFEST_MISSING', `${file}: expected a package.json, found none`, { details: { file }, cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new FlowEngineError('FE_PLUGIN_MANIFEST_INVALID', `${file}: expected JSON: ${(cause as Error).message}`, { details: { file }, cause });
  }
  return parseManifest(json, packageDir, file);
}

/** Checks a parsed package.json; `file` is only used in messages. */
export function parseManifest(json: unknown, packageDir: string, file = join(packageDir, 'package.json')): PluginManifest {
  const pkg = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const block = pkg.flowengine;
  if (block === undefined) {
    throw new FlowEngineError('FE_PLUGIN_MANIFEST_MISSING',
      `${file}: expected a "flowengine": { "sdk", "plugins" } block, found none; is ${String(pkg.name ?? packageDir)} a FlowEngine plugin package?`,
      { details: { file } });
  }
  const problems: string[] = [];
  if (typeof pkg.name !== 'string') problems.push('"name": expected a string');
  if (typeof pkg.version !== 'string') problems.push('"version": expected a string');
  const manifest = (typeof block === 'object' && block !== null ? block : {}) as Record<string, unknown>;
  if (typeof block !== 'object' || block === null) problems.push(`"flowengine": expected an object, found ${JSON.stringify(block)}`);
  if (typeof manifest.sdk !== 'string' || manifest.sdk.trim() === '') problems.push(`"flowengine.sdk": expected a semver range such as "^0.1.0", found ${JSON.stringify(manifest.sdk)}`);
  const plugins: ManifestPlugin[] = [];
  if (!Array.isArray(manifest.plugins) || manifest.plugins.length === 0) {
    problems.push(`"flowengine.plugins": expected a non-empty list of { id, kind, entry }, found ${JSON.stringify(manifest.plugins)}`);
  } else {
    const seen = new Set<string>();
    manifest.plugins.forEach((item: unknown, index) => {
      const at = `"flowengine.plugins[${index}]`;
      const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const before = problems.length;
      if (typeof entry.id !== 'string' || entry.id === '') problems.push(`${at}.id": expected a plugin id, found ${JSON.stringify(entry.id)}`);
      else if (seen.has(entry.id)) problems.push(`${at}.id": "${entry.id}" is declared twice`);
      if (typeof entry.kind !== 'string' || !KINDS.includes(entry.kind)) problems.push(`${at}.kind": expected one of ${KINDS.join(', ')}, found ${JSON.stringify(entry.kind)}`);
      if (typeof entry.entry !== 'string' || entry.entry === '') problems.push(`${at}.entry": expected a module path inside the package, found ${JSON.stringify(entry.entry)}`);
      else if (entry.entry.startsWith('/') || entry.entry.split(/[\\/]/).includes('..')) problems.push(`${at}.entry": expected a path inside the package, found "${entry.entry}"`);
      if (problems.length === before) {
        seen.add(entry.id as string);
        plugins.push(Object.freeze({ id: entry.id as string, kind: entry.kind as PluginKind, entry: entry.entry as string }));
      }
    });
  }
  const keywords = Array.isArray(pkg.keywords) ? pkg.keywords : [];
  if (!keywords.includes(PLUGIN_KEYWORD)) problems.push(`"keywords": expected to include "${PLUGIN_KEYWORD}" so registries and \`flowengine plugins list\` find the package`);
  if (problems.length > 0) {
    throw new FlowEngineError('FE_PLUGIN_MANIFEST_INVALID', `${file}: invalid plugin manifest: ${problems.join('; ')}`, { details: { file, problems } });
  }
  return Object.freeze({
    packageName: pkg.name as string,
    packageVersion: pkg.version as string,
    packageDir,
    sdk: manifest.sdk as string,
    plugins: Object.freeze(plugins),
  });
}
