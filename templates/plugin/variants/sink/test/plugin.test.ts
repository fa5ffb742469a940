import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Schema } from '@flowengine/sdk';
import { assertSinkCompliance, runPlugin } from '@flowengine/sdk/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

// The package itself, as the engine finds it: package.json's "flowengine" manifest -> dist/index.js.
// `npm test` builds dist/ first, so these tests run the code you publish, in a real worker thread.
const plugin = { packageDir: fileURLToPath(new URL('..', import.meta.url)), id: '__PLUGIN_ID__' };
const schema = Schema.of([{ name: 'id', type: 'int64' }, { name: 'name', type: 'string' }, { name: 'ok', type: 'bool' }]);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sink-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('passes the SDK sink compliance suite', async () => {
  const report = await assertSinkCompliance({ plugin, config: { path: join(dir, 'compliance.jsonl') }, input: { schema, rows: [[1n, 'ada', true]] } });
  expect(report.passed).toContain('write, flush (the durable point), close');
});

it('writes one JSON line per row; an int64 past 2^53 as a decimal string', async () => {
  const path = join(dir, 'out.jsonl');
  const result = await runPlugin({
    plugin,
    config: { path },
    input: { schema, rows: [[1n, 'ada', true], [2n, null, false], [9007199254740993n, 'big', null]], chunkSize: 2 },
  });
  expect(result.error).toBeUndefined();
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
  expect(lines).toEqual([
    { id: 1, name: 'ada', ok: true },
    { id: 2, name: null, ok: false },
    { id: '9007199254740993', name: 'big', ok: null },
  ]);
});

it('fails with the file system error when the folder does not exist', async () => {
  const result = await runPlugin({ plugin, config: { path: join(dir, 'missing/out.jsonl') }, input: { schema, rows: [[1n, 'a', true]] } });
  expect(result.error).toBeDefined();
  expect(result.error?.message).toContain('ENOENT');
});

it('refuses a config without `path`', async () => {
  const result = await runPlugin({ plugin, config: {}, input: { schema, rows: [[1n, 'a', true]] } });
  expect(result.error?.code).toBe('FE_PLUGIN_CONFIG_INVALID');
});
