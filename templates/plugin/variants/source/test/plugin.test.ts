import { fileURLToPath } from 'node:url';
import { assertSourceCompliance, runPlugin } from '@flowengine/sdk/testing';
import { expect, it } from 'vitest';

// The package itself, as the engine finds it: package.json's "flowengine" manifest -> dist/index.js.
// `npm test` builds dist/ first, so these tests run the code you publish, in a real worker thread.
const plugin = { packageDir: fileURLToPath(new URL('..', import.meta.url)), id: '__PLUGIN_ID__' };

it('passes the SDK source compliance suite', async () => {
  const report = await assertSourceCompliance({ plugin, config: { count: 25, chunkSize: 10 } });
  expect(report.passed).toContain('chunks match the declared schema and carry positions');
});

it('emits `count` rows in chunks of `chunkSize`, each chunk tagged with the rows emitted so far', async () => {
  const result = await runPlugin({ plugin, config: { count: 5, chunkSize: 2, prefix: 'n' } });
  expect(result.error).toBeUndefined();
  expect(result.rows).toEqual([0, 1, 2, 3, 4].map((n) => ({ n, label: `n${n}` })));
  expect(result.chunks.map((chunk) => chunk.length)).toEqual([2, 2, 1]);
  expect(result.positions).toEqual([2, 4, 5]);
});

it('fills in the config defaults', async () => {
  const result = await runPlugin({ plugin, config: {} });
  expect(result.error).toBeUndefined();
  expect(result.rows).toHaveLength(100);
  expect(result.rows[99]).toEqual({ n: 99, label: 'row-99' });
});

it('refuses a negative count', async () => {
  const result = await runPlugin({ plugin, config: { count: -1 } });
  expect(result.error?.code).toBe('FE_PLUGIN_CONFIG_INVALID');
  expect(result.error?.message).toContain('count');
});
