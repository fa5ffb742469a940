import { fileURLToPath } from 'node:url';
import type { Attributes, Meter, MetricOptions, ObservableCallback } from '@opentelemetry/api';
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

/**
 * A Meter that writes down what is created and recorded on it, as text. It stands in for the
 * OpenTelemetry SDK, which this package does not depend on; core's metrics test runs the same
 * relay against the real SDK and its Prometheus exporter.
 */
export function recordingMeter(): Meter & { created: string[]; recorded: string[]; observe(): string[] } {
  const created: string[] = [];
  const recorded: string[] = [];
  const callbacks: Array<{ name: string; callback: ObservableCallback }> = [];
  const define = (kind: string, name: string, options?: MetricOptions): void => void created.push([kind, name, options?.description].filter(Boolean).join(' '));
  const write = (name: string) => (value: number, attributes: Attributes = {}) => void recorded.push(`${name} ${value} ${JSON.stringify(attributes)}`);
  const observable = (kind: string) => (name: string, options?: MetricOptions) => {
    define(kind, name, options);
    return { addCallback: (callback: ObservableCallback) => void callbacks.push({ name, callback }), removeCallback: () => undefined };
  };
  return {
    created,
    recorded,
    observe() {
      const seen: string[] = [];
      for (const { name, callback } of callbacks) void callback({ observe: (value, attributes = {}) => void seen.push(`${name} ${value} ${JSON.stringify(attributes)}`) });
      return seen;
    },
    createCounter: (name, options) => (define('counter', name, options), { add: write(name) }),
    createUpDownCounter: (name, options) => (define('upDownCounter', name, options), { add: write(name) }),
    createHistogram: (name, options) => (define('histogram', name, options), { record: write(name) }),
    createGauge: (name, options) => (define('gauge', name, options), { record: write(name) }),
    createObservableGauge: observable('observableGauge'),
    createObservableCounter: observable('observableCounter'),
    createObservableUpDownCounter: observable('observableUpDownCounter'),
    addBatchObservableCallback: () => undefined,
    removeBatchObservableCallback: () => undefined,
  };
}
