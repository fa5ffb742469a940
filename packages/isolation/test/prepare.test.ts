import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createInstanceHost } from '@flowengine/isolation';
import type { InstanceHandle, TransformHandle } from '@flowengine/isolation';
import { numberChunk, plugin, transformOptions, values } from './helpers.js';

/** The worker thread an instance runs in (the fixture's `thread-id` behaviour reports it). */
async function threadOf(handle: InstanceHandle): Promise<number> {
  return Number(values(await (handle as TransformHandle).transform(numberChunk([1])), 'text')[0]);
}

describe('host.prepare: workers booted before the input schema is known', () => {
  it('startInstance with the prepared name runs in the thread prepared for it', async () => {
    const host = createInstanceHost();
    try {
      host.startInstance.prepare({ name: 'early', plugin: plugin('faulty-transform', 'transform') });
      // Thread ids grow in creation order: the prepared thread was created before this one.
      const later = await threadOf(await host.startInstance(transformOptions('later', 'thread-id')));
      const early = await threadOf(await host.startInstance(transformOptions('early', 'thread-id')));
      expect(early).toBeLessThan(later);
    } finally {
      await host.close();
    }
  });

  it('a prepared pool that does not fit the options (other memory limit) is replaced, and the instance still starts', async () => {
    const host = createInstanceHost();
    try {
      host.prepare({ name: 'resized', plugin: plugin('faulty-transform', 'transform'), memoryLimitMB: 100 });
      const before = await threadOf(await host.startInstance(transformOptions('other', 'thread-id')));
      const handle = await host.startInstance(transformOptions('resized', 'thread-id', { memoryLimitMB: 150 }));
      expect(await threadOf(handle)).toBeGreaterThan(before);
    } finally {
      await host.close();
    }
  });

  it('close() ends prepared pools never claimed; prepare outside worker mode does nothing', async () => {
    const host = createInstanceHost();
    host.prepare({ name: 'never', plugin: plugin('faulty-transform', 'transform') });
    host.prepare({ name: 'inline', plugin: plugin('faulty-transform', 'transform'), mode: 'inline' });
    const inline = await host.startInstance(transformOptions('inline', 'identity', { mode: 'inline' }));
    expect(values(await inline.transform(numberChunk([7])))).toEqual([7]);
    await expect(host.close()).resolves.toBeUndefined();
  });

  it('a prepared instance whose options are invalid fails as without prepare; a corrected start still gets the prepared thread', async () => {
    const host = createInstanceHost();
    try {
      host.prepare({ name: 'bad', plugin: plugin('faulty-transform', 'transform') });
      await expect(host.startInstance({ ...transformOptions('bad', 'identity'), timeoutSeconds: -1 })).rejects.toMatchObject({ code: 'FE_ISOLATION_OPTIONS_INVALID' });
      const later = await threadOf(await host.startInstance(transformOptions('later', 'thread-id')));
      const corrected = await threadOf(await host.startInstance(transformOptions('bad', 'thread-id')));
      expect(corrected).toBeLessThan(later);
    } finally {
      await host.close();
    }
  });
});

describe('warm workers: threads booted before any instance is known', () => {
  it('prepare hands them to default single-thread instances, in place of new threads; others boot their own', async () => {
    const host = createInstanceHost({ warmWorkers: 2 });
    try {
      expect(host.idleWarmWorkers).toBe(2);
      // A thread made now is newer than both warm ones (thread ids grow in creation order).
      const probe = await threadOf(await host.startInstance(transformOptions('probe', 'thread-id', { memoryLimitMB: 64 })));
      expect(host.idleWarmWorkers).toBe(2); // another heap limit: not a warm thread
      host.prepare({ name: 'a', plugin: plugin('faulty-transform', 'transform') });
      host.prepare({ name: 'b', plugin: plugin('faulty-transform', 'transform'), threads: 2 });
      expect(host.idleWarmWorkers).toBe(1); // two threads: not a warm thread either
      expect(await threadOf(await host.startInstance(transformOptions('a', 'thread-id')))).toBeLessThan(probe);
      // Started without prepare: no warm thread either (only prepare hands them out).
      expect(await threadOf(await host.startInstance(transformOptions('c', 'thread-id')))).toBeGreaterThan(probe);
    } finally {
      await host.close();
    }
    expect(host.idleWarmWorkers).toBe(0);
  });

  it('close() ends warm threads nobody took', async () => {
    // Each worker is one more OS thread of this process (vitest runs each file in its own process).
    const threads = (): number => readdirSync('/proc/self/task').length;
    const until = async (check: () => boolean): Promise<boolean> => {
      for (let waited = 0; !check() && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      return check();
    };
    const before = threads();
    const host = createInstanceHost({ warmWorkers: 3 });
    expect(await until(() => threads() >= before + 3)).toBe(true);
    await expect(host.close()).resolves.toBeUndefined();
    expect(host.idleWarmWorkers).toBe(0);
    expect(await until(() => threads() <= before)).toBe(true);
  });
});
