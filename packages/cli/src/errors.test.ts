import { readFileSync } from 'node:fs';
import { diffErrorDocs } from '@flowengine/sdk';
import { expect, it } from 'vitest';
import { CLI_ERRORS } from './errors.js';

it('the README error table lists exactly the codes in errors.ts', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(diffErrorDocs(readme, CLI_ERRORS)).toEqual({ missingFromDocs: [], missingFromCode: [] });
});
