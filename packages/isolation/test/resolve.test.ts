import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FlowEngineError } from '@flowengine/sdk';
import { LOCK_FILE, describeEveryPlugin, describePlugins, discoverPlugins, preloadPlugins, readLock, resolvePlugin, verifyLock } from '@flowengine/isolation';
import { fixturePackage } from './helpers.js';

const sdkDir = fileURLToPath(new URL('../../sdk', import.meta.url));
let project: string;

function writePackage(dir: string, pkg: object): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'flowengine-project-'));
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, '@flowengine'), { recursive: true });
  symlinkSync(sdkDir, join(modules, '@flowengine', 'sdk'));
  cpSync(fixturePackage, join(modules, 'flowengine-plugin-fixtures'), { recursive: true });
  writePackage(join(modules, 'flowengine-plugin-future'), {
    name: 'flowengine-plugin-future', version: '3.0.0', keywords: ['flowengine-plugin'],
    flowengine: { sdk: '^9.0.0', plugins: [{ id: 'future-sink', kind: 'sink', entry: 'index.js' }] },
  });
  writePackage(join(modules, 'flowengine-plugin-broken'), { name: 'flowengine-plugin-broken', version: '1.0.0', keywords: ['flowengine-plugin'], flowengine: { sdk: '^0.1.0', plugins: [{ id: 'x' }] } });
  writePackage(join(modules, 'left-pad'), { name: 'left-pad', version: '1.0.0' });
});

describe('plugin resolution', () => {
  it('finds plugins by manifest in node_modules, plus built-ins, without loading code', () => {
    const { plugins, problems } = discoverPlugins({
      projectDir: project,
      builtins: [{ id: 'csv-source', kind: 'source', modulePath: '/engine/csv.js', packageName: '@flowengine/plugin-csv', packageDir: '/engine' }],
    });
    expect(plugins.map((plugin) => plugin.id)).toEqual(['csv-source', 'counter-source', 'faulty-transform', 'identity', 'file-sink']);
    expect(plugins[1]).toMatchObject({ packageName: 'flowengine-plugin-fixtures', firstParty: false, builtin: false });
    expect(problems.map((problem) => problem.code).sort()).toEqual(['FE_PLUGIN_MANIFEST_INVALID', 'FE_PLUGIN_SDK_MISMATCH']);
  });

  it('searches every ancestor\'s node_modules as Node does: the nearest copy of an id wins', () => {
    const app = join(project, 'apps', 'app');
    writePackage(app, { name: 'app', private: true });
    writePackage(join(app, 'node_modules', 'flowengine-plugin-near'), {
      name: 'flowengine-plugin-near', version: '1.0.0', keywords: ['flowengine-plugin'],
      flowengine: { sdk: '^0.1.0', plugins: [{ id: 'identity', kind: 'transform', entry: 'index.js' }] },
    });
    const { plugins, problems } = discoverPlugins({ projectDir: app });
    expect(plugins.find((plugin) => plugin.id === 'identity')?.packageName).toBe('flowengine-plugin-near');
    // Hoisted to the project root, found from the nested app.
    expect(plugins.find((plugin) => plugin.id === 'counter-source')?.packageName).toBe('flowengine-plugin-fixtures');
    expect(problems.map((problem) => problem.code)).not.toContain('FE_PLUGIN_DUPLICATE_ID');
  });

  it('lists installed ids closest first for an unknown id', () => {
    const error = (() => { try { resolvePlugin('identiy', { projectDir: project }); } catch (thrown) { return thrown as FlowEngineError; } })();
    expect(error?.code).toBe('FE_PLUGIN_NOT_FOUND');
    expect(error?.message).toContain('plugin "identiy"');
    expect((error?.details.installed as string[])[0]).toBe('identity');
  });

  it('refuses a plugin built for another SDK and says which versions fit', () => {
    expect(() => resolvePlugin('future-sink', { projectDir: project })).toThrow(expect.objectContaining({
      code: 'FE_PLUGIN_SDK_MISMATCH',
      message: expect.stringContaining('it accepts @flowengine/sdk >=9.0.0 <10.0.0-0') as string,
    }));
  });
});

describe('describing plugins (config schemas read in a throwaway worker)', () => {
  it('describes a list in order; a module that throws or exits at import fails only itself', async () => {
    const fixtures = join(project, 'node_modules/flowengine-plugin-fixtures/plugins.mjs');
    const throws = join(project, 'throws-at-import.mjs');
    const exits = join(project, 'exits-at-import.mjs');
    writeFileSync(throws, "throw new Error('broken at import');\n");
    writeFileSync(exits, 'process.exit(3);\n');
    const results = await describePlugins([
      { id: 'faulty-transform', kind: 'transform', modulePath: fixtures },
      { id: 'thrower', kind: 'transform', modulePath: throws },
      { id: 'exiter', kind: 'sink', modulePath: exits },
      { id: 'counter-source', kind: 'source', modulePath: fixtures },
    ]);
    expect(results).toHaveLength(4);
    expect(results[0]).toMatchObject({ stateless: true, configSchema: { required: ['behaviour'] } });
    expect(results[1]).toBeInstanceOf(FlowEngineError);
    expect((results[1] as FlowEngineError).message).toContain('broken at import');
    // process.exit ends the worker: that plugin gets the error, the next one a fresh worker.
    expect(results[2]).toBeInstanceOf(FlowEngineError);
    expect((results[2] as FlowEngineError).code).toBe('FE_PLUGIN_LOAD_FAILED');
    expect((results[2] as FlowEngineError).message).toBe(`plugin "exiter": loading ${exits} exited with code 3`);
    expect(results[3]).toMatchObject({ stateless: false, configSchema: { type: 'object' } });
    expect(await describePlugins([])).toEqual([]);
    // Preload and the config loader need every plugin: the first failure is thrown.
    await expect(describeEveryPlugin([{ id: 'faulty-transform', kind: 'transform', modulePath: fixtures }, { id: 'thrower', kind: 'transform', modulePath: throws }]))
      .rejects.toThrow('broken at import');
    expect(await describeEveryPlugin([{ id: 'counter-source', kind: 'source', modulePath: fixtures }])).toMatchObject([{ stateless: false }]);
  });
});

describe('preload and the lock file', () => {
  it('writes the lock, verifies it, and refuses a package whose files changed', async () => {
    const lock = await preloadPlugins({ projectDir: project, ids: ['faulty-transform', 'counter-source'] });
    expect(Object.keys(lock.plugins)).toEqual(['faulty-transform', 'counter-source']);
    expect(lock.plugins['faulty-transform']).toMatchObject({ stateless: true, kind: 'transform', packageDir: 'node_modules/flowengine-plugin-fixtures' });
    expect((lock.plugins['faulty-transform']?.configSchema as { required: string[] }).required).toEqual(['behaviour']);
    const onDisk = readLock(project);
    expect(onDisk).toEqual(JSON.parse(readFileSync(join(project, LOCK_FILE), 'utf8')));
    const refs = verifyLock(project, onDisk!, ['counter-source']);
    expect(refs[0]?.modulePath).toBe(join(project, 'node_modules/flowengine-plugin-fixtures/plugins.mjs'));

    appendFileSync(join(project, 'node_modules/flowengine-plugin-fixtures/plugins.mjs'), '\n// tampered\n');
    expect(() => verifyLock(project, onDisk!)).toThrow(expect.objectContaining({
      code: 'FE_PLUGIN_INTEGRITY',
      message: expect.stringContaining('changed plugins.mjs') as string,
    }));
  });

  it('reports an unreadable lock file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowengine-lock-'));
    expect(readLock(dir)).toBeUndefined();
    mkdirSync(join(dir, '.flowengine'));
    writeFileSync(join(dir, LOCK_FILE), '{"version": 99}');
    expect(() => readLock(dir)).toThrow(expect.objectContaining({ code: 'FE_PLUGIN_LOCK_INVALID' }));
  });
});
