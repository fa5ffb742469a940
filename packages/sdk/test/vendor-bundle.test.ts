// The built SDK loads TypeBox from one bundled file (see src/vendor/typebox.ts): a worker starts
// ~0.5 s of CPU sooner than with TypeBox's ~700 modules. `npm test` builds first, so dist is here.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as typebox from 'typebox';
import Value from 'typebox/value';

const bundlePath = new URL('../dist/vendor/typebox.js', import.meta.url);

it('dist/vendor/typebox.js is one self-contained module, not a re-export of the package', () => {
  const text = readFileSync(bundlePath, 'utf8');
  expect(text).not.toMatch(/\bfrom\s*['"]/);
  expect(text).not.toMatch(/\bimport\s*\(/);
});

it('exports the same Type builders and Value functions as the typebox package', async () => {
  const bundled = (await import(bundlePath.href)) as { Type: Record<string, unknown>; Value: Record<string, unknown> };
  expect(Object.keys(bundled.Type).sort()).toEqual(Object.keys(typebox.Type).sort());
  expect(Object.keys(bundled.Value).sort()).toEqual(Object.keys(Value).sort());
  // A schema built by the bundle is the same plain JSON Schema, so the core's own TypeBox validates it.
  const schema = bundled.Type.Object as (properties: object) => object;
  const fromBundle = schema({ n: (bundled.Type.Integer as (o: object) => object)({ minimum: 1, default: 5 }) });
  expect(JSON.stringify(fromBundle)).toBe(JSON.stringify(typebox.Type.Object({ n: typebox.Type.Integer({ minimum: 1, default: 5 }) })));
  expect(Value.Check(fromBundle as typebox.TSchema, { n: 3 })).toBe(true);
  expect(Value.Check(fromBundle as typebox.TSchema, { n: 0 })).toBe(false);
  expect((bundled.Value.Default as (s: object, v: object) => object)(fromBundle, {})).toEqual({ n: 5 });
});
