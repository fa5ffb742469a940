import { createInstanceHost, type IsolationHost } from '@flowengine/isolation';
import { attachMetrics, readPipelineSource, sampleMemory, serveMetrics, stageCountIn, startPipeline, type MemoryReport, type PipelineSource, type RunSummary } from '@flowengine/core';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { preparePipeline } from '../pipeline.js';
import { showProgress, startMonitor } from '../render/progress.js';
import { renderMemoryReport, renderSummary, summaryJson } from '../render/summary.js';
import { checkPerformance } from './performance.js';

export interface RunCommandOptions {
  readonly file: string;
  readonly profile?: string | undefined;
  readonly mode?: 'worker' | 'inline' | 'process' | undefined;
  readonly json?: boolean;
  readonly monitor?: boolean;
  readonly intervalMs?: number;
  readonly updateBaseline?: boolean;
  readonly profileMemory?: boolean;
  readonly metricsPort?: number | undefined;
  /** Progress line on a TTY; off in tests and with --json. */
  readonly progress?: boolean;
  /** SIGINT/SIGTERM handling; tests pass their own signals instead. */
  readonly handleSignals?: boolean;
}

/**
 * `flowengine run <file>`: validates, runs, prints the per-stage summary (or `--json`), compares
 * with the performance baseline. The first SIGINT/SIGTERM drains, flushes and acknowledges; a
 * second one stops at once.
 */
export async function runCommand(options: RunCommandOptions, output: Output): Promise<number> {
  const source = readPipelineSource(options.file);
  // Worker threads boot while the file is validated (a thread per stage, ~60 ms of CPU each):
  // the run then finds them ready instead of starting them all at once.
  const warmWorkers = options.mode === undefined || options.mode === 'worker' ? stageCountIn(source) : 0;
  const host = createInstanceHost({ warmWorkers });
  try {
    return await runPrepared(options, output, source, host);
  } finally {
    await host.close().catch(() => undefined);
  }
}

async function runPrepared(options: RunCommandOptions, output: Output, source: PipelineSource, host: IsolationHost): Promise<number> {
  const { loaded, plan } = await preparePipeline({ ...options, source });
  const stop = new AbortController();
  const kill = new AbortController();
  let signalExit: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalExit !== undefined) {
      output.err(`${signal} again: stopping at once`);
      kill.abort();
      return;
    }
    signalExit = signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
    output.err(`${signal}: stopping sources, draining and flushing (send it again to stop at once)`);
    stop.abort();
  };
  if (options.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  // Listen before starting: a port in use is a usage problem, reported before any instance starts.
  const metricsServer = options.metricsPort === undefined ? undefined : await serveMetrics({ port: options.metricsPort });
  if (metricsServer !== undefined) output.err(`metrics: Prometheus text at ${metricsServer.url}`);

  const running = startPipeline(plan, {
    startInstance: host.startInstance as never,
    stopSignal: stop.signal,
    killSignal: kill.signal,
    redact: (text) => loaded.redact(text),
    // The engine's metrics (attachMetrics, below) and plugins' own instruments go there.
    ...(metricsServer === undefined ? {} : { meterProvider: metricsServer.meterProvider }),
  });
  const stopProgress = options.progress === true && options.json !== true ? showProgress(running, process.stderr) : undefined;
  const stopMonitor = options.monitor === true ? startMonitor(running, (line) => output.err(line), options.intervalMs ?? 5000) : undefined;
  const metrics = metricsServer === undefined ? undefined : attachMetrics(running);
  const memory = options.profileMemory === true ? sampleMemory(running, Math.min(options.intervalMs ?? 1000, 1000)) : undefined;

  let summary: RunSummary;
  let memoryReport: MemoryReport | undefined;
  try {
    summary = await running.done;
  } finally {
    stopProgress?.();
    stopMonitor?.();
    memoryReport = memory?.stop();
    metrics?.stop();
    await metricsServer?.close();
    if (options.handleSignals !== false) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  const performance = summary.status === 'succeeded' && loaded.config.performance !== undefined
    ? checkPerformance(summary, loaded.config.performance, { update: options.updateBaseline === true })
    : undefined;

  if (options.json === true) {
    output.out(loaded.redact(JSON.stringify({
      ...summaryJson(summary),
      ...(performance === undefined ? {} : { performance }),
      ...(memoryReport === undefined ? {} : { memory: memoryReport }),
    })));
  } else {
    output.out(loaded.redact(renderSummary(summary)));
    if (memoryReport !== undefined) output.out(renderMemoryReport(memoryReport));
    if (performance !== undefined) output.out(performance.message);
  }

  if (summary.status === 'failed') return EXIT.runFailed;
  if (signalExit !== undefined) return signalExit;
  if (performance?.regressed === true && performance.failOnRegression) return EXIT.regression;
  return EXIT.ok;
}
