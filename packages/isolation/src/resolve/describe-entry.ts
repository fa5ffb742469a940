import { parentPort, workerData } from 'node:worker_threads';
import { loadDescriptor } from '../runtime/load-descriptor.js';
import type { PluginKind } from '@flowengine/sdk';

/**
 * Worker that loads plugin modules one after another and reports, per plugin and in order, what
 * preload records: the config schema (plain JSON Schema) and whether a transform is stateless.
 * Loading happens here, not on the engine's thread, so a module that misbehaves at import time
 * cannot take the engine down; one worker serves the whole list, so the SDK loads once.
 */
const { plugins } = workerData as { plugins: ReadonlyArray<{ modulePath: string; id: string; kind: PluginKind }> };
for (const { modulePath, id, kind } of plugins) {
  try {
    const descriptor = await loadDescriptor(modulePath, id, kind);
    parentPort?.postMessage({
      ok: true,
      configSchema: JSON.parse(JSON.stringify(descriptor.config)) as unknown,
      sdk: descriptor.sdk,
      stateless: descriptor.kind === 'transform' ? descriptor.stateless : false,
    });
  } catch (error) {
    const { FlowEngineError } = await import('@flowengine/sdk');
    parentPort?.postMessage({ ok: false, error: FlowEngineError.from(error).toData() });
  }
}
