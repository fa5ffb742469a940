import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FlowEngineError } from '@flowengine/sdk';
import type { PerformanceConfig, RunSummary } from '@flowengine/core';

/** What `pipeline.performance` stores: the throughput a later run is compared with. */
interface Baseline {
  readonly pipeline: string;
  readonly rowsPerSec: number;
  readonly durationMs: number;
  readonly recordedAt: string;
}

export interface PerformanceResult {
  readonly baselineFile: string;
  readonly rowsPerSec: number;
  readonly baselineRowsPerSec?: number;
  /** Positive when slower than the baseline. */
  readonly regressionPercent?: number;
  readonly regressed: boolean;
  readonly failOnRegression: boolean;
  readonly message: string;
}

/** Throughput of a run: rows its sources read per second of wall time. */
export function runRowsPerSec(summary: RunSummary): number {
  const rows = summary.stages.filter((stage) => stage.kind === 'source').reduce((sum, stage) => sum + stage.rowsOut, 0);
  return Math.round(rows / Math.max(summary.durationMs / 1000, 0.001));
}

/**
 * Compares the run with the baseline file (`pipeline.performance`), or writes it with
 * `--update-baseline`. A missing baseline is not a failure: the message says how to record one.
 */
export function checkPerformance(summary: RunSummary, config: PerformanceConfig, options: { update: boolean; cwd?: string }): PerformanceResult {
  const file = resolve(options.cwd ?? process.cwd(), config.baselineFile);
  const rowsPerSec = runRowsPerSec(summary);
  const base = { baselineFile: file, rowsPerSec, failOnRegression: config.failOnRegression };
  if (options.update) {
    const baseline: Baseline = { pipeline: summary.pipeline, rowsPerSec, durationMs: summary.durationMs, recordedAt: new Date().toISOString() };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
    return { ...base, regressed: false, message: `performance: baseline ${file} updated to ${rowsPerSec.toLocaleString('en-US')} rows/s` };
  }
  if (!existsSync(file)) {
    return { ...base, regressed: false, message: `performance: no baseline at ${file} yet; run with --update-baseline to record this run (${rowsPerSec.toLocaleString('en-US')} rows/s)` };
  }
  const baseline = readBaseline(file);
  const regressionPercent = Math.round(((baseline.rowsPerSec - rowsPerSec) / baseline.rowsPerSec) * 1000) / 10;
  const regressed = regressionPercent > config.maxRegressionPercent;
  const verdict = regressed
    ? `REGRESSION: ${regressionPercent}% slower than the baseline (limit ${config.maxRegressionPercent}%)`
    : regressionPercent > 0 ? `${regressionPercent}% slower than the baseline, within the ${config.maxRegressionPercent}% limit` : `${-regressionPercent}% faster than the baseline`;
  return {
    ...base,
    baselineRowsPerSec: baseline.rowsPerSec,
    regressionPercent,
    regressed,
    message: `performance: ${rowsPerSec.toLocaleString('en-US')} rows/s vs baseline ${baseline.rowsPerSec.toLocaleString('en-US')} rows/s: ${verdict}`,
  };
}

function readBaseline(file: string): Baseline {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new FlowEngineError('FE_CLI_BASELINE_INVALID', `${file}: expected a JSON baseline written by --update-baseline, found unreadable content`, { cause });
  }
  const rowsPerSec = (parsed as { rowsPerSec?: unknown }).rowsPerSec;
  if (typeof rowsPerSec !== 'number' || !(rowsPerSec > 0)) {
    throw new FlowEngineError('FE_CLI_BASELINE_INVALID', `${file}: expected "rowsPerSec" to be a positive number, found ${JSON.stringify(rowsPerSec)}; re-record it with --update-baseline`);
  }
  return parsed as Baseline;
}
