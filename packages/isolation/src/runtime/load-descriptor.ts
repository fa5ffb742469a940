import { pathToFileURL } from 'node:url';
import { FlowEngineError, isPluginDescriptor } from '@flowengine/sdk';
import type { PluginDescriptor, PluginKind } from '@flowengine/sdk';

/**
 * Imports a plugin module and picks the descriptor with the wanted id: the default export first,
 * then the named exports, so one module may export several plugins.
 */
export async function loadDescriptor(modulePath: string, id: string, kind: PluginKind): Promise<PluginDescriptor> {
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(modulePath).href) as Record<string, unknown>;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new FlowEngineError('FE_PLUGIN_LOAD_FAILED', `plugin "${id}": could not import ${modulePath}: ${message}`, { details: { modulePath, id }, cause });
  }
  const candidates = [module.default, ...Object.entries(module).filter(([name]) => name !== 'default').map(([, value]) => value)];
  const descriptors = candidates.filter(isPluginDescriptor);
  const descriptor = descriptors.find((candidate) => candidate.id === id);
  if (descriptor === undefined) {
    const found = descriptors.map((candidate) => `"${candidate.id}"`).join(', ') || 'none';
    throw new FlowEngineError('FE_PLUGIN_EXPORT_NOT_FOUND',
      `${modulePath}: expected an export made by define${capitalize(kind)}({ id: "${id}" }), found descriptors: ${found}`,
      { details: { modulePath, id, found: descriptors.map((candidate) => candidate.id) } });
  }
  if (descriptor.kind !== kind) {
    throw new FlowEngineError('FE_PLUGIN_KIND_MISMATCH', `${modulePath}: plugin "${id}" is expected to be a ${kind} but is a ${descriptor.kind}`,
      { details: { modulePath, id, expected: kind, found: descriptor.kind } });
  }
  return descriptor;
}

function capitalize(text: string): string {
  return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
}
