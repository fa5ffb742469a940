import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffErrorDocs } from '@flowengine/sdk';
import { CSV_ERRORS } from './errors.js';
import { CsvSinkConfig, CsvSourceConfig } from './index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists exactly the codes of errors.ts', () => {
    expect(diffErrorDocs(readme, CSV_ERRORS)).toEqual({ missingFromDocs: [], missingFromCode: [] });
  });

  it('documents every option of both plugins in its table', () => {
    const [sourcePart, sinkPart] = readme.split('## `csv-sink`') as [string, string];
    for (const [part, schema] of [[sourcePart, CsvSourceConfig], [sinkPart, CsvSinkConfig]] as const) {
      for (const key of Object.keys(schema.properties)) expect(part).toContain(`| \`${key}\` |`);
    }
  });
});
