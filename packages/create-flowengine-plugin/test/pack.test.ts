// Packs every public package with `npm pack`, installs the tarballs into a clean folder, and uses
// them the way a user would: an ESM import of every `exports` entry and a `tsc` check that their
// types resolve. A broken exports map, a file missing from `files`, or a d.ts that points at a
// file that was not packed fails here, where a workspace symlink would have hidden it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  main?: string;
  types?: string;
  bin?: Record<string, string> | string;
  files?: string[];
  publishConfig?: { access?: string };
  repository?: unknown;
  engines?: { node?: string };
  scripts?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
interface PackResult { name: string; filename: string; files: Array<{ path: string }> }

const publicPackages: Array<{ dir: string; manifest: Manifest }> = [];
for (const group of ['packages', 'plugins']) {
  for (const name of (await readdir(join(root, group))).sort()) {
    const dir = join(root, group, name);
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').then((t) => JSON.parse(t) as Manifest, () => undefined);
    if (manifest !== undefined && manifest.private !== true) publicPackages.push({ dir, manifest });
  }
}

let work: string;
const packed = new Map<string, PackResult>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'flowengine-pack-'));
  const tarballs = join(work, 'tarballs');
  await mkdir(tarballs);
  // One npm call for all packages: npm's own start-up is most of the cost of a pack.
  const args = ['pack', '--json', '--pack-destination', tarballs, ...publicPackages.flatMap((p) => ['-w', p.manifest.name])];
  const { stdout } = await exec('npm', args, root);
  for (const result of JSON.parse(stdout) as PackResult[]) packed.set(result.name, result);

  const project = join(work, 'user-project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  const files = [...packed.values()].map((p) => join(tarballs, p.filename));
  // The tarballs satisfy each other's exact internal ranges; third-party deps come from the registry.
  await exec('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...files, `@types/node@${rootDevVersion('@types/node')}`], project);
}, 600_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe.each(publicPackages.map((p) => [p.manifest.name, p] as const))('%s', (name, { dir, manifest }) => {
  it('declares what publishing needs: access, files, exports with types, README, repository, engines', async () => {
    expect(manifest.publishConfig?.access, 'publishConfig.access').toBe('public');
    expect(manifest.files, 'files').toBeInstanceOf(Array);
    expect(manifest.repository, 'repository').toBeDefined();
    expect(manifest.engines?.node, 'engines.node').toBeDefined();
    expect(manifest.exports?.['./package.json'], 'exports["./package.json"]').toBe('./package.json');
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (subpath === './package.json') continue;
      expect(target, `exports["${subpath}"]`).toEqual({ types: expect.stringMatching(/\.d\.ts$/), default: expect.stringMatching(/\.js$/) });
    }
    for (const script of ['preinstall', 'install', 'postinstall']) expect(manifest.scripts?.[script], `scripts.${script}`).toBeUndefined();
    await expect(readFile(join(dir, 'README.md'), 'utf8'), 'README.md').resolves.toMatch(/\S/);
  });

  it('packs every file its exports, main, types and bin point at, and its README', () => {
    const result = packed.get(name);
    expect(result, `npm pack produced no tarball for ${name}`).toBeDefined();
    const inTarball = new Set(result!.files.map((f) => f.path));
    const wanted = new Set<string>(['package.json', 'README.md']);
    for (const target of Object.values(manifest.exports ?? {})) {
      if (typeof target === 'string') wanted.add(target);
      else for (const path of Object.values(target as Record<string, string>)) wanted.add(path);
    }
    for (const path of [manifest.main, manifest.types]) if (path !== undefined) wanted.add(path);
    const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
    for (const path of bins) wanted.add(path);
    const missing = [...wanted].map((p) => p.replace(/^\.\//, '')).filter((p) => !inTarball.has(p));
    expect(missing, `files named by package.json but not in ${result!.filename}`).toEqual([]);
    expect([...inTarball].filter((p) => /(^|\/)(src|test)\/|\.test\.|tsbuildinfo/.test(p) && !p.startsWith('template/')), 'sources or tests in the tarball').toEqual([]);
  });

  it('imports every exports entry from the installed tarball (ESM)', async () => {
    const subpaths = Object.keys(manifest.exports ?? { '.': {} }).filter((s) => s !== './package.json');
    const specifiers = subpaths.map((s) => (s === '.' ? name : `${name}/${s.slice(2)}`));
    // A bin-only package (the CLI) may export nothing; a library that exports nothing is broken.
    const mustExport = manifest.bin === undefined;
    const script = `for (const s of ${JSON.stringify(specifiers)}) { const m = await import(s); if (${mustExport} && Object.keys(m).length === 0) throw new Error(s + ': no exports'); }`;
    await exec(process.execPath, ['--input-type=module', '-e', script], join(work, 'user-project'));
  });
});

it("resolves every exports entry's types with tsc (NodeNext, skipLibCheck off)", async () => {
  // One tsc run for all packages: type-checking @types/node once dominates, and CI has 2 cores.
  // tsc names the failing check_<package>.ts file, so the package at fault is still plain.
  const project = join(work, 'user-project');
  const files: string[] = [];
  for (const { manifest } of publicPackages) {
    const subpaths = Object.keys(manifest.exports ?? { '.': {} }).filter((s) => s !== './package.json');
    const file = `check_${manifest.name.replace(/\W/g, '_')}.ts`;
    const source = subpaths.map((s, i) => `import * as m${i} from '${s === '.' ? manifest.name : `${manifest.name}/${s.slice(2)}`}';\nexport const k${i}: string[] = Object.keys(m${i});`).join('\n');
    await writeFile(join(project, file), `${source}\n`);
    files.push(file);
  }
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', lib: ['ES2023'], types: ['node'], strict: true, noEmit: true, skipLibCheck: false },
    files,
  }));
  await exec(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
});

it('the installed create-flowengine-plugin bin runs', async () => {
  const { stdout } = await exec(join(work, 'user-project/node_modules/.bin/create-flowengine-plugin'), ['--help'], work);
  expect(stdout).toContain('Usage: create-flowengine-plugin');
});

function rootDevVersion(pkg: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
  const version = manifest.devDependencies?.[pkg];
  if (version === undefined) throw new Error(`root package.json: expected a devDependency ${pkg}`);
  return version;
}

function exec(command: string, args: readonly string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}
