import { fileURLToPath } from 'node:url';
import { Schema, chunkFromRows } from '@flowengine/sdk';
import type { Chunk } from '@flowengine/sdk';
import type { InstanceOptions, PluginRef } from '@flowengine/isolation';

export const fixturePackage = fileURLToPath(new URL('./fixtures/plugin-pkg', import.meta.url));
export const modulePath = `${fixturePackage}/plugins.mjs`;
export const numbers = Schema.fromDefinition({ fields: [{ name: 'n', type: 'int32' }] });

export function plugin<K extends PluginRef['kind']>(id: string, kind: K): PluginRef & { kind: K } {
  return { id, kind, modulePath, packageDir: fixturePackage, firstParty: true };
}

export function numberChunk(values: number[]): Chunk {
  return chunkFromRows(numbers, values.map((n) => [n]));
}

export function values(chunks: Chunk[], field = 'n'): unknown[] {
  const out: unknown[] = [];
  for (const chunk of chunks) for (const row of chunk.rows()) out.push(row.get(field));
  return out;
}

export function transformOptions(name: string, behaviour: string, extra: Partial<InstanceOptions> = {}): InstanceOptions & { plugin: PluginRef & { kind: 'transform' } } {
  return {
    name,
    plugin: plugin('faulty-transform', 'transform'),
    inputSchema: numbers,
    timeoutSeconds: 5,
    ...extra,
    config: { behaviour, ...(extra.config as object | undefined) },
  } as InstanceOptions & { plugin: PluginRef & { kind: 'transform' } };
}
