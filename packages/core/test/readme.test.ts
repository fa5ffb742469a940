import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Type, diffErrorDocs } from '@flowengine/sdk';
import { describe, expect, it } from 'vitest';
import { CORE_ERRORS, configOptionsTable } from '../src/index.js';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- options:start -->\n';
const END = '\n<!-- options:end -->';

describe('README.md', () => {
  it('lists every error code of src/errors.ts, and no other', () => {
    expect(diffErrorDocs(readFileSync(readmePath, 'utf8'), CORE_ERRORS)).toEqual({ missingFromDocs: [], missingFromCode: [] });
  });

  it('has the options table generated from the config schema', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const table = configOptionsTable();
    if (process.env['UPDATE_DOCS'] === '1') {
      writeFileSync(readmePath, readme.slice(0, start + START.length) + table + readme.slice(end));
      return;
    }
    expect(readme.slice(start + START.length, end)).toBe(table);
  });

  it('renders a plugin\'s config schema the same way, without the pipeline file\'s seed-shape summaries', () => {
    const schema = Type.Object({
      table: Type.String({ description: 'Target table.' }),
      schema: Type.Optional(Type.String({ default: 'public', description: 'Database schema.' })),
      retry: Type.Optional(Type.Object({ times: Type.Integer({ minimum: 0, description: 'Attempts.' }) })),
      mode: Type.Optional(Type.Enum(['append', 'replace'])),
    });
    expect(configOptionsTable(schema).split('\n')).toEqual([
      '| option | type | default | description |',
      '| --- | --- | --- | --- |',
      '| `table` | string | (required) | Target table. |',
      '| `schema` | string | `"public"` | Database schema. |',
      '| `retry.times` | integer | (required) | Attempts. |',
      '| `mode` | `append` \\| `replace` |  |  |',
    ]);
  });
});
