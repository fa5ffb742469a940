import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { pipelineJsonSchema } from '../src/index.js';
import { testCatalog } from './fixtures/catalog.js';

const read = (name: string): unknown => parse(readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8'));

describe('pipelineJsonSchema', () => {
  // strict: false because plugin schemas carry annotations such as `secret: true`, which editors ignore too.
  const ajv = new Ajv({ allErrors: true, strict: false });
  const schema = pipelineJsonSchema(testCatalog());
  const validate = ajv.compile(schema);

  it('is a draft-07 schema that a real validator accepts', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(ajv.validateSchema(schema)).toBe(true);
  });

  it('validates the example pipelines', () => {
    for (const name of ['orders.yml', 'seed.yml', 'generate.yml']) {
      expect({ name, ok: validate(read(name)), errors: validate.errors ?? null }).toEqual({ name, ok: true, errors: null });
    }
  });

  it('rejects a broken pipeline, plugin config included', () => {
    expect(validate(read('broken.yml'))).toBe(false);
    const where = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(where).toEqual(expect.arrayContaining([
      '/pipeline/plugins/0/config/count type',
      '/pipeline/plugins/0 additionalProperties',
      '/settings/channels/default/bufferSize minimum',
      '/settings/channels/default/fullMode enum',
    ]));
  });

  it('checks each plugin\'s config by its type and lists the installed types', () => {
    const file = { pipeline: { name: 'x', plugins: [{ name: 'f', type: 'filter', config: { where: 1 } }, { name: 'g', type: 'nope' }] } };
    expect(validate(file)).toBe(false);
    const where = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(where).toEqual(expect.arrayContaining(['/pipeline/plugins/0/config/where type', '/pipeline/plugins/1/type enum']));
  });
});
