import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channel, readLog, runYaml, stage, tempDir } from './fixtures/plugins/harness.js';

const CHUNKS = 60;
const CHUNK_ROWS = 50;
const PRODUCED = CHUNKS * CHUNK_ROWS;
const BUFFER = 4;

/**
 * Overload made deterministic: the sink's first write blocks until the source has read its last
 * chunk (a file the source creates), so the source runs ahead by the whole input while exactly
 * one chunk is in the sink and the channel holds what its fullMode keeps.
 */
function overloadYaml(fullMode: 'DropOldest' | 'DropNewest' | 'Wait', dir: string, settings = ''): string {
  const done = join(dir, 'source-done');
  return `
pipeline:
  name: overload
  plugins:
    - { name: fast, type: counting-source, config: { count: ${PRODUCED}, chunkSize: ${CHUNK_ROWS}, doneFile: "${done}" } }
    - { name: slow, type: slow-sink, config: { waitForFile: "${done}", recordValues: true, log: "${join(dir, 'log.jsonl')}" } }
settings:
  channels: { default: { bufferSize: ${BUFFER}, backpressureThreshold: 50, fullMode: ${fullMode} } }
${settings}`;
}

function received(dir: string): number[] {
  return readLog(join(dir, 'log.jsonl')).filter((entry) => entry.event === 'write').flatMap((entry) => entry.values ?? []);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('executor: fullMode under overload', () => {
  it('DropNewest keeps the first chunks, drops the rest, and accounts for every row', async () => {
    const dir = tempDir();
    const { summary, openAfter } = await runYaml({ yaml: overloadYaml('DropNewest', dir) });
    expect(summary.status).toBe('succeeded');
    const edge = channel(summary, 'fast -> slow');
    // The source was not paused: it read everything although the sink took nothing until the end.
    expect(stage(summary, 'fast').rowsOut).toBe(PRODUCED);
    expect(edge.delivered + edge.droppedRows).toBe(PRODUCED);
    // One chunk in the sink, BUFFER in the channel; every later chunk found the channel full.
    expect(edge.delivered).toBe((1 + BUFFER) * CHUNK_ROWS);
    expect(received(dir)).toEqual(range(1, (1 + BUFFER) * CHUNK_ROWS));
    expect(stage(summary, 'slow')).toMatchObject({ rowsIn: edge.delivered, dropped: edge.droppedRows });
    expect(edge.peakBufferedChunks).toBeLessThanOrEqual(BUFFER);
    expect(openAfter).toBe(0);
  });

  it('DropOldest keeps the newest chunks, drops the older ones, and accounts for every row', async () => {
    const dir = tempDir();
    const { summary } = await runYaml({ yaml: overloadYaml('DropOldest', dir) });
    expect(summary.status).toBe('succeeded');
    const edge = channel(summary, 'fast -> slow');
    expect(stage(summary, 'fast').rowsOut).toBe(PRODUCED);
    expect(edge.delivered + edge.droppedRows).toBe(PRODUCED);
    expect(edge.delivered).toBe((1 + BUFFER) * CHUNK_ROWS);
    expect(received(dir)).toEqual([...range(1, CHUNK_ROWS), ...range(PRODUCED - BUFFER * CHUNK_ROWS + 1, PRODUCED)]);
    expect(stage(summary, 'slow').dropped).toBe(PRODUCED - (1 + BUFFER) * CHUNK_ROWS);
    expect(edge.peakBufferedChunks).toBeLessThanOrEqual(BUFFER);
  });

  it('Wait pauses the source at the backpressure threshold, loses nothing, and keeps the buffer bounded', async () => {
    const dir = tempDir();
    const bufferSize = 10;
    const { summary, openAfter } = await runYaml({ yaml: `
pipeline:
  name: wait
  plugins:
    - { name: fast, type: counting-source, config: { count: 4000, chunkSize: 50 } }
    - { name: slow, type: slow-sink, config: { delayMs: 15, recordValues: true, log: "${join(dir, 'log.jsonl')}" } }
settings:
  channels: { default: { bufferSize: ${bufferSize}, backpressureThreshold: 50, fullMode: Wait } }
` });
    expect(summary.status).toBe('succeeded');
    const edge = channel(summary, 'fast -> slow');
    expect(edge.droppedRows).toBe(0);
    expect(edge.delivered).toBe(4000);
    expect(received(dir)).toEqual(range(1, 4000));
    // The source waits before reading while the channel is at 50 % (5 chunks): it never filled the buffer.
    expect(edge.peakBufferedChunks).toBeLessThanOrEqual(Math.ceil(bufferSize * 0.5));
    expect(edge.peakBufferedChunks).toBeGreaterThan(0);
    expect(openAfter).toBe(0);
  });

  it('enableSpillover: the source runs ahead into spill files, and every row comes back in order', async () => {
    const dir = tempDir();
    const spill = join(dir, 'spill');
    const { summary, openAfter } = await runYaml({ yaml: overloadYaml('Wait', dir, `  isolation: { enableSpillover: true, spilloverPath: "${spill}" }\n`) });
    expect(summary.status).toBe('succeeded');
    const edge = channel(summary, 'fast -> slow');
    // Not paused (spillover absorbs it) and nothing dropped: what did not fit went to disk.
    expect(stage(summary, 'fast').rowsOut).toBe(PRODUCED);
    expect(edge.droppedRows).toBe(0);
    expect(edge.spilledChunks).toBeGreaterThanOrEqual(CHUNKS - 1 - BUFFER);
    expect(edge.delivered).toBe(PRODUCED);
    // The chunks read back from disk decode to the same values, in order.
    expect(received(dir)).toEqual(range(1, PRODUCED));
    expect(readdirSync(spill)).toEqual([]);
    expect(openAfter).toBe(0);
  });
});
