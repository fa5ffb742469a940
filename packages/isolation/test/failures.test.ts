import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowEngineError } from '@flowengine/sdk';
import { startInstance } from '@flowengine/isolation';
import type { TransformHandle } from '@flowengine/isolation';
import { numberChunk, transformOptions, values } from './helpers.js';

const open: TransformHandle[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((handle) => handle.close()));
});

async function start(name: string, behaviour: string, extra: Parameters<typeof transformOptions>[2] = {}): Promise<TransformHandle> {
  const handle = await startInstance(transformOptions(name, behaviour, extra));
  open.push(handle);
  return handle;
}

async function failure(promise: Promise<unknown>): Promise<FlowEngineError> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(FlowEngineError);
  return error as FlowEngineError;
}

describe.each(['worker', 'process'] as const)('a failing plugin in %s mode', (mode) => {
  it('throws: the same code comes back with the instance name and the plugin stack', async () => {
    const handle = await start('breaks', 'throw', { mode });
    const error = await failure(handle.transform(numberChunk([1, 2])));
    expect(error.code).toBe('FE_FIXTURE_BROKEN');
    expect(error.message).toContain('instance "breaks"');
    expect(error.details).toMatchObject({ instance: 'breaks', plugin: 'faulty-transform', phase: 'transform', rows: 2 });
    expect(error.stack).toContain('plugins.mjs');
  });

  it('throws a plain error: FE_PLUGIN_UNCAUGHT with the original as cause', async () => {
    const handle = await start('plain', 'throw-plain', { mode });
    const error = await failure(handle.transform(numberChunk([1])));
    expect(error.code).toBe('FE_PLUGIN_UNCAUGHT');
    expect((error.cause as Error).name).toBe('TypeError');
    expect((error.cause as Error).message).toBe('cannot read properties of undefined');
  });

  it('hangs on an await: FE_PLUGIN_TIMEOUT naming the call and the limit', async () => {
    const handle = await start('hangs', 'hang', { mode, timeoutSeconds: 0.3 });
    const error = await failure(handle.transform(numberChunk([1])));
    expect(error.code).toBe('FE_PLUGIN_TIMEOUT');
    expect(error.message).toContain('instance "hangs"');
    expect(error.details).toMatchObject({ phase: 'transform', timeoutSeconds: 0.3 });
    // The instance is dead for good without a restart policy.
    expect((await failure(handle.transform(numberChunk([1])))).code).toBe('FE_PLUGIN_TIMEOUT');
  });

  it('spins in a sync loop: terminated while the engine thread keeps running', async () => {
    const handle = await start('spins', 'spin', { mode, timeoutSeconds: 0.3 });
    let ticks = 0;
    const ticker = setInterval(() => { ticks += 1; }, 5);
    const error = await failure(handle.transform(numberChunk([1])));
    clearInterval(ticker);
    expect(error.code).toBe('FE_PLUGIN_TIMEOUT');
    expect(ticks).toBeGreaterThan(0);
  });

  it('leaks heap: FE_PLUGIN_OUT_OF_MEMORY naming the instance and the limit', async () => {
    const handle = await start('leaks', 'leak', { mode, memoryLimitMB: 32, timeoutSeconds: 20 });
    const error = await failure(handle.transform(numberChunk([1])));
    expect(error.code).toBe('FE_PLUGIN_OUT_OF_MEMORY');
    expect(error.message).toContain('instance "leaks"');
    expect(error.message).toContain('32 MB');
  });

  it('allocates a Buffer beyond the limit: the watchdog ends it (FE_PLUGIN_OUT_OF_MEMORY)', async () => {
    const handle = await start('buffers', 'buffer', { mode, memoryLimitMB: 64 });
    const error = await failure(handle.transform(numberChunk([1])));
    expect(error.code).toBe('FE_PLUGIN_OUT_OF_MEMORY');
    expect(error.details).toMatchObject({ limit: 'watchdog', memoryLimitMB: 64 });
    expect(error.message).toContain('external');
  });

  it('calls process.exit(): FE_PLUGIN_CRASHED, the engine survives', async () => {
    const handle = await start('exits', 'exit', { mode });
    const error = await failure(handle.transform(numberChunk([1])));
    expect(error.code).toBe('FE_PLUGIN_CRASHED');
    expect(error.message).toContain('instance "exits"');
    expect(error.message).toMatch(/exited with code 7/);
  });

  it('rejects a promise after the call returned: the next call reports FE_PLUGIN_CRASHED', async () => {
    const handle = await start('late', 'late-rejection', { mode });
    expect(values(await handle.transform(numberChunk([5])))).toEqual([5]);
    let error: unknown;
    for (let attempt = 0; attempt < 100 && error === undefined; attempt++) {
      await sleep(20);
      error = await handle.transform(numberChunk([6])).then(() => undefined, (thrown: unknown) => thrown);
    }
    expect(error).toBeInstanceOf(FlowEngineError);
    expect((error as FlowEngineError).code).toBe('FE_PLUGIN_CRASHED');
    expect((error as FlowEngineError).message).toContain('rejected after the call returned');
  });

  it('pollutes Object.prototype: not visible in another instance nor in the engine', async () => {
    const polluter = await start('polluter', 'pollute', { mode });
    await polluter.transform(numberChunk([1]));
    const checker = await start('checker', 'check-pollution', { mode });
    expect(values(await checker.transform(numberChunk([1])), 'text')).toEqual(['clean']);
    expect((({}) as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('process mode permissions', () => {
  const secretDir = mkdtempSync(join(tmpdir(), 'flowengine-secret-'));
  const secret = join(secretDir, 'secret.txt');
  writeFileSync(secret, 'top secret');

  it('denies reading a file outside the plugin package and its grants', async () => {
    const handle = await start('reader', 'read-file', { mode: 'process', config: { path: secret } });
    const error = await failure(handle.transform(numberChunk([1])));
    expect(error.code).toBe('FE_PLUGIN_ACCESS_DENIED');
    expect(error.message).toContain(secret);
  });

  it('allows reading a granted path', async () => {
    const handle = await start('granted', 'read-file', { mode: 'process', config: { path: secret }, grants: { read: [secretDir] } });
    expect(values(await handle.transform(numberChunk([1])), 'text')).toEqual(['top secret']);
  });

  it('passes only the declared environment variables', async () => {
    process.env.FLOWENGINE_TEST_VISIBLE = 'seen';
    process.env.FLOWENGINE_TEST_HIDDEN = 'hidden';
    const visible = await start('env-visible', 'read-env', { mode: 'process', config: { path: 'FLOWENGINE_TEST_VISIBLE' }, grants: { env: ['FLOWENGINE_TEST_VISIBLE'] } });
    const hidden = await start('env-hidden', 'read-env', { mode: 'process', config: { path: 'FLOWENGINE_TEST_HIDDEN' }, grants: { env: ['FLOWENGINE_TEST_VISIBLE'] } });
    expect(values(await visible.transform(numberChunk([1])), 'text')).toEqual(['seen']);
    expect(values(await hidden.transform(numberChunk([1])), 'text')).toEqual([null]);
  });

  it('runs third-party plugins in process mode by default', async () => {
    const handle = await start('third-party', 'identity', { plugin: { ...transformOptions('x', 'identity').plugin, firstParty: false } } as Parameters<typeof transformOptions>[2]);
    expect(handle.mode).toBe('process');
    expect(readFileSync(secret, 'utf8')).toBe('top secret');
    // ...and so under the permission model: the same read a worker would allow is denied.
    const reader = await start('third-party-reader', 'read-file', { config: { path: secret }, plugin: { ...transformOptions('x', 'read-file').plugin, firstParty: false } } as Parameters<typeof transformOptions>[2]);
    expect((await failure(reader.transform(numberChunk([1])))).code).toBe('FE_PLUGIN_ACCESS_DENIED');
  });
});
