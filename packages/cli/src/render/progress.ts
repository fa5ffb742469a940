import type { RunningPipeline } from '@flowengine/core';
import { formatDuration, formatNumber } from './table.js';

/** Rows read by the sources so far: what the live progress line counts. */
function rowsRead(running: RunningPipeline): number {
  let rows = 0;
  for (const stage of running.stats.values()) if (stage.kind === 'source') rows += stage.rowsOut;
  return rows;
}

/**
 * A one-line live progress report on a TTY (rewritten in place, on stderr so stdout stays
 * clean for `--json` and console-sink output). Returns a function that clears it.
 */
export function showProgress(running: RunningPipeline, stream: NodeJS.WriteStream, intervalMs = 250): () => void {
  const draw = (): void => {
    const elapsed = performance.now() - running.startedAt;
    const rows = rowsRead(running);
    const rate = rows / Math.max(elapsed / 1000, 0.001);
    stream.write(`\r\x1b[2K${formatNumber(rows)} rows  ${formatNumber(Math.round(rate))} rows/s  ${formatDuration(elapsed)}`);
  };
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  };
}

/** `--monitor`: every interval, one line per stage and per channel, appended (good in logs too). */
export function startMonitor(running: RunningPipeline, write: (line: string) => void, intervalMs: number): () => void {
  let previous = new Map<string, number>();
  let last = performance.now();
  const report = (): void => {
    const now = performance.now();
    const seconds = Math.max((now - last) / 1000, 0.001);
    const current = new Map<string, number>();
    const lines = [`[monitor] ${formatDuration(now - running.startedAt)}`];
    for (const stage of running.stats.values()) {
      const processed = stage.kind === 'source' ? stage.rowsOut : stage.rowsIn;
      current.set(stage.name, processed);
      const rate = (processed - (previous.get(stage.name) ?? 0)) / seconds;
      const handle = running.handles.get(stage.name);
      const heap = handle === undefined ? 0 : (handle.stats().heapUsedBytes ?? 0) / 1048576;
      lines.push(`  stage ${stage.name}: in ${formatNumber(stage.rowsIn)} out ${formatNumber(stage.rowsOut)} ${formatNumber(Math.round(rate))} rows/s heap ${heap.toFixed(1)} MB`);
    }
    for (const { channel } of running.edges) {
      const stats = channel.stats();
      lines.push(`  channel ${channel.name}: ${(stats.utilization * 100).toFixed(0)}% full (${stats.bufferedChunks} chunks), dropped ${formatNumber(stats.droppedRows)} rows, spilled ${stats.spilledChunks} chunks`);
    }
    write(lines.join('\n'));
    previous = current;
    last = now;
  };
  const timer = setInterval(report, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
