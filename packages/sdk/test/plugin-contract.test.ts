import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SDK_RANGE, SDK_VERSION, Schema, Type, defineSink, defineSource, defineTransform, isPluginDescriptor, parseManifest, readManifest,
  validateConfig,
} from '@flowengine/sdk';
import { thrown } from './helpers.js';

const schema = Schema.fromDefinition({ fields: [{ name: 'n', type: 'int32' }] });

describe('define helpers', () => {
  it('return frozen descriptors with kind, id, sdk range and config', () => {
    const config = Type.Object({ path: Type.String() });
    const source = defineSource({ id: 'csv-source', config, open: () => ({ schema, async *read() {} }) });
    expect(source).toMatchObject({ kind: 'source', id: 'csv-source', sdk: SDK_RANGE, config });
    expect(Object.isFrozen(source)).toBe(true);
    const transform = defineTransform({ id: 'filter', config: Type.Object({}), outputSchema: (input) => input, open: () => ({ transform: (chunk) => chunk }) });
    expect(transform).toMatchObject({ kind: 'transform', stateless: false });
    const sink = defineSink({ id: 'csv-sink', config: Type.Object({}), open: () => ({ write() {}, flush() {} }) });
    expect(sink.kind).toBe('sink');
    expect([source, transform, sink].every(isPluginDescriptor)).toBe(true);
    expect(isPluginDescriptor({ kind: 'source', id: 'x' })).toBe(false);
  });

  it('reject a spec with a bad id, no config or missing functions, listing every problem', () => {
    const error = thrown(() => defineTransform({ id: 'Bad Id', config: undefined as never, open: undefined as never, outputSchema: undefined as never }));
    expect(error.code).toBe('FE_PLUGIN_DEFINITION_INVALID');
    expect(error.message).toContain('defineTransform "Bad Id"');
    expect(error.details.problems).toHaveLength(4);
    expect(thrown(() => defineSink(null as never)).code).toBe('FE_PLUGIN_DEFINITION_INVALID');
  });

  it('SDK_VERSION is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });
});

describe('validateConfig', () => {
  const config = Type.Object({ path: Type.String(), chunkSize: Type.Integer({ minimum: 1, default: 5000 }) }, { additionalProperties: false });

  it('applies defaults', () => {
    expect(validateConfig(config, { path: 'a.csv' }, 'instance "source"')).toEqual({ path: 'a.csv', chunkSize: 5000 });
  });

  it('reports every problem at once with its path', () => {
    const error = thrown(() => validateConfig(config, { path: 3, chunkSize: 0, extra: true }, 'pipeline.yml:4:5 (instance "source")'));
    expect(error.code).toBe('FE_PLUGIN_CONFIG_INVALID');
    expect(error.message).toContain('pipeline.yml:4:5 (instance "source")');
    expect(error.message).toContain('config.path: must be string');
    expect(error.message).toContain('config.chunkSize: must be >= 1');
    expect(error.message).toContain('must not have additional properties');
  });
});

describe('manifest', () => {
  const good = {
    name: 'flowengine-plugin-upper', version: '1.2.3', keywords: ['flowengine-plugin'],
    flowengine: { sdk: '^0.1.0', plugins: [{ id: 'upper', kind: 'transform', entry: 'dist/index.js' }] },
  };

  it('reads a package manifest without loading code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowengine-manifest-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify(good));
    expect(readManifest(dir)).toEqual({ packageName: 'flowengine-plugin-upper', packageVersion: '1.2.3', packageDir: dir, sdk: '^0.1.0', plugins: good.flowengine.plugins });
  });

  it('FE_PLUGIN_MANIFEST_MISSING without package.json or flowengine block', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowengine-manifest-'));
    expect(thrown(() => readManifest(dir)).code).toBe('FE_PLUGIN_MANIFEST_MISSING');
    mkdirSync(join(dir, 'pkg'));
    writeFileSync(join(dir, 'pkg', 'package.json'), JSON.stringify({ name: 'left-pad', version: '1.0.0' }));
    const error = thrown(() => readManifest(join(dir, 'pkg')));
    expect(error.code).toBe('FE_PLUGIN_MANIFEST_MISSING');
    expect(error.message).toContain('is left-pad a FlowEngine plugin package?');
  });

  it('FE_PLUGIN_MANIFEST_INVALID listing every problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowengine-manifest-'));
    writeFileSync(join(dir, 'package.json'), '{ not json');
    expect(thrown(() => readManifest(dir)).code).toBe('FE_PLUGIN_MANIFEST_INVALID');
    const error = thrown(() => parseManifest({
      name: 'x', version: '1.0.0',
      flowengine: { plugins: [{ id: 'a', kind: 'filter', entry: '../outside.js' }, { id: 'b', kind: 'sink', entry: 'b.js' }, { id: 'b', kind: 'sink', entry: 'c.js' }] },
    }, '/pkg'));
    expect(error.code).toBe('FE_PLUGIN_MANIFEST_INVALID');
    const problems = error.details.problems as string[];
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/flowengine\.sdk.*\n.*kind.*found "filter"\n.*entry.*found "\.\.\/outside\.js"\n.*"b" is declared twice\n.*keywords/);
  });
});
