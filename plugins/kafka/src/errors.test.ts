import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffErrorDocs } from '@flowengine/sdk';
import { KAFKA_ERRORS } from './errors.js';
import { KafkaSinkConfig, KafkaSourceConfig } from './index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists exactly the codes of errors.ts', () => {
    expect(diffErrorDocs(readme, KAFKA_ERRORS)).toEqual({ missingFromDocs: [], missingFromCode: [] });
  });

  it('documents every option of both plugins in its table', () => {
    const [sourcePart, sinkPart] = readme.split('## `kafka-sink`') as [string, string];
    for (const [part, schema] of [[sourcePart, KafkaSourceConfig], [sinkPart, KafkaSinkConfig]] as const) {
      for (const key of Object.keys(schema.properties)) expect(part).toContain(`| \`${key}\` |`);
    }
  });
});
