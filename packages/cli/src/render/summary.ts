import type { MemoryReport, RunSummary } from '@flowengine/core';
import { formatDuration, formatNumber, renderTable } from './table.js';

/** The end-of-run report: one line of outcome, then a row per stage. */
export function renderSummary(summary: RunSummary): string {
  const headline = `pipeline "${summary.pipeline}" ${summary.status} in ${formatDuration(summary.durationMs)}`;
  const table = renderTable(
    ['stage', 'type', 'rows in', 'rows out', 'dropped', 'dead-lettered', 'rows/s', 'p99 ms/chunk', 'peak heap MB'],
    summary.stages.map((stage) => [
      stage.name, stage.type, stage.rowsIn, stage.rowsOut, stage.dropped, stage.deadLettered + stage.skipped,
      stage.rowsPerSec, stage.p99ChunkMs, stage.peakHeapMB,
    ]),
  );
  const notes: string[] = [];
  for (const [instance, restarts] of Object.entries(summary.retries)) notes.push(`${instance} was restarted ${formatNumber(restarts)} time(s)`);
  const skipped = summary.stages.filter((stage) => stage.skipped > 0);
  if (skipped.length > 0) notes.push(`dead-lettered includes rows skipped under errors: skip (${skipped.map((s) => `${s.name}: ${formatNumber(s.skipped)}`).join(', ')})`);
  if (summary.error !== undefined) notes.push(`error ${summary.error.code}: ${summary.error.message}`);
  return [headline, table, ...notes].join('\n');
}

/** The `--json` shape documented in the CLI README. */
export function summaryJson(summary: RunSummary): Record<string, unknown> {
  return {
    pipeline: summary.pipeline,
    status: summary.status,
    durationMs: summary.durationMs,
    stages: summary.stages.map((stage) => ({
      name: stage.name,
      type: stage.type,
      rowsIn: stage.rowsIn,
      rowsOut: stage.rowsOut,
      dropped: stage.dropped,
      deadLettered: stage.deadLettered,
      skipped: stage.skipped,
      rowsPerSec: stage.rowsPerSec,
      p50ChunkMs: stage.p50ChunkMs,
      p99ChunkMs: stage.p99ChunkMs,
      peakHeapMB: stage.peakHeapMB,
    })),
    channels: summary.channels,
    retries: summary.retries,
    ...(summary.error === undefined ? {} : { error: summary.error }),
  };
}

/** `--profile-memory`: per instance, peaks and growth; a steady climb is flagged as a likely leak. */
export function renderMemoryReport(report: MemoryReport): string {
  const table = renderTable(
    ['instance', 'samples', 'peak heap MB', 'peak external MB', 'heap growth MB/min', 'verdict'],
    report.instances.map((instance) => [
      instance.instance, instance.samples, instance.peakHeapMB, instance.peakExternalMB, instance.heapGrowthMBPerMin,
      instance.growing ? 'GROWING: heap climbs steadily (leak?)' : 'steady',
    ]),
  );
  return `memory profile (sampled every ${report.intervalMs} ms over ${formatDuration(report.durationMs)}):\n${table}`;
}
