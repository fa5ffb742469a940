import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SDK_ERRORS, diffErrorDocs } from '@flowengine/sdk';
import { ISOLATION_ERRORS } from '@flowengine/isolation';

describe('error catalogue', () => {
  it('lists exactly the codes of errors.ts in the README "Error codes" table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(diffErrorDocs(readme, ISOLATION_ERRORS)).toEqual({ missingFromDocs: [], missingFromCode: [] });
  });

  it('names every code FE_<AREA>_<WHAT>, with a meaning and a fix, and none shared with the SDK', () => {
    for (const [code, info] of Object.entries(ISOLATION_ERRORS)) {
      expect(code).toMatch(/^FE_[A-Z0-9]+_[A-Z0-9_]+$/);
      expect(info.meaning.length).toBeGreaterThan(10);
      expect(info.fix.length).toBeGreaterThan(10);
      expect(code in SDK_ERRORS).toBe(false);
    }
  });
});
