import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ReadAheadIterator } from './read-ahead.js';

/** A plugin-like generator that writes down when its body runs: `read n` as it starts producing n. */
function recordingSource(count: number, options: { failAt?: number } = {}) {
  const log: string[] = [];
  async function* read(): AsyncGenerator<number> {
    try {
      for (let n = 1; n <= count; n++) {
        log.push(`read ${n}`);
        await nextTurn();
        if (n === options.failAt) throw new Error(`read ${n} failed`);
        yield n;
      }
    } finally {
      log.push('finally');
    }
  }
  return { log, iterator: read() };
}

describe('ReadAheadIterator', () => {
  it('starts the next read after handing a batch over, not before the caller has it, and hands that read over next', async () => {
    const { log, iterator } = recordingSource(3);
    const reader = new ReadAheadIterator(iterator);
    expect(await reader.next()).toEqual({ value: 1, done: false });
    // Synchronously after the hand-over nothing more has run: the reply goes out first.
    expect(log).toEqual(['read 1']);
    await nextTurn();
    expect(log).toEqual(['read 1', 'read 2']);
    expect(await reader.next()).toEqual({ value: 2, done: false });
    expect(await reader.next()).toEqual({ value: 3, done: false });
    expect(await reader.next()).toEqual({ value: undefined, done: true });
    expect(log).toEqual(['read 1', 'read 2', 'read 3', 'finally']);
  });

  it('reads each batch once when asked again before the read ahead has started', async () => {
    const { log, iterator } = recordingSource(3);
    const reader = new ReadAheadIterator(iterator);
    const values = [(await reader.next()).value, (await reader.next()).value, (await reader.next()).value];
    expect(values).toEqual([1, 2, 3]);
    expect(log).toEqual(['read 1', 'read 2', 'read 3']);
  });

  it('an error thrown while reading ahead reaches the next caller, and is not an unhandled rejection meanwhile', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { iterator } = recordingSource(3, { failAt: 2 });
      const reader = new ReadAheadIterator(iterator);
      await reader.next();
      await nextTurn();
      await nextTurn(); // the read ahead has failed by now, with nobody asking
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
      await expect(reader.next()).rejects.toThrow('read 2 failed');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('return() lets a read under way finish, then ends the plugin iterator (its finally runs); nothing reads after', async () => {
    const { log, iterator } = recordingSource(5);
    const reader = new ReadAheadIterator(iterator);
    await reader.next();
    await nextTurn(); // read 2 is under way
    await reader.return();
    expect(log).toEqual(['read 1', 'read 2', 'finally']);
    await nextTurn();
    expect(log).toEqual(['read 1', 'read 2', 'finally']);
  });

  it('return() before the read ahead has started cancels it', async () => {
    const { log, iterator } = recordingSource(5);
    const reader = new ReadAheadIterator(iterator);
    await reader.next();
    await reader.return();
    await nextTurn();
    expect(log).toEqual(['read 1', 'finally']);
  });

  it('return() after a failed read ahead still ends the plugin iterator without throwing', async () => {
    const { log, iterator } = recordingSource(5, { failAt: 2 });
    const reader = new ReadAheadIterator(iterator);
    await reader.next();
    await nextTurn();
    await nextTurn();
    await expect(reader.return()).resolves.toBeUndefined();
    expect(log).toEqual(['read 1', 'read 2', 'finally']);
  });
});
