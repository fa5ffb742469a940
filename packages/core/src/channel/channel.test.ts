import { describe, expect, it } from 'vitest';
import { FlowEngineError } from '@flowengine/sdk';
import { Channel } from './channel.js';
import type { ChannelOptions } from './options.js';

interface Item {
  readonly seq: number;
  readonly rows: number;
}

const item = (seq: number): Item => ({ seq, rows: 1 + (seq % 7) });
const rowsOf = (items: readonly Item[]): number => items.reduce((sum, { rows }) => sum + rows, 0);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function channel(options: Partial<ChannelOptions<Item>> = {}): Channel<Item> {
  return new Channel<Item>({ name: 'a→b', bufferSize: 4, rows: (i) => i.rows, ...options });
}

async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => { done = true; }, () => { done = true; });
  await tick();
  return done;
}

describe('Channel fullMode Wait', () => {
  it('loses nothing under overload and keeps the buffer within bufferSize', async () => {
    const ch = channel({ bufferSize: 4, fullMode: 'Wait' });
    const produced = Array.from({ length: 200 }, (_, i) => item(i));
    const producer = (async () => {
      for (const it of produced) {
        const pending = ch.push(it);
        if (pending) await pending;
        expect(ch.stats().bufferedChunks).toBeLessThanOrEqual(4);
      }
      ch.close();
    })();
    const received: Item[] = [];
    for await (const it of ch) {
      received.push(it);
      expect(ch.stats().bufferedChunks).toBeLessThanOrEqual(4);
      await tick(); // a slow consumer
    }
    await producer;
    expect(received.map((i) => i.seq)).toEqual(produced.map((i) => i.seq));
    const stats = ch.stats();
    expect(stats).toMatchObject({ pushed: rowsOf(produced), delivered: rowsOf(produced), droppedRows: 0, droppedChunks: 0, bufferedChunks: 0 });
    expect(stats.peakBufferedChunks).toBe(4);
  });

  it('blocks a push while full and resumes it when the consumer takes an item', async () => {
    const ch = channel({ bufferSize: 2, fullMode: 'Wait' });
    expect(ch.push(item(0))).toBeUndefined();
    expect(ch.push(item(1))).toBeUndefined();
    const blocked = ch.push(item(2));
    expect(blocked).toBeInstanceOf(Promise);
    expect(await settled(blocked as Promise<void>)).toBe(false);
    expect(ch.stats().pushedChunks).toBe(2);
    expect((await ch.next()).value).toEqual(item(0));
    await blocked;
    expect(ch.stats()).toMatchObject({ pushedChunks: 3, bufferedChunks: 2 });
    ch.close();
    const rest: number[] = [];
    for await (const it of ch) rest.push(it.seq);
    expect(rest).toEqual([1, 2]);
  });
});

describe('Channel drop modes', () => {
  it('DropNewest discards incoming items and counts their rows', async () => {
    const ch = channel({ bufferSize: 3, fullMode: 'DropNewest' });
    const produced = Array.from({ length: 10 }, (_, i) => item(i));
    for (const it of produced) expect(ch.push(it)).toBeUndefined();
    ch.close();
    const received: Item[] = [];
    for await (const it of ch) received.push(it);
    expect(received.map((i) => i.seq)).toEqual([0, 1, 2]);
    const stats = ch.stats();
    expect(stats.droppedChunks).toBe(7);
    expect(stats.droppedRows).toBe(rowsOf(produced.slice(3)));
    expect(stats.delivered + stats.droppedRows).toBe(rowsOf(produced));
    expect(stats.pushed).toBe(rowsOf(produced));
  });

  it('DropOldest evicts the oldest buffered items and counts their rows', async () => {
    const ch = channel({ bufferSize: 3, fullMode: 'DropOldest' });
    const produced = Array.from({ length: 10 }, (_, i) => item(i));
    for (const it of produced) expect(ch.push(it)).toBeUndefined();
    ch.close();
    const received: Item[] = [];
    for await (const it of ch) received.push(it);
    expect(received.map((i) => i.seq)).toEqual([7, 8, 9]);
    const stats = ch.stats();
    expect(stats.droppedChunks).toBe(7);
    expect(stats.droppedRows).toBe(rowsOf(produced.slice(0, 7)));
    expect(stats.delivered + stats.droppedRows).toBe(rowsOf(produced));
  });

  for (const fullMode of ['DropOldest', 'DropNewest'] as const) {
    it(`${fullMode}: delivered + dropped = produced, in rows, with a consumer slower than the producer`, async () => {
      const ch = channel({ bufferSize: 5, fullMode });
      const produced = Array.from({ length: 1000 }, (_, i) => item(i));
      const received: Item[] = [];
      for (const it of produced) {
        expect(ch.push(it)).toBeUndefined();
        expect(ch.stats().bufferedChunks).toBeLessThanOrEqual(5);
        if (it.seq % 3 === 0) received.push(ch.tryNext() as Item);
      }
      ch.close();
      for await (const it of ch) received.push(it);
      const stats = ch.stats();
      expect(stats.droppedRows).toBeGreaterThan(0);
      expect(rowsOf(received)).toBe(stats.delivered);
      expect(stats.delivered + stats.droppedRows).toBe(rowsOf(produced));
      expect(stats.deliveredChunks + stats.droppedChunks).toBe(produced.length);
      const seqs = received.map((i) => i.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // order kept among survivors
    });
  }
});

describe('Channel backpressure threshold', () => {
  it('signals paused at the threshold and resumes below it', async () => {
    const signals: boolean[] = [];
    const ch = channel({ bufferSize: 10, backpressureThreshold: 50, onBackpressure: (paused) => signals.push(paused) });
    for (let i = 0; i < 4; i++) ch.push(item(i));
    expect(ch.isAboveThreshold).toBe(false);
    expect(await settled(ch.waitForCapacity())).toBe(true);
    ch.push(item(4));
    expect(ch.isAboveThreshold).toBe(true);
    expect(ch.stats().utilization).toBe(0.5);
    const capacity = ch.waitForCapacity();
    ch.push(item(5)); // still accepted: the threshold pauses the source, it does not refuse pushes
    expect(await settled(capacity)).toBe(false);
    ch.tryNext();
    expect(ch.isAboveThreshold).toBe(true);
    expect(await settled(capacity)).toBe(false);
    ch.tryNext();
    expect(ch.isAboveThreshold).toBe(false);
    expect(await settled(capacity)).toBe(true);
    expect(signals).toEqual([true, false]);
  });

  it('releases a paused producer when the channel is closed', async () => {
    const ch = channel({ bufferSize: 2, backpressureThreshold: 100 });
    ch.push(item(0));
    ch.push(item(1));
    const capacity = ch.waitForCapacity();
    ch.close();
    await capacity;
  });
});

describe('Channel close and abort', () => {
  it('close lets the consumer drain, then ends; a push after close fails', async () => {
    const ch = channel();
    ch.push(item(0));
    const waiting = channel();
    const end = waiting.next();
    waiting.close();
    expect(await end).toEqual({ done: true, value: undefined });
    ch.close();
    expect(() => ch.push(item(1))).toThrow(expect.objectContaining({ code: 'FE_CHANNEL_CLOSED', message: expect.stringContaining('a→b') }));
    expect(await ch.next()).toEqual({ done: false, value: item(0) });
    expect(await ch.next()).toEqual({ done: true, value: undefined });
    expect(await ch.next()).toEqual({ done: true, value: undefined });
  });

  it('a waiting consumer gets an item pushed later', async () => {
    const ch = channel();
    const next = ch.next();
    expect(ch.push(item(3))).toBeUndefined();
    expect(await next).toEqual({ done: false, value: item(3) });
    expect(ch.stats()).toMatchObject({ delivered: 4, bufferedChunks: 0 });
  });

  it('abort rejects waiting consumers, blocked producers and later calls with the error', async () => {
    const consumerSide = channel();
    const read = consumerSide.next();
    const producerSide = channel({ bufferSize: 1 });
    producerSide.push(item(0));
    const blocked = producerSide.push(item(1)) as Promise<void>;
    const capacity = producerSide.waitForCapacity();
    const cause = new FlowEngineError('FE_PLUGIN_UNCAUGHT', 'sink failed');
    await consumerSide.abort(cause);
    await producerSide.abort(cause);
    await expect(read).rejects.toBe(cause);
    await expect(blocked).rejects.toBe(cause);
    await expect(capacity).rejects.toBe(cause);
    expect(() => producerSide.push(item(2))).toThrow(cause);
    await expect(producerSide.next()).rejects.toBe(cause);
    expect(producerSide.stats()).toMatchObject({ pushedChunks: 1, bufferedChunks: 0 });
  });

  it('abort wraps a foreign error as FE_CHANNEL_ABORTED with the cause', async () => {
    const ch = channel();
    const original = new TypeError('boom');
    await ch.abort(original);
    await expect(ch.next()).rejects.toMatchObject({ code: 'FE_CHANNEL_ABORTED', cause: original, message: expect.stringContaining('boom') });
  });

  it('a consumer that stops iterating aborts the channel so the producer is not left waiting', async () => {
    const ch = channel({ bufferSize: 1 });
    ch.push(item(0));
    const blocked = ch.push(item(1)) as Promise<void>;
    for await (const it of ch) {
      expect(it.seq).toBe(0);
      break;
    }
    await expect(blocked).resolves.toBeUndefined(); // taken into the freed slot before the break
    expect(() => ch.push(item(2))).toThrow(expect.objectContaining({ code: 'FE_CHANNEL_ABORTED' }));
  });
});

describe('Channel options', () => {
  it('reports every invalid option at once', () => {
    expect(() => new Channel<Item>({
      name: 'x→y', bufferSize: 0, backpressureThreshold: 120, fullMode: 'Block' as 'Wait', rows: (i) => i.rows,
      spill: { directory: '/tmp', memoryBudgetBytes: 10 },
    })).toThrow(expect.objectContaining({
      code: 'FE_CHANNEL_OPTIONS',
      details: expect.objectContaining({ problems: [
        'bufferSize: expected an integer >= 1 but found 0',
        'backpressureThreshold: expected a percentage in (0, 100] but found 120',
        'fullMode: expected one of Wait, DropOldest, DropNewest but found Block',
        'spill: expected serialize and deserialize functions to be given with it',
        'spill.memoryBudgetBytes: expected a byteLength function to measure items with',
      ] }),
    }));
  });
});
