// The built SDK loads TypeBox from one bundled file (see src/vendor/typebox.ts): a worker starts
// ~0.5 s of CPU sooner than with TypeBox's ~700 modules. `npm test` builds first, so dist is here.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as typebox from 'typebox';
import { Compile } from 'typebox/compile';
import { Settings } from 'typebox/system';
import Value from 'typebox/value';

const bundlePath = new URL('../dist/vendor/typebox.js', import.meta.url);

it('dist/vendor/typebox.js is one self-contained module, not a re-export of the package', () => {
  const text = readFileSync(bundlePath, 'utf8');
  expect(text).not.toMatch(/\bfrom\s*['"]/);
  expect(text).not.toMatch(/\bimport\s*\(/);
});

it('exports the same Type builders, Value functions, Compile and Settings as the typebox package', async () => {
  const bundled = (await import(bundlePath.href)) as {
    Type: Record<string, unknown>; Value: Record<string, unknown>; Compile: (schema: object) => { Check(value: unknown): boolean }; Settings: Record<string, unknown>;
  };
  expect(Object.keys(bundled).sort()).toEqual(['Compile', 'Settings', 'Type', 'Value']);
  expect(Object.keys(bundled.Type).sort()).toEqual(Object.keys(typebox.Type).sort());
  expect(Object.keys(bundled.Value).sort()).toEqual(Object.keys(Value).sort());
  expect(Object.keys(bundled.Settings).sort()).toEqual(Object.keys(Settings).sort());
  // A schema built by the bundle is the same plain JSON Schema, so the core's own TypeBox validates it.
  const schema = bundled.Type.Object as (properties: object) => object;
  const fromBundle = schema({ n: (bundled.Type.Integer as (o: object) => object)({ minimum: 1, default: 5 }) });
  expect(JSON.stringify(fromBundle)).toBe(JSON.stringify(typebox.Type.Object({ n: typebox.Type.Integer({ minimum: 1, default: 5 }) })));
  expect(Value.Check(fromBundle as typebox.TSchema, { n: 3 })).toBe(true);
  expect(Value.Check(fromBundle as typebox.TSchema, { n: 0 })).toBe(false);
  expect((bundled.Value.Default as (s: object, v: object) => object)(fromBundle, {})).toEqual({ n: 5 });
  // And the other way round: the bundle's compiler checks a schema made by the package.
  const validator = bundled.Compile(typebox.Type.Object({ n: typebox.Type.Integer({ minimum: 1 }) }));
  expect([validator.Check({ n: 2 }), validator.Check({ n: 0 })]).toEqual([true, false]);
  expect(Compile(fromBundle as typebox.TSchema).Check({ n: 2 })).toBe(true);
});
