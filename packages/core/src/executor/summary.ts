import type { FlowEngineError } from '@flowengine/sdk';
import type { StageStats } from './stage-stats.js';
import type { PipelineEdge } from './edge-channel.js';

export type RunStatus = 'succeeded' | 'failed' | 'stopped';

/** One row of the end-of-run table, and of `--json`'s `stages`. */
export interface StageSummary {
  readonly name: string;
  readonly type: string;
  readonly kind: 'source' | 'transform' | 'sink';
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly dropped: number;
  readonly deadLettered: number;
  readonly skipped: number;
  readonly rowsPerSec: number;
  /** Median and 99th percentile of the stage's per-chunk call time. */
  readonly p50ChunkMs: number;
  readonly p99ChunkMs: number;
  readonly peakHeapMB: number;
}

export interface ChannelSummary {
  readonly name: string;
  readonly delivered: number;
  readonly droppedRows: number;
  readonly peakBufferedChunks: number;
  readonly spilledChunks: number;
}

export interface RunSummary {
  readonly pipeline: string;
  readonly status: RunStatus;
  readonly durationMs: number;
  readonly stages: readonly StageSummary[];
  readonly channels: readonly ChannelSummary[];
  /** Instances that were restarted after a failure, with how many times. */
  readonly retries: Readonly<Record<string, number>>;
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

export function summarise(input: {
  pipeline: string;
  status: RunStatus;
  durationMs: number;
  stages: readonly StageStats[];
  edges: readonly PipelineEdge[];
  retries: ReadonlyMap<string, number>;
  error: FlowEngineError | undefined;
}): RunSummary {
  const seconds = Math.max(input.durationMs, 1) / 1000;
  return {
    pipeline: input.pipeline,
    status: input.status,
    durationMs: Math.round(input.durationMs),
    stages: input.stages.map((stage) => {
      const dropped = input.edges
        .filter((edge) => edge.to === stage.name)
        .reduce((sum, edge) => sum + edge.channel.stats().droppedRows, 0);
      const processed = stage.kind === 'source' ? stage.rowsOut : stage.rowsIn;
      const [p50 = 0, p99 = 0] = stage.percentiles(50, 99);
      return {
        name: stage.name,
        type: stage.type,
        kind: stage.kind,
        rowsIn: stage.rowsIn,
        rowsOut: stage.rowsOut,
        dropped,
        deadLettered: stage.deadLettered,
        skipped: stage.skipped,
        rowsPerSec: Math.round(processed / seconds),
        p50ChunkMs: round2(p50),
        p99ChunkMs: round2(p99),
        peakHeapMB: round2(stage.peakHeapBytes / 1048576),
      };
    }),
    channels: input.edges.map(({ channel }) => {
      const stats = channel.stats();
      return {
        name: channel.name,
        delivered: stats.delivered,
        droppedRows: stats.droppedRows,
        peakBufferedChunks: stats.peakBufferedChunks,
        spilledChunks: stats.spilledChunks,
      };
    }),
    retries: Object.fromEntries(input.retries),
    error: input.error === undefined ? undefined : { code: input.error.code, message: input.error.message },
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
