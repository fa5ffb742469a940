import { parentPort, workerData } from 'node:worker_threads';
import { loadDescriptor } from '../runtime/load-descriptor.js';
import type { PluginKind } from '@flowengine/sdk';

/**
 * Worker that loads one plugin module and reports what preload records: the config schema (plain
 * JSON Schema) and whether a transform is stateless. Loading happens here, not on the engine's
 * thread, so a module that misbehaves at import time cannot take the engine down.
 */
const { modulePath, id, kind } = workerData as { modulePath: string; id: string; kind: PluginKind };
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
