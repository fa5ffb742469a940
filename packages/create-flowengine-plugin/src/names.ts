import { basename } from 'node:path';
import validate from 'validate-npm-package-name';
import type { PluginKind } from './kinds.js';

const PREFIX = 'flowengine-plugin-';

/** Problems that make `name` unusable for a new npm package; empty when it is fine. */
export function nameProblems(name: string): string[] {
  const result = validate(name);
  if (result.validForNewPackages) return [];
  return [...(result.errors ?? []), ...(result.warnings ?? [])];
}

/**
 * The package name a folder suggests: third-party plugins are named `flowengine-plugin-<name>`
 * (STYLE.md), so `my-plugin` becomes `flowengine-plugin-my-plugin`.
 */
export function defaultPackageName(targetDir: string): string {
  const folder = basename(targetDir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  if (folder.startsWith(PREFIX)) return folder;
  return `${PREFIX}${folder === '' ? 'example' : folder}`;
}

/**
 * The plugin id a pipeline's `type:` names. Sources and sinks are nouns of the system they touch
 * (`geoip-source`), transforms are verbs or plain names (`geoip`), as STYLE.md asks.
 */
export function pluginId(packageName: string, kind: PluginKind): string {
  const unscoped = packageName.replace(/^@[^/]+\//, '');
  const base = (unscoped.startsWith(PREFIX) ? unscoped.slice(PREFIX.length) : unscoped).replace(/[^a-z0-9-]+/g, '-') || 'example';
  return kind === 'transform' ? base : `${base}-${kind}`;
}

/** Whether the name follows the third-party convention; the CLI only warns when it does not. */
export function followsConvention(packageName: string): boolean {
  return packageName.replace(/^@[^/]+\//, '').startsWith(PREFIX);
}
