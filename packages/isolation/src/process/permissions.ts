import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Node 20 spells the permission model `--experimental-permission`; 22+ spells it `--permission`. */
export function permissionFlag(version = process.versions.node): string {
  return Number(version.split('.')[0]) >= 22 ? '--permission' : '--experimental-permission';
}

/** The package directory (the one holding package.json) of a file or directory. */
export function packageRootOf(path: string): string {
  let dir = path;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return dirname(path);
    dir = parent;
  }
  return dir;
}

/**
 * A package's directory plus the directories of its whole dependency closure, found the way Node
 * does (node_modules folders from the package up to the root), as real paths. This is what a child
 * process must be allowed to read to import the package.
 */
export function dependencyClosure(packageDir: string): string[] {
  const seen = new Set<string>();
  // Node's resolver stats the symlinked path (node_modules/@scope/name) before following it, so
  // both the link and its target must be readable.
  const links = new Set<string>();
  const queue = [realpathSync(packageDir)];
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    if (seen.has(dir)) continue;
    seen.add(dir);
    let pkg: Record<string, Record<string, string> | undefined>;
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof pkg;
    } catch {
      continue;
    }
    const names = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]);
    for (const name of names) {
      const found = findPackage(name, dir);
      if (found === undefined) continue;
      links.add(found.link);
      queue.push(found.real);
    }
  }
  return [...seen, ...[...links].filter((link) => !seen.has(link))];
}

function findPackage(name: string, from: string): { link: string; real: string } | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return { link: candidate, real: realpathSync(candidate) };
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The isolation package's own directory (for the child entry and its dependencies). */
export function isolationPackageDir(): string {
  return packageRootOf(dirname(fileURLToPath(import.meta.url)));
}

/**
 * What every child must read to run a plugin at all: the isolation package (child entry, runtime)
 * and the SDK with its dependencies. Not the isolation package's other dependencies (piscina...).
 */
export function runtimeReadPaths(): string[] {
  const isolation = isolationPackageDir();
  const sdk = findPackage('@flowengine/sdk', isolation);
  return [realpathSync(isolation), ...(sdk === undefined ? [] : [sdk.link, ...dependencyClosure(sdk.real)])];
}

/**
 * Node's flags for a child that may read `read` and write `write`, and nothing else. One flag per
 * path: Node 20.20 and 22+ reject the older comma-separated list.
 */
export function permissionArgs(read: readonly string[], write: readonly string[], version = process.versions.node): string[] {
  const unique = (list: readonly string[]) => [...new Set(list.map((path) => resolve(path)))];
  return [
    permissionFlag(version),
    ...unique(read).map((path) => `--allow-fs-read=${path}`),
    ...unique(write).map((path) => `--allow-fs-write=${path}`),
  ];
}
