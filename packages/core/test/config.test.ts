import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FlowEngineError } from '@flowengine/sdk';
import { describe, expect, it } from 'vitest';
import { checkPipelineConfig, formatProblem, loadPipelineConfig, type ConfigProblem, type LoadOptions } from '../src/index.js';
import { testCatalog } from './fixtures/catalog.js';

const plugins = testCatalog();
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function problems(text: string, options: Partial<LoadOptions> = {}): ConfigProblem[] {
  const result = checkPipelineConfig({ file: 'p.yml', text }, { env: {}, plugins, ...options });
  if (result.ok) throw new Error('expected problems, the file loaded');
  return [...result.problems];
}

function lines(text: string, options: Partial<LoadOptions> = {}): string[] {
  return problems(text, options).map(formatProblem);
}

const ok = (body: string): string => `pipeline:\n  name: t\n  plugins:\n${body}`;
/** `ok` whose first instance is `a`, a one-row generate source, followed by `rest` (more instances, then top-level sections). */
const gen = (rest = ''): string => ok(`    - { name: a, type: generate, config: { count: 1 } }\n${rest}`);

describe('problems, each at its exact position', () => {
  it('reports a YAML syntax error with its position and checks nothing else', () => {
    const found = problems('pipeline:\n  name: "unclosed\n  plugins: []\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'FE_CONFIG_YAML_SYNTAX', line: 4, col: 1 });
    expect(found[0]?.message).toMatch(/^YAML syntax: Missing closing "quote/);
  });

  it('reports a duplicate YAML key as a syntax error at the second key', () => {
    const found = problems('pipeline:\n  name: a\n  name: b\n  plugins: []\n');
    expect(found[0]).toMatchObject({ code: 'FE_CONFIG_YAML_SYNTAX', line: 3, col: 3 });
  });

  it('rejects an unknown key at the key, with "did you mean"', () => {
    expect(lines(ok('    - name: a\n      type: generate\n      config: { count: 1 }\n      mdoe: inline\n'))).toEqual([
      'p.yml:7:7: pipeline.plugins[0].mdoe: unknown key "mdoe"; did you mean "mode"?',
    ]);
  });

  it('lists the options when an unknown key is close to none', () => {
    const [line] = lines(gen('settings: { zzzzzzzz: 1 }\n'));
    expect(line).toBe('p.yml:5:13: settings.zzzzzzzz: unknown key "zzzzzzzz"; expected one of: channels, isolation, memoryPools');
  });

  it('reports a wrong type with what was expected and what was found', () => {
    expect(lines(gen('settings:\n  channels:\n    default: { bufferSize: big }\n'))).toEqual([
      'p.yml:7:28: settings.channels.default.bufferSize: expected an integer, found string "big"',
    ]);
  });

  it('reports an enum value with its allowed values and the closest one', () => {
    expect(lines(ok('    - { name: a, type: generate, config: { count: 1 }, errors: skp }\n'))).toEqual([
      'p.yml:4:64: pipeline.plugins[0].errors: expected one of "fail", "skip", "deadLetter", found string "skp"; did you mean "skip"?',
    ]);
  });

  it('reports a number out of range', () => {
    expect(lines(gen('channels: { default: { backpressureThreshold: 150 } }\n'))).toEqual([
      'p.yml:5:47: channels.default.backpressureThreshold: expected a number <= 100, found number 150',
    ]);
  });

  it('reports a missing required key at the object that lacks it', () => {
    expect(lines(ok('    - name: a\n      config: { count: 1 }\n'))).toEqual([
      'p.yml:4:7: pipeline.plugins[0]: missing required key "type" (Plugin id (`flowengine plugins list`).)',
    ]);
  });

  it('explains a value that fits no branch of a union, and checks inside the branch that fits', () => {
    expect(lines(gen('    - { name: b, type: filter, input: 5, config: { where: x } }\n'))).toEqual([
      'p.yml:5:39: pipeline.plugins[1].input: expected a string or a list of strings, found number 5',
    ]);
    expect(lines(gen('    - { name: b, type: filter, input: [a, 7], config: { where: x } }\n'))).toEqual([
      'p.yml:5:43: pipeline.plugins[1].input[1]: expected a string, found number 7',
    ]);
  });

  it('lists the installed plugins, closest first, for an unknown type', () => {
    expect(lines(ok('    - { name: a, type: csv-sorce, config: { path: x } }\n'))).toEqual([
      'p.yml:4:24: pipeline.plugins[0].type: unknown plugin type "csv-sorce"; did you mean "csv-source"?; '
        + 'installed: csv-source, csv-sink, select, generate, filter, console-sink, postgres-sink',
    ]);
  });

  it('checks a plugin\'s config against the plugin\'s own schema', () => {
    expect(lines(ok('    - name: src\n      type: csv-source\n      config:\n        pth: in.csv\n        header: yes\n'))).toEqual([
      'p.yml:6:7: pipeline.plugins[0].config: missing required key "path" in csv-source config',
      'p.yml:7:9: pipeline.plugins[0].config.pth: unknown key "pth" in csv-source config; did you mean "path"?',
      'p.yml:8:17: pipeline.plugins[0].config.header: expected a boolean (true/false) in csv-source config, found string "yes"',
    ]);
  });

  it('points at the plugin when its required config is absent altogether', () => {
    expect(lines(ok('    - name: src\n      type: csv-source\n'))).toEqual([
      'p.yml:4:7: pipeline.plugins[0]: missing required key "path" in csv-source config',
    ]);
  });

  it('rejects a duplicate instance name at the second one, naming the first', () => {
    expect(lines(gen('    - { name: a, type: console-sink }\n'))).toEqual([
      'p.yml:5:15: pipeline.plugins[1].name: duplicate instance name "a" (first used at line 4); names must be unique',
    ]);
  });

  it('rejects an input that names no instance, listing the instances closest first', () => {
    expect(lines(ok('    - { name: rows, type: generate, config: { count: 1 } }\n    - { name: keep, type: filter, config: { where: x } }\n'
      + '    - { name: out, type: console-sink, input: [keep, rwos] }\n'))).toEqual([
      'p.yml:6:54: pipeline.plugins[2].input[1]: input "rwos" is not a plugin instance of this pipeline; instances: rows, keep, out',
    ]);
  });

  it('rejects an unknown channel profile', () => {
    expect(lines(gen('    - { name: b, type: console-sink, channel: fats }\n'
      + 'settings: { channels: { fast: { bufferSize: 4 } } }\n'))).toEqual([
      'p.yml:5:47: pipeline.plugins[1].channel: unknown channel "fats"; did you mean "fast"? (defined: default, fast)',
    ]);
  });

  it('lists the defined channel profiles once when none is close to the unknown one', () => {
    expect(lines(gen('    - { name: b, type: console-sink, channel: zzzzzz }\n'))).toEqual([
      'p.yml:5:47: pipeline.plugins[1].channel: unknown channel "zzzzzz" (defined: default)',
    ]);
  });

  it('reports an unset environment variable at its ${', () => {
    expect(lines(ok('    - { name: a, type: csv-source, config: { path: "in/${DATA_DIR}/x.csv" } }\n'))).toEqual([
      'p.yml:4:56: pipeline.plugins[0].config.path: environment variable DATA_DIR is not set (write ${DATA_DIR:-default} to give a default)',
    ]);
  });

  it('rejects an unknown profile, listing the profiles there are', () => {
    const text = gen('profiles:\n  development: {}\n  production: {}\n');
    expect(lines(text, { profile: 'prod' })).toEqual([
      'p.yml:5:1: profiles: profile "prod" is not defined; profiles in this file: production, development',
    ]);
    expect(lines(gen(), { profile: 'prod' })).toEqual([
      'p.yml:1:1: profile "prod" is not defined; this file defines no profiles',
    ]);
  });

  it('rejects a section given both in the seed shape and the canonical one', () => {
    expect(lines(gen('settings: { isolation: { enableSpillover: true } }\nisolation: { enableSpillover: false }\n'))).toEqual([
      'p.yml:6:1: isolation: "isolation" is given at the top level and under settings (line 5); keep one',
    ]);
  });

  it('reports every problem of a file at once, in file order, in one FE_CONFIG_INVALID', () => {
    const text = ok('    - { name: a, type: generat, config: { count: 1 } }\n    - { name: a, type: filter, input: nope, config: { wher: x } }\n')
      + 'settings:\n  channels: { default: { fullMode: Block } }\n  isolaton: {}\n';
    let thrown: unknown;
    try {
      loadPipelineConfig({ file: 'p.yml', text }, { env: {}, plugins });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FlowEngineError);
    const error = thrown as FlowEngineError;
    expect(error.code).toBe('FE_CONFIG_INVALID');
    const listed = error.details['problems'] as ConfigProblem[];
    expect(listed.map((p) => `${p.line}:${p.col} ${p.code}`)).toEqual([
      '4:24 FE_CONFIG_UNKNOWN_PLUGIN',
      '5:15 FE_CONFIG_DUPLICATE_NAME',
      '5:39 FE_CONFIG_UNKNOWN_INPUT',
      '5:45 FE_CONFIG_MISSING_KEY',
      '5:55 FE_CONFIG_UNKNOWN_KEY',
      '7:36 FE_CONFIG_WRONG_VALUE',
      '8:3 FE_CONFIG_UNKNOWN_KEY',
    ]);
    expect(listed[0]).toEqual({
      file: 'p.yml', line: 4, col: 24, path: 'pipeline.plugins[0].type', code: 'FE_CONFIG_UNKNOWN_PLUGIN',
      message: expect.stringMatching(/^unknown plugin type "generat"; did you mean "generate"\?/) as unknown,
    });
    expect(error.message.split('\n')[0]).toBe('p.yml: 7 problems:');
    expect(error.message).toContain('\n  p.yml:8:3: settings.isolaton: unknown key "isolaton"; did you mean "isolation"?');
  });

  it('throws FE_CONFIG_READ_FAILED for a file that cannot be read', () => {
    expect(() => loadPipelineConfig({ file: fixture('missing.yml') }, { plugins })).toThrow(
      expect.objectContaining({ code: 'FE_CONFIG_READ_FAILED', message: expect.stringContaining('ENOENT') as unknown }),
    );
  });
});

describe('loading', () => {
  it('normalises the canonical example with every default filled, deep-frozen', () => {
    const { config } = loadPipelineConfig({ file: fixture('orders.yml') }, { env: {}, plugins });
    expect(config.name).toBe('orders');
    const [source, big, sink] = config.plugins;
    expect(source).toMatchObject({
      name: 'source', kind: 'source', input: [], chunkSize: 5000, mode: 'worker', errors: 'fail', parallelism: 1,
      config: { path: 'data/orders.csv', delimiter: ',', header: true }, restart: { maxRetries: 0, backoffMs: 1000 },
      memoryLimitMB: 200, timeoutSeconds: 60, channel: 'default',
    });
    expect(big).toMatchObject({ input: ['source'], errors: 'deadLetter', deadLetter: { path: 'out/rejected.jsonl' } });
    expect(sink).toMatchObject({ input: ['big'], channel: 'bulk' });
    expect(config.settings.channels).toEqual({
      default: { bufferSize: 16, backpressureThreshold: 90, fullMode: 'Wait' },
      bulk: { bufferSize: 64, backpressureThreshold: 90, fullMode: 'Wait' },
    });
    expect(config.settings.memoryPools).toEqual({ chunkPool: { initialSize: 100, maxSize: 1000 }, arrayRowPool: { initialSize: 64, maxSize: 1024 } });
    expect(config.performance).toEqual({ baselineFile: 'baseline-performance.json', failOnRegression: true, maxRegressionPercent: 10 });

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.plugins[0]?.config)).toBe(true);
    expect(Object.isFrozen(config.settings.channels['bulk'])).toBe(true);
    expect(Object.isFrozen(config.plugins[0]?.schema?.fields[0])).toBe(true);
    expect(() => {
      (config.settings.isolation as { defaultMemoryLimitMB: number }).defaultMemoryLimitMB = 1;
    }).toThrow(TypeError);
  });

  it('accepts the seed guide\'s shapes and folds them into the canonical config', () => {
    const { config } = loadPipelineConfig({ file: fixture('seed.yml') }, { env: { DATA_DIR: '/data' }, plugins });
    const [read, paid, out] = config.plugins;
    expect(read?.config).toEqual({ path: '/data/orders.csv', delimiter: ',', header: true });
    expect(read?.chunkSize).toBe(10000);
    expect(read?.schema?.fields.map((f) => f.name)).toEqual(['id', 'status', 'at']);
    expect(paid).toMatchObject({ parallelism: 2, input: ['read'] });
    expect(out).toMatchObject({ input: ['paid'], config: { format: 'table' } });
    expect(config.settings.channels['default']).toEqual({ bufferSize: 32, backpressureThreshold: 80, fullMode: 'DropOldest' });
    expect(config.settings.isolation).toMatchObject({ defaultMemoryLimitMB: 512, enableLazyLoading: true, defaultTimeoutSeconds: 60 });
    expect(config.settings.memoryPools.arrayRowPool).toEqual({ initialSize: 10, maxSize: 100 });
  });

  it('defaults a third-party plugin to process mode unless trusted, and honours isolation.defaultMode', () => {
    const text = gen(
      '    - { name: pg, type: postgres-sink, config: { table: t, dsn: x } }\n'
      + '    - { name: pg2, type: postgres-sink, input: a, trusted: true, config: { table: t, dsn: x } }\n');
    const modes = loadPipelineConfig({ file: 'p.yml', text }, { env: {}, plugins }).config.plugins.map((p) => p.mode);
    expect(modes).toEqual(['worker', 'process', 'worker']);
    const inline = loadPipelineConfig({ file: 'p.yml', text: `${text}isolation: { defaultMode: inline }\n` }, { env: {}, plugins });
    expect(inline.config.plugins.map((p) => p.mode)).toEqual(['inline', 'inline', 'inline']);
  });

  it('fills a dead-letter path when errors is deadLetter without one', () => {
    const text = ok('    - { name: a, type: generate, config: { count: 1 }, errors: deadLetter }\n    - { name: b, type: csv-sink, config: { path: out.csv } }\n');
    expect(loadPipelineConfig({ file: 'p.yml', text }, { env: {}, plugins }).config.plugins[0]?.deadLetter).toEqual({ path: 'a.dead-letter.jsonl' });
  });
});

describe('environment variables', () => {
  const text = ok('    - name: a\n      type: generate\n      config:\n        count: ${COUNT}\n        seed: ${SEED}\n'
    + '    - { name: b, type: csv-sink, config: { path: "${OUT:-out}/${NAME:-x}.csv" } }\n'
    + '    - { name: c, type: csv-sink, input: a, config: { path: "${SEED}" } }\n')
    + 'settings:\n  channels:\n    default:\n      bufferSize: ${BUF:-8}\n  isolation: { spilloverPath: "$${NOT_A_VAR}" }\n';

  it('substitutes ${VAR} and ${VAR:-default} in values, types a whole plain ${VAR}, keeps quoted ones strings', () => {
    const result = checkPipelineConfig({ file: 'p.yml', text }, { env: { COUNT: '12', SEED: '7', NAME: '' }, plugins });
    expect(result.problems).toEqual([]);
    const { config } = loadPipelineConfig({ file: 'p.yml', text }, { env: { COUNT: '12', SEED: '7', NAME: '' }, plugins });
    expect(config.plugins[0]?.config['count']).toBe(12);
    expect(config.plugins[0]?.config['seed']).toBe(7);
    expect(config.plugins[1]?.config['path']).toBe('out/x.csv');
    expect(config.plugins[2]?.config['path']).toBe('7');
    expect(config.settings.channels['default']?.bufferSize).toBe(8);
    expect(config.settings.isolation.spilloverPath).toBe('${NOT_A_VAR}');
    expect(lines(text, { env: { COUNT: '12' } })).toEqual([
      'p.yml:8:15: pipeline.plugins[0].config.seed: environment variable SEED is not set (write ${SEED:-default} to give a default)',
      'p.yml:10:61: pipeline.plugins[2].config.path: environment variable SEED is not set (write ${SEED:-default} to give a default)',
    ]);
  });

  it('never lets a variable add YAML structure', () => {
    const structural = ok('    - { name: a, type: csv-source, config: { path: "${P}" } }\n    - { name: b, type: csv-sink, config: { path: out.csv } }\n');
    const { config } = loadPipelineConfig({ file: 'p.yml', text: structural }, { env: { P: 'x\n    extra: 1' }, plugins });
    expect(config.plugins[0]?.config['path']).toBe('x\n    extra: 1');
  });
});

describe('secrets', () => {
  const text = gen(
    '    - name: pg\n      type: postgres-sink\n      trusted: true\n'
    + '      config: { table: "${TABLE}", dsn: "postgres://app:${PG_PASSWORD}@db/orders" }\n'
    + '    - name: pg2\n      type: postgres-sink\n      input: a\n      config: { table: t, dsn: plain-dsn-value }\n');
  const env = { TABLE: 'orders', PG_PASSWORD: 's3cr3t-pw' };

  it('finds secrets from env var names, URL passwords and schema-marked options, and redacts them', () => {
    const loaded = loadPipelineConfig({ file: 'p.yml', text }, { env, plugins });
    expect(loaded.config.plugins[1]?.config['dsn']).toBe('postgres://app:s3cr3t-pw@db/orders');
    expect([...loaded.secrets].sort()).toEqual(['plain-dsn-value', 'postgres://app:s3cr3t-pw@db/orders', 's3cr3t-pw']);
    expect(loaded.redacted.plugins[1]?.config).toEqual({ table: 'orders', dsn: '***' });
    expect(loaded.redacted.plugins[2]?.config['dsn']).toBe('***');
    expect(loaded.redact('connecting with s3cr3t-pw to plain-dsn-value')).toBe('connecting with *** to ***');
    expect(JSON.stringify(loaded.redacted)).not.toMatch(/s3cr3t|plain-dsn/);
    expect(Object.isFrozen(loaded.redacted.plugins[1]?.config)).toBe(true);
  });

  it('treats values under password/secret/token keys as secret', () => {
    const extra = testCatalog([{
      id: 'http-sink', kind: 'sink', builtIn: false,
      config: { type: 'object', properties: { url: { type: 'string' }, authToken: { type: 'string' } }, required: ['url'] } as never,
    }]);
    const t = gen('    - { name: h, type: http-sink, config: { url: "https://x", authToken: tok-123456 } }\n');
    const loaded = loadPipelineConfig({ file: 'p.yml', text: t }, { env: {}, plugins: extra });
    expect(loaded.secrets.has('tok-123456')).toBe(true);
    expect(loaded.redacted.plugins[1]?.config['authToken']).toBe('***');
  });

  it('redacts secrets in the problems it reports', () => {
    const bad = text.replace('table: "${TABLE}"', 'table: 5, batchRows: "${API_KEY}"');
    expect(lines(bad, { env: { ...env, API_KEY: 'key-abcdef' } })).toEqual([
      'p.yml:8:24: pipeline.plugins[1].config.table: expected a string in postgres-sink config, found number 5',
      'p.yml:8:38: pipeline.plugins[1].config.batchRows: expected an integer in postgres-sink config, found string "***"',
    ]);
  });
});

describe('profiles', () => {
  it('overlays the chosen profile on settings, deep-merged', () => {
    const file = fixture('orders.yml');
    const production = loadPipelineConfig({ file }, { env: {}, plugins, profile: 'production' }).config;
    expect(production.profile).toBe('production');
    expect(production.settings.channels).toEqual({
      default: { bufferSize: 64, backpressureThreshold: 90, fullMode: 'Wait' },
      bulk: { bufferSize: 256, backpressureThreshold: 90, fullMode: 'Wait' },
    });
    expect(production.settings.isolation).toMatchObject({ defaultMemoryLimitMB: 1024, preloadPlugins: true, enableSpillover: true, spilloverPath: '/tmp/fe-spill' });
    expect(production.plugins[0]?.memoryLimitMB).toBe(1024);

    const development = loadPipelineConfig({ file }, { env: {}, plugins, profile: 'development' }).config;
    expect(development.settings.channels['bulk']).toEqual({ bufferSize: 64, backpressureThreshold: 90, fullMode: 'Wait' });
    expect(development.settings.channels['default']?.bufferSize).toBe(4);
    expect(development.plugins.map((p) => p.mode)).toEqual(['inline', 'inline', 'inline']);

    const container = loadPipelineConfig({ file }, { env: {}, plugins, profile: 'container' }).config;
    expect(container.settings.memoryPools.chunkPool).toEqual({ initialSize: 8, maxSize: 64 });
    expect(container.settings.isolation.spilloverPath).toBe('/var/spool/flowengine');

    const none = loadPipelineConfig({ file }, { env: {}, plugins }).config;
    expect(none.profile).toBeUndefined();
    expect(none.settings.channels['default']?.bufferSize).toBe(16);
  });

  it('validates a profile like settings, with positions', () => {
    const text = gen('profiles:\n  prod:\n    isolation: { defaultMemoryLimitMb: 1 }\n');
    expect(lines(text)).toEqual([
      'p.yml:7:18: profiles.prod.isolation.defaultMemoryLimitMb: unknown key "defaultMemoryLimitMb"; did you mean "defaultMemoryLimitMB"?',
    ]);
  });
});

describe('the fixtures', () => {
  it('load without problems', () => {
    for (const name of ['orders.yml', 'seed.yml', 'generate.yml']) {
      const result = checkPipelineConfig({ file: fixture(name) }, { env: {}, plugins });
      expect(result.problems, name).toEqual([]);
    }
  });

  it('the broken one reports each of its problems', () => {
    const text = readFileSync(fixture('broken.yml'), 'utf8');
    expect(lines(text)).toEqual([
      'p.yml:6:24: pipeline.plugins[0].config.count: expected an integer in generate config, found string "many"',
      'p.yml:7:7: pipeline.plugins[0].mdoe: unknown key "mdoe"; did you mean "mode"?',
      'p.yml:10:28: settings.channels.default.bufferSize: expected a number >= 1, found number -1',
      'p.yml:10:42: settings.channels.default.fullMode: expected one of "Wait", "DropOldest", "DropNewest", found string "Block"',
    ]);
  });
});
