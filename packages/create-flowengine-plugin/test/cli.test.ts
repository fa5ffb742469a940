import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffold } from '../src/index.js';
import { runCli } from './run-cli.js';

let work: string;
const sdkVersion = (JSON.parse(await readFile(new URL('../../sdk/package.json', import.meta.url), 'utf8')) as { version: string }).version;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'create-flowengine-plugin-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('scaffolding each kind', () => {
  it.each([
    ['source', 'flowengine-plugin-numbers', 'numbers-source'],
    ['transform', 'flowengine-plugin-upper', 'upper'],
    ['sink', 'flowengine-plugin-jsonl', 'jsonl-sink'],
  ] as const)('%s: writes a package with the name, kind, id and SDK range filled in', async (kind, name, id) => {
    const dir = `p-${kind}`;
    const run = await runCli([dir, '--name', name, '--kind', kind, '--yes'], work);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Created ${name}: a ${kind} plugin with id "${id}"`);
    expect(run.stdout).toContain(`cd ${dir}`);
    expect(run.stdout).toContain('npm install');

    const root = join(work, dir);
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, any>;
    expect(pkg.name).toBe(name);
    expect(pkg.keywords).toContain('flowengine-plugin');
    expect(pkg.flowengine).toEqual({ sdk: `^${sdkVersion}`, plugins: [{ id, kind, entry: './dist/index.js' }] });
    expect(pkg.peerDependencies).toEqual({ '@flowengine/sdk': `^${sdkVersion}` });
    expect(pkg.devDependencies['@flowengine/sdk']).toBe(`^${sdkVersion}`);
    // A plugin package must never run code when a user installs it.
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[script]).toBeUndefined();

    const index = await readFile(join(root, 'src/index.ts'), 'utf8');
    expect(index).toContain(`define${kind[0]!.toUpperCase()}${kind.slice(1)}(`);
    expect(index).toContain(`id: '${id}'`);
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`# ${name}`);
    expect(readme).toContain(`type: ${id}`);

    const everything = await Promise.all(['package.json', 'README.md', 'src/index.ts', 'test/plugin.test.ts'].map((f) => readFile(join(root, f), 'utf8')));
    expect(everything.join('\n')).not.toMatch(/__[A-Z_]+__/);
    await expect(stat(join(root, '.gitignore'))).resolves.toBeTruthy();
    await expect(stat(join(root, 'variants'))).rejects.toThrow(/ENOENT/);
  });

  it('names the package flowengine-plugin-<folder> when --name is not given', async () => {
    const run = await runCli(['geo-ip', '--kind', 'transform'], work);
    expect(run.code).toBe(0);
    const pkg = JSON.parse(await readFile(join(work, 'geo-ip/package.json'), 'utf8')) as { name: string; flowengine: { plugins: Array<{ id: string }> } };
    expect(pkg.name).toBe('flowengine-plugin-geo-ip');
    expect(pkg.flowengine.plugins[0]?.id).toBe('geo-ip');
  });

  it('accepts a scoped name and an empty existing folder, and warns about an unconventional name', async () => {
    await mkdir(join(work, 'empty'));
    const run = await runCli(['empty', '--name', '@acme/rowcount', '--kind', 'sink'], work);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usually named flowengine-plugin-<name>');
    const pkg = JSON.parse(await readFile(join(work, 'empty/package.json'), 'utf8')) as { name: string; flowengine: { plugins: Array<{ id: string }> } };
    expect(pkg.name).toBe('@acme/rowcount');
    expect(pkg.flowengine.plugins[0]?.id).toBe('rowcount-sink');
  });
});

describe('refusals', () => {
  it.each([
    ['upper case', 'Flowengine-Plugin-X', /name can no longer contain capital letters/],
    ['spaces', 'my plugin', /name can only contain URL-friendly characters/],
    ['a leading dot', '.hidden', /name cannot start with a period/],
  ])('refuses a name with %s, exit 2, nothing written', async (_what, name, why) => {
    const dir = `bad-${name.replace(/\W/g, '')}`;
    const run = await runCli([dir, '--name', name, '--yes'], work);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('FE_CREATE_INVALID_NAME');
    expect(run.stderr).toContain(`"${name}" is not a valid npm package name`);
    expect(run.stderr).toMatch(why);
    await expect(stat(join(work, dir))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a non-empty folder with exit 2 and leaves its files alone', async () => {
    await mkdir(join(work, 'taken'));
    await writeFile(join(work, 'taken/notes.txt'), 'mine');
    const run = await runCli(['taken', '--yes'], work);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('FE_CREATE_TARGET_NOT_EMPTY');
    expect(run.stderr).toContain('expected a new or empty folder, found notes.txt');
    expect(await readFile(join(work, 'taken/notes.txt'), 'utf8')).toBe('mine');
    await expect(stat(join(work, 'taken/package.json'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a target that is a file', async () => {
    await writeFile(join(work, 'a-file'), 'x');
    const run = await runCli(['a-file', '--yes'], work);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected a new or empty folder, found a file');
  });

  it('refuses an unknown kind, an unknown flag and two folders with exit 2', async () => {
    const kind = await runCli(['k', '--kind', 'filter'], work);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('FE_CREATE_BAD_ARGUMENT');
    expect(kind.stderr).toContain('--kind: expected one of source, transform, sink, found "filter"');

    const flag = await runCli(['k', '--frobnicate'], work);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/FE_CREATE_BAD_ARGUMENT: command line: Unknown option '--frobnicate'/);

    const two = await runCli(['a', 'b'], work);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('expected at most one folder, found 2: a b');
    await expect(stat(join(work, 'k'))).rejects.toThrow(/ENOENT/);
  });

  it('without a terminal and without a folder, says what to pass (exit 2)', async () => {
    const run = await runCli(['--kind', 'sink'], work);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('FE_CREATE_MISSING_ARGUMENT');
    expect(run.stderr).toContain('Usage: create-flowengine-plugin [dir]');
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await runCli(['--help'], work);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--kind <kind>    source | transform | sink');
  });
});

describe('failures outside usage', () => {
  it('a folder that cannot be read is FE_CREATE_UNEXPECTED, exit 1', async () => {
    // A name past the file system's 255-byte limit: ENAMETOOLONG, whoever runs the test (root too).
    const run = await runCli([`${'x'.repeat(300)}/plugin`, '--name', 'flowengine-plugin-x', '--yes'], work);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('FE_CREATE_UNEXPECTED');
    expect(run.stderr).toContain('ENAMETOOLONG');
  });

  it('a missing template is FE_CREATE_TEMPLATE_MISSING', async () => {
    const error = await scaffold({
      targetDir: join(work, 'no-template'), packageName: 'flowengine-plugin-x', kind: 'sink', sdkRange: '^0.1.0', templateDir: join(work, 'nowhere'),
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'FE_CREATE_TEMPLATE_MISSING' });
    expect((error as Error).message).toContain(`${join(work, 'nowhere')}: expected the plugin template`);
  });
});
