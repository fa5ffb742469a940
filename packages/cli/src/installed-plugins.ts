import type { InstalledPlugin } from '@flowengine/core';

/**
 * Plugins installed in the project's node_modules. Resolution (manifest, SDK range, integrity)
 * belongs to @flowengine/isolation; this adapter turns what it finds into the core's catalog input.
 */
export async function findInstalledPlugins(_cwd: string): Promise<InstalledPlugin[]> {
  return [];
}
