import type { Chunk, Schema } from '@flowengine/sdk';

/**
 * The part of `@flowengine/isolation`'s instance handles the executor uses. Declared here
 * structurally so the executor can be driven by any host that keeps this contract.
 */
export interface InstanceStatsLike {
  readonly heapUsedBytes?: number;
  readonly peakHeapBytes?: number;
  readonly externalBytes?: number;
  readonly restarts?: number;
  /** Rows the instance rejected (ctx.reject), whatever the policy did with them. */
  readonly rejected?: number;
}

export interface SourceHandle {
  readonly kind: 'source';
  readonly schema: Schema;
  next(): Promise<{ chunk: Chunk; position: unknown } | null>;
  ack(position: unknown): Promise<void>;
  close(outcome?: 'succeeded' | 'stopped' | 'failed'): Promise<void>;
  stats(): InstanceStatsLike;
}

export interface TransformHandle {
  readonly kind: 'transform';
  readonly outputSchema: Schema;
  transform(chunk: Chunk): Promise<Chunk[]>;
  flush(): Promise<Chunk[]>;
  close(outcome?: 'succeeded' | 'stopped' | 'failed'): Promise<void>;
  stats(): InstanceStatsLike;
}

export interface SinkHandle {
  readonly kind: 'sink';
  write(chunk: Chunk): Promise<void>;
  flush(): Promise<void>;
  close(outcome?: 'succeeded' | 'stopped' | 'failed'): Promise<void>;
  stats(): InstanceStatsLike;
}

export type InstanceHandle = SourceHandle | TransformHandle | SinkHandle;

export interface RejectedRowLike {
  readonly record: unknown;
  readonly reason: string;
  readonly code: string;
  readonly location?: string | undefined;
}

export type StartInstance = ((options: Record<string, unknown> & {
  name: string;
  errors: string;
  inputSchema?: Schema;
  onReject: (row: RejectedRowLike) => void;
}) => Promise<InstanceHandle>) & {
  /**
   * Optional hint (the isolation host's `startInstance.prepare`): ready an instance's thread and
   * module before its input schema is known, so stages that must start one after another boot
   * side by side. startInstance with the same name then only opens it.
   */
  readonly prepare?: (options: Record<string, unknown> & { name: string }) => void;
};
