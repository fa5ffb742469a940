// Runs a pipeline with this plugin's BUILT module (dist/), the way an installed package runs.
// Imported by the tests, and run as a child process (`node run-pipeline.mjs pipeline.yml`) by the
// tests that kill a FlowEngine process or run two of them in one consumer group.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInstanceHost } from '@flowengine/isolation';
import { AvailablePlugins, buildExecutionPlan, loadPipelineConfig, startPipeline } from '@flowengine/core';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const modulePath = join(packageDir, 'dist', 'index.js');

/** Built-ins plus kafka-source and kafka-sink from dist/. */
export async function kafkaPlugins() {
  const module = await import(pathToFileURL(modulePath).href);
  return new AvailablePlugins([module.kafkaSource, module.kafkaSink].map((descriptor) => ({
    id: descriptor.id, kind: descriptor.kind, configSchema: descriptor.config, modulePath, packageName: '@flowengine/plugin-kafka', packageDir, firstParty: true,
  })));
}

/** Loads YAML text, runs it on a real isolation host (worker threads), resolves with the summary. */
export async function runYaml(yaml, { cwd, stopSignal, flushIntervalMs = 200, file = 'pipeline.yml' } = {}) {
  const plugins = await kafkaPlugins();
  const loaded = loadPipelineConfig({ file, text: yaml }, { plugins, env: process.env });
  const plan = buildExecutionPlan(loaded, plugins, { cwd: cwd ?? process.cwd(), flushIntervalMs });
  const host = createInstanceHost();
  const running = startPipeline(plan, { startInstance: (options) => host.startInstance(options), stopSignal });
  return running.done;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  const summary = await runYaml(readFileSync(file, 'utf8'), { cwd: dirname(file), stopSignal: stop.signal, file });
  process.stdout.write(`${JSON.stringify({ status: summary.status, error: summary.error?.message, stages: summary.stages })}\n`);
  process.exit(summary.status === 'failed' ? 1 : 0);
}
