import { fileURLToPath } from 'node:url';
import { Schema } from '@flowengine/sdk';
import { assertTransformCompliance, runPlugin } from '@flowengine/sdk/testing';
import { expect, it } from 'vitest';

// The package itself, as the engine finds it: package.json's "flowengine" manifest -> dist/index.js.
// `npm test` builds dist/ first, so these tests run the code you publish, in a real worker thread.
const plugin = { packageDir: fileURLToPath(new URL('..', import.meta.url)), id: '__PLUGIN_ID__' };
const schema = Schema.of([{ name: 'id', type: 'int32' }, { name: 'name', type: 'string' }]);

it('passes the SDK transform compliance suite', async () => {
  const report = await assertTransformCompliance({ plugin, config: { field: 'name' }, input: { schema, rows: [[1, 'ada'], [2, 'grace']] } });
  expect(report.passed).toContain('outputs match outputSchema');
});

it('upper-cases the configured field and keeps nulls and the other fields', async () => {
  const result = await runPlugin({
    plugin,
    config: { field: 'name' },
    input: { schema, rows: [[1, 'ada'], [2, null], [3, 'Grace Hopper']], chunkSize: 2 },
  });
  expect(result.error).toBeUndefined();
  expect(result.rows).toEqual([{ id: 1, name: 'ADA' }, { id: 2, name: null }, { id: 3, name: 'GRACE HOPPER' }]);
});

it('refuses a field that is not a string, naming it', async () => {
  const result = await runPlugin({ plugin, config: { field: 'id' }, input: { schema, rows: [[1, 'ada']] } });
  expect(result.error?.code).toBe('FE_PLUGIN_CONFIG_INVALID');
  expect(result.error?.message).toContain('expected a string field, found "id" of type int32');
});

it('refuses a config without `field`', async () => {
  const result = await runPlugin({ plugin, config: {}, input: { schema, rows: [[1, 'ada']] } });
  expect(result.error?.code).toBe('FE_PLUGIN_CONFIG_INVALID');
  expect(result.error?.message).toContain('field');
});
