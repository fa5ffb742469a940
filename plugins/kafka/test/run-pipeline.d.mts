import type { AvailablePlugins, RunSummary } from '@flowengine/core';

/** Built-ins plus kafka-source and kafka-sink from dist/. */
export declare function kafkaPlugins(): Promise<AvailablePlugins>;
/** Loads YAML text, runs it on a real isolation host (worker threads), resolves with the summary. */
export declare function runYaml(yaml: string, options?: { cwd?: string; stopSignal?: AbortSignal; flushIntervalMs?: number; file?: string }): Promise<RunSummary>;
