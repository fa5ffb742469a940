import { readFileSync } from 'node:fs';
import { diffErrorDocs } from '@flowengine/sdk';
import { describe, expect, it } from 'vitest';
import { POSTGRES_ERRORS, PostgresSinkConfig, PostgresSourceConfig } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Option paths of a TypeBox object schema (`retry.maxRetries`), as the README tables write them. */
function optionPaths(schema: { properties?: Record<string, unknown> }, prefix = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
    const node = child as { properties?: Record<string, unknown> };
    return node.properties === undefined ? [`${prefix}${key}`] : optionPaths(node, `${prefix}${key}.`);
  });
}

/** The option column of the table under a `## \`id\`` heading. */
function documentedOptions(id: string): string[] {
  const section = readme.split(`## \`${id}\``)[1]?.split(/^## /m)[0] ?? '';
  const table = section.split(/\n\n/).find((block) => block.startsWith('| option |')) ?? '';
  return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] as string);
}

describe('README', () => {
  it('lists exactly the codes of src/errors.ts', () => {
    expect(diffErrorDocs(readme, POSTGRES_ERRORS)).toEqual({ missingFromDocs: [], missingFromCode: [] });
  });

  it('documents every option of each plugin and no other', () => {
    expect(documentedOptions('postgres-source').sort()).toEqual(optionPaths(PostgresSourceConfig).sort());
    expect(documentedOptions('postgres-sink').sort()).toEqual(optionPaths(PostgresSinkConfig).sort());
  });

  it('marks url and password secret so the engine redacts them', () => {
    for (const config of [PostgresSourceConfig, PostgresSinkConfig]) {
      expect(config.properties.url).toMatchObject({ secret: true });
      expect(config.properties.password).toMatchObject({ secret: true });
    }
  });
});
