import { readdirSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { FlowEngineError } from '@flowengine/sdk';
import type { PluginKind } from './kinds.js';
import { nameProblems, pluginId } from './names.js';

/** What to scaffold, fully decided (prompts and defaults are the CLI's business). */
export interface ScaffoldOptions {
  /** Absolute target folder; it may exist only if it is empty. */
  readonly targetDir: string;
  readonly packageName: string;
  readonly kind: PluginKind;
  /** The `@flowengine/sdk` range the plugin is built for, e.g. `^0.1.0`. */
  readonly sdkRange: string;
  /** The template folder (see `templateDir()`). */
  readonly templateDir: string;
}

export interface ScaffoldResult {
  readonly pluginId: string;
  /** Written files, relative to the target folder, sorted. */
  readonly files: readonly string[];
}

/** Placeholders in the template's files; each is a string that is still valid code where it stands. */
const TOKENS = {
  packageName: '__PACKAGE_NAME__',
  pluginId: '__PLUGIN_ID__',
  kind: '__PLUGIN_KIND__',
  sdkRange: '__SDK_RANGE__',
} as const;

/**
 * Copies the template into `targetDir`: the shared files, then the chosen kind's `variants/<kind>/`
 * over them, and fills in the placeholders. Refuses (FE_CREATE_TARGET_NOT_EMPTY) before writing
 * anything if the folder holds files, so it never overwrites an author's work.
 */
export async function scaffold(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const problems = nameProblems(options.packageName);
  if (problems.length > 0) {
    throw new FlowEngineError('FE_CREATE_INVALID_NAME',
      `--name: "${options.packageName}" is not a valid npm package name: ${problems.join('; ')}`,
      { details: { name: options.packageName, problems } });
  }
  assertTargetDir(options.targetDir);
  await assertTemplate(options.templateDir);

  const id = pluginId(options.packageName, options.kind);
  await mkdir(options.targetDir, { recursive: true });
  await cp(options.templateDir, options.targetDir, {
    recursive: true,
    filter: (source) => !relative(options.templateDir, source).split(/[\\/]/).some((part) => part === 'variants' || part === 'node_modules' || part === 'dist'),
  });
  await cp(join(options.templateDir, 'variants', options.kind), options.targetDir, { recursive: true });
  // npm drops `.gitignore` from published tarballs, so the template ships it as `gitignore`.
  await rename(join(options.targetDir, 'gitignore'), join(options.targetDir, '.gitignore')).catch(() => undefined);
  await rm(join(options.targetDir, 'package-lock.json'), { force: true });

  const values: Record<keyof typeof TOKENS, string> = {
    packageName: options.packageName,
    pluginId: id,
    kind: options.kind,
    sdkRange: options.sdkRange,
  };
  const files = await listFiles(options.targetDir);
  for (const file of files) {
    const path = join(options.targetDir, file);
    const text = await readFile(path, 'utf8');
    let filled = text;
    for (const [key, token] of Object.entries(TOKENS)) filled = filled.replaceAll(token, values[key as keyof typeof TOKENS]);
    if (filled !== text) await writeFile(path, filled);
  }
  return { pluginId: id, files };
}

/**
 * Throws when `dir` cannot take a scaffold (FE_CREATE_TARGET_NOT_EMPTY: it holds files, or is a
 * file; any other file-system error as it is); a new or empty folder passes. Synchronous, because
 * the folder prompt validates with it as well.
 */
export function assertTargetDir(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new FlowEngineError('FE_CREATE_TARGET_NOT_EMPTY', `${dir}: expected a new or empty folder, found a file`, { details: { dir } });
    }
    throw error;
  }
  if (entries.length === 0) return;
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
  throw new FlowEngineError('FE_CREATE_TARGET_NOT_EMPTY',
    `${dir}: expected a new or empty folder, found ${shown}; nothing was written. Pick another folder or empty this one.`,
    { details: { dir, entries: entries.slice(0, 20) } });
}

async function assertTemplate(dir: string): Promise<void> {
  const ok = await stat(join(dir, 'package.json')).then((s) => s.isFile(), () => false);
  if (!ok) {
    throw new FlowEngineError('FE_CREATE_TEMPLATE_MISSING',
      `${dir}: expected the plugin template (a package.json and variants/), found none. Reinstall create-flowengine-plugin.`,
      { details: { dir } });
  }
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}
