import { createInstanceHost } from '@flowengine/isolation';
import { runPipeline, type RunSummary } from '@flowengine/core';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { preparePipeline } from '../pipeline.js';
import { renderTable } from '../render/table.js';
import { runRowsPerSec } from './performance.js';

/** `flowengine bench <file> [-n 5]`: runs the pipeline n times and reports medians. */
export async function benchCommand(options: { file: string; runs: number; profile?: string | undefined; mode?: 'worker' | 'inline' | 'process' | undefined; json?: boolean }, output: Output): Promise<number> {
  const summaries: RunSummary[] = [];
  for (let i = 0; i < options.runs; i++) {
    const { plan } = await preparePipeline(options);
    const host = createInstanceHost();
    try {
      const summary = await runPipeline(plan, { startInstance: host.startInstance as never });
      if (summary.status !== 'succeeded') {
        output.err(`run ${i + 1} ${summary.status}: ${summary.error?.code ?? ''} ${summary.error?.message ?? ''}`);
        return EXIT.runFailed;
      }
      summaries.push(summary);
    } finally {
      await host.close().catch(() => undefined);
    }
  }
  const rates = summaries.map(runRowsPerSec);
  const durations = summaries.map((summary) => summary.durationMs);
  const result = { pipeline: summaries[0]?.pipeline, runs: options.runs, medianRowsPerSec: median(rates), medianDurationMs: median(durations), rowsPerSec: rates, durationsMs: durations };
  if (options.json === true) output.out(JSON.stringify(result));
  else {
    output.out(renderTable(['run', 'duration ms', 'rows/s'], summaries.map((_, i) => [String(i + 1), durations[i] as number, rates[i] as number])));
    output.out(`median of ${options.runs}: ${result.medianRowsPerSec.toLocaleString('en-US')} rows/s, ${result.medianDurationMs.toLocaleString('en-US')} ms`);
  }
  return EXIT.ok;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
