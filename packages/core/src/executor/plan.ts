import type { SourceLocation, StageKind } from '../graph/pipeline-graph.js';

export type ErrorPolicy = 'fail' | 'skip' | 'deadLetter';
export type FullMode = 'Wait' | 'DropOldest' | 'DropNewest';

export interface ChannelSettings {
  readonly bufferSize: number;
  readonly backpressureThreshold: number;
  readonly fullMode: FullMode;
}

/** Everything the executor needs to start and wire one stage; built from the validated config. */
export interface StagePlan {
  readonly name: string;
  readonly type: string;
  readonly kind: StageKind;
  readonly inputs: readonly string[];
  /** Passed to the isolation host's startInstance (inputSchema and onReject are added by the executor). */
  readonly instance: Readonly<Record<string, unknown>> & { readonly name: string };
  readonly errors: ErrorPolicy;
  /** Where rejected rows go under `errors: deadLetter` (resolved; the config loader fills the default). */
  readonly deadLetterPath?: string | undefined;
  /** Settings of the channels that feed this stage. */
  readonly channel: ChannelSettings;
  readonly where?: SourceLocation | undefined;
}

export interface ExecutionPlan {
  readonly pipeline: string;
  readonly stages: readonly StagePlan[];
  /** Set when spillover is enabled: channels overflow to files here instead of blocking or dropping. */
  readonly spill?: { readonly directory: string; readonly memoryBudgetBytes?: number | undefined } | undefined;
  /**
   * `settings.isolation.enableLazyLoading`: start transforms and sinks on their first input instead
   * of before the first chunk (`preloadPlugins`, the default). Saves workers for branches that never
   * see data; costs the start time on the first chunk.
   */
  readonly lazy?: boolean | undefined;
  /** How often sinks flush (their durable point) while data flows; they always flush at the end. */
  readonly flushIntervalMs: number;
}
