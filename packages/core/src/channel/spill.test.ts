import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Channel } from './channel.js';
import type { ChannelOptions } from './options.js';
import { FRAME_HEADER_BYTES } from './spill-frame.js';

interface Item {
  readonly seq: number;
  readonly rows: number;
  readonly pad: string;
}

const item = (seq: number, padBytes = 16): Item => ({ seq, rows: 1 + (seq % 5), pad: 'x'.repeat(padBytes) });
const codec = {
  rows: (i: Item) => i.rows,
  byteLength: (i: Item) => i.pad.length,
  serialize: (i: Item) => new TextEncoder().encode(JSON.stringify(i)),
  deserialize: (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Item,
};

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fe-spill-test-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function spilling(options: Partial<ChannelOptions<Item>> = {}, spill: Partial<NonNullable<ChannelOptions<Item>['spill']>> = {}): Channel<Item> {
  return new Channel<Item>({ name: 'src→sink', bufferSize: 3, fullMode: 'Wait', ...codec, ...options, spill: { directory: root, ...spill } });
}

async function pushAll(ch: Channel<Item>, items: readonly Item[]): Promise<void> {
  for (const it of items) await ch.push(it);
}

async function drain(ch: Channel<Item>): Promise<number[]> {
  const seqs: number[] = [];
  for await (const it of ch) seqs.push(it.seq);
  return seqs;
}

describe('Channel spillover', () => {
  it('keeps FIFO order across memory and disk items, interleaved, and removes its files', async () => {
    const ch = spilling({ bufferSize: 3 });
    await pushAll(ch, Array.from({ length: 10 }, (_, i) => item(i)));
    expect(ch.stats()).toMatchObject({ bufferedChunks: 3, spilledChunks: 7, onDiskChunks: 7 });
    const directory = await ch.spillDirectory();
    expect(directory?.startsWith(join(root, 'src_sink-'))).toBe(true);
    expect(readdirSync(directory as string)).toEqual(['segment-000001.spill']);

    const first: number[] = [];
    for (let i = 0; i < 4; i++) first.push(((await ch.next()).value as Item).seq);
    await pushAll(ch, Array.from({ length: 5 }, (_, i) => item(10 + i)));
    ch.close();
    const all = [...first, ...(await drain(ch))];
    expect(all).toEqual(Array.from({ length: 15 }, (_, i) => i));
    const stats = ch.stats();
    expect(stats).toMatchObject({ droppedRows: 0, bufferedChunks: 0, onDiskChunks: 0, pushedChunks: 15, deliveredChunks: 15 });
    expect(stats.delivered).toBe(stats.pushed);
    expect(stats.spilledChunks).toBeGreaterThanOrEqual(7);
    expect(stats.spilledBytes).toBeGreaterThan(stats.spilledChunks * FRAME_HEADER_BYTES);
    expect(stats.peakBufferedChunks).toBeLessThanOrEqual(3);
    expect(existsSync(directory as string)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it('never blocks for memory: a producer far ahead of a consumer that does not read finishes', async () => {
    for (const fullMode of ['Wait', 'DropOldest', 'DropNewest'] as const) {
      const ch = spilling({ bufferSize: 2, fullMode }, { segmentBytes: 200 });
      await pushAll(ch, Array.from({ length: 50 }, (_, i) => item(i)));
      expect(ch.stats()).toMatchObject({ bufferedChunks: 2, onDiskChunks: 48, droppedRows: 0 });
      const directory = (await ch.spillDirectory()) as string;
      expect(readdirSync(directory).length).toBeGreaterThan(1); // rolled over into several segments
      ch.close();
      const seqs: number[] = [];
      for await (const it of ch) {
        seqs.push(it.seq);
        expect(ch.stats().bufferedChunks).toBeLessThanOrEqual(2);
      }
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(existsSync(directory)).toBe(false);
    }
  });

  it('spills once the memory byte budget is passed and keeps memory within it', async () => {
    const ch = spilling({ bufferSize: 100 }, { memoryBudgetBytes: 100 });
    const produced = Array.from({ length: 30 }, (_, i) => item(i, 30));
    await pushAll(ch, produced);
    expect(ch.stats()).toMatchObject({ bufferedChunks: 3, onDiskChunks: 27 }); // 3 × 30 bytes fit in 100
    ch.close();
    const seqs: number[] = [];
    for await (const it of ch) {
      seqs.push(it.seq);
      expect(ch.stats().bufferedChunks).toBeLessThanOrEqual(3);
    }
    expect(seqs).toEqual(produced.map((i) => i.seq));
  });

  it('round trips with a concurrent slow consumer', async () => {
    const ch = spilling({ bufferSize: 4 }, { segmentBytes: 512 });
    const produced = Array.from({ length: 300 }, (_, i) => item(i));
    const producer = pushAll(ch, produced).then(() => ch.close());
    const seqs: number[] = [];
    for await (const it of ch) {
      seqs.push(it.seq);
      expect(ch.stats().bufferedChunks).toBeLessThanOrEqual(4);
      if (it.seq % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await producer;
    expect(seqs).toEqual(produced.map((i) => i.seq));
    expect(readdirSync(root)).toEqual([]);
  });

  it('abort removes the spill files', async () => {
    const ch = spilling({ bufferSize: 1 });
    await pushAll(ch, [item(0), item(1), item(2)]);
    const directory = (await ch.spillDirectory()) as string;
    expect(existsSync(directory)).toBe(true);
    await ch.abort(new Error('run failed'));
    expect(existsSync(directory)).toBe(false);
  });
});

describe('Channel spill errors', () => {
  it('detects a corrupted frame and names the file and offset', async () => {
    const ch = spilling({ bufferSize: 1 });
    await pushAll(ch, [item(0), item(1), item(2), item(3)]);
    const directory = (await ch.spillDirectory()) as string;
    const file = join(directory, 'segment-000001.spill');
    const bytes = readFileSync(file);
    const frame = FRAME_HEADER_BYTES + codec.serialize(item(1)).byteLength;
    const offset = frame + FRAME_HEADER_BYTES + 3; // a payload byte of the second spilled frame (item 2)
    bytes[offset] = (bytes[offset] as number) ^ 0xff;
    writeFileSync(file, bytes);
    expect((await ch.next()).value?.seq).toBe(0);
    expect((await ch.next()).value?.seq).toBe(1);
    const error = await ch.next().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'FE_SPILL_CORRUPT', details: { path: file, offset: frame } });
    expect((error as Error).message).toContain(`${file} at offset ${frame}: payload checksum mismatch`);
    await ch.abort(error);
    expect(existsSync(directory)).toBe(false);
  });

  it('detects a truncated spill file', async () => {
    const ch = spilling({ bufferSize: 1 });
    await pushAll(ch, [item(0), item(1)]);
    const file = join((await ch.spillDirectory()) as string, 'segment-000001.spill');
    writeFileSync(file, readFileSync(file).subarray(0, 20));
    await ch.next();
    await expect(ch.next()).rejects.toMatchObject({ code: 'FE_SPILL_CORRUPT', message: expect.stringContaining('file truncated') });
    await ch.abort(new Error('stop'));
  });

  it('a write error (spill path under a regular file) rejects that push, names the path, and acknowledges nothing unpersisted', async () => {
    const notADirectory = join(root, 'a-file');
    writeFileSync(notADirectory, 'x');
    const spillRoot = join(notADirectory, 'spill');
    const ch = new Channel<Item>({ name: 'src→sink', bufferSize: 2, ...codec, spill: { directory: spillRoot } });
    expect(ch.push(item(0))).toBeUndefined();
    expect(ch.push(item(1))).toBeUndefined();
    const failed = ch.push(item(2));
    await expect(failed).rejects.toMatchObject({
      code: 'FE_SPILL_WRITE',
      details: { path: spillRoot, errno: expect.stringMatching(/ENOTDIR|EEXIST/) },
      message: expect.stringContaining(`cannot spill to ${spillRoot}`),
    });
    expect(ch.stats()).toMatchObject({ pushedChunks: 2, pushed: item(0).rows + item(1).rows, spilledChunks: 0 });
    ch.close();
    expect(await drain(ch)).toEqual([0, 1]);
  });

  const mountable = canMountTmpfs();
  it.skipIf(!mountable)('on a full disk (a 64 KiB tmpfs; mounting needs root), rejects the push that hit ENOSPC and delivers exactly the accepted items', async () => {
    const mountPoint = join(root, 'full');
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]);
    try {
      const ch = new Channel<Item>({ name: 'src→sink', bufferSize: 1, ...codec, spill: { directory: mountPoint } });
      let accepted = 0;
      let failure: unknown;
      for (let seq = 0; seq < 100 && failure === undefined; seq++) {
        try {
          await ch.push(item(seq, 8000));
          accepted++;
        } catch (error) {
          failure = error;
        }
      }
      expect(failure).toMatchObject({ code: 'FE_SPILL_WRITE', details: { errno: 'ENOSPC' }, message: expect.stringContaining('no space left on device') });
      expect((failure as Error).message).toContain(mountPoint);
      expect(ch.stats().pushedChunks).toBe(accepted);
      ch.close();
      expect(await drain(ch)).toEqual(Array.from({ length: accepted }, (_, i) => i));
      expect(readdirSync(mountPoint)).toEqual([]);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });

  it.skipIf(!mountable)('a spill directory that cannot be removed (a mount point) fails the cleanup with FE_SPILL_CLEANUP', async () => {
    const ch = spilling({ bufferSize: 1 });
    await pushAll(ch, [item(0), item(1)]);
    const directory = (await ch.spillDirectory()) as string;
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', directory]);
    try {
      await expect(ch.abort(new Error('stop'))).rejects.toMatchObject({
        code: 'FE_SPILL_CLEANUP', details: { path: directory }, message: expect.stringContaining(`cannot remove spill directory ${directory}`),
      });
    } finally {
      execFileSync('umount', [directory]);
    }
  });
});

function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'fe-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
