import type { RunningPipeline } from '../executor/run-pipeline.js';
import { readInstanceStats } from './instance-stats.js';

const MB = 1024 * 1024;

/** One instance's memory over the run, from its isolation host's samples. */
export interface InstanceMemoryReport {
  readonly instance: string;
  readonly samples: number;
  readonly peakHeapMB: number;
  readonly peakExternalMB: number;
  readonly firstHeapMB: number;
  readonly lastHeapMB: number;
  /** Least-squares slope of heap in use over time, MB per minute. */
  readonly heapGrowthMBPerMin: number;
  readonly externalGrowthMBPerMin: number;
  /**
   * The heap grew steadily: slope ≥ the threshold, the fitted growth over the window ≥ `minGrowthMB`,
   * and the line explains most of the variation.
   */
  readonly growing: boolean;
}

export interface MemoryReport {
  readonly intervalMs: number;
  readonly durationMs: number;
  readonly instances: readonly InstanceMemoryReport[];
}

export interface MemorySamplerOptions {
  /** Slope at or above which heap growth is reported as `growing`. Default 5 MB/min. */
  readonly growthThresholdMBPerMin?: number | undefined;
  /**
   * Minimum R² of the linear fit for `growing`: a leak climbs steadily, while a heap that merely
   * saw-tooths between collections does not fit a line. Default 0.5.
   */
  readonly minFit?: number | undefined;
  /**
   * Least growth (fitted slope × sampled time) for `growing`. Default 10 MB: a fresh worker's heap
   * climbs a megabyte or two before its first collection, which over a short run is a steep slope
   * but no leak.
   */
  readonly minGrowthMB?: number | undefined;
}

export interface MemorySampler {
  /** The report so far (samples keep being taken). */
  report(): MemoryReport;
  /** Stops sampling and returns the final report. */
  stop(): MemoryReport;
}

interface Series {
  readonly t: number[];
  readonly heap: number[];
  readonly external: number[];
}

/**
 * `--profile-memory`: samples each instance's heap and external memory every `intervalMs`
 * (from `handle.stats()`, which the isolation host refreshes after every call and on its own
 * timer) and reports peaks and growth. A leak shows as a steady slope.
 */
export function sampleMemory(running: RunningPipeline, intervalMs: number, options: MemorySamplerOptions = {}): MemorySampler {
  const threshold = options.growthThresholdMBPerMin ?? 5;
  const minFit = options.minFit ?? 0.5;
  const minGrowthMB = options.minGrowthMB ?? 10;
  const series = new Map<string, Series>();
  const started = performance.now();
  let ended: number | undefined;

  const sample = (): void => {
    const now = performance.now() - started;
    for (const [name, handle] of running.handles) {
      const stats = readInstanceStats(handle);
      if (stats?.heapUsedBytes === undefined) continue;
      let entry = series.get(name);
      if (entry === undefined) {
        entry = { t: [], heap: [], external: [] };
        series.set(name, entry);
      }
      entry.t.push(now);
      entry.heap.push(stats.heapUsedBytes);
      entry.external.push(stats.externalBytes ?? 0);
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();

  const report = (): MemoryReport => ({
    intervalMs,
    durationMs: Math.round((ended ?? performance.now()) - started),
    instances: [...series].map(([instance, { t, heap, external }]) => {
      const heapFit = linearFit(t, heap);
      const heapGrowth = (heapFit.slope * 60_000) / MB;
      const fittedGrowthMB = (heapFit.slope * ((t.at(-1) as number) - (t[0] as number))) / MB;
      return {
        instance,
        samples: t.length,
        peakHeapMB: round2(Math.max(...heap) / MB),
        peakExternalMB: round2(Math.max(...external) / MB),
        firstHeapMB: round2((heap[0] as number) / MB),
        lastHeapMB: round2((heap.at(-1) as number) / MB),
        heapGrowthMBPerMin: round2(heapGrowth),
        externalGrowthMBPerMin: round2((linearFit(t, external).slope * 60_000) / MB),
        growing: t.length >= 3 && heapGrowth >= threshold && fittedGrowthMB >= minGrowthMB && heapFit.r2 >= minFit,
      };
    }),
  });

  return {
    report,
    stop() {
      if (ended === undefined) {
        clearInterval(timer);
        sample();
        ended = performance.now();
      }
      return report();
    },
  };
}

/** Ordinary least squares of y on x: slope per unit of x and the coefficient of determination. */
export function linearFit(x: readonly number[], y: readonly number[]): { slope: number; r2: number } {
  const n = x.length;
  if (n < 2) return { slope: 0, r2: 0 };
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i] as number;
    sy += y[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return { slope: 0, r2: 0 };
  const slope = sxy / sxx;
  return { slope, r2: syy === 0 ? 0 : (sxy * sxy) / (sxx * syy) };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
