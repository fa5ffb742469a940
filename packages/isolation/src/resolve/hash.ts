import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Folders that are not part of what a package runs. */
const SKIP = new Set(['node_modules', '.git']);

/**
 * sha256 of every file of a package (not its node_modules), by path relative to the package, and
 * one digest over all of them. The per-file map lets an integrity failure say which files changed.
 */
export function hashPackage(packageDir: string): { integrity: string; files: Record<string, string> } {
  const files: Record<string, string> = {};
  for (const path of walk(packageDir)) {
    files[relative(packageDir, path).split(sep).join('/')] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  const total = createHash('sha256');
  for (const name of Object.keys(files).sort()) total.update(`${name}\0${files[name] as string}\n`);
  return { integrity: `sha256-${total.digest('base64')}`, files };
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}
