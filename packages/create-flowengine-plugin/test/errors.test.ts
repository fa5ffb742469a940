import { readFile } from 'node:fs/promises';
import { diffErrorDocs } from '@flowengine/sdk';
import { expect, it } from 'vitest';
import { CREATE_ERRORS } from '../src/errors.js';

it('README "Error codes" lists exactly the codes of src/errors.ts', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  expect(diffErrorDocs(readme, CREATE_ERRORS)).toEqual({ missingFromDocs: [], missingFromCode: [] });
});
