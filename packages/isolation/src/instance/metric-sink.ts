import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';
import type { InstrumentDefinition, MetricBatch, MetricPoint } from '../runtime/metric-relay.js';

type Apply = (point: MetricPoint) => void;

/**
 * The host's end of a plugin runtime's MetricRelay: recreates each instrument the plugin made on
 * `meter` (the engine's `flowengine.<instance>`, so plugin and engine metrics export together) and
 * replays what the runtime reports. One per runtime: instrument ids are a runtime's own.
 */
export class MetricSink {
  readonly #meter: Meter;
  readonly #instruments = new Map<number, Apply>();

  constructor(meter: Meter) {
    this.#meter = meter;
  }

  apply(batch: MetricBatch): void {
    for (const definition of batch.created) this.#instruments.set(definition.id, this.#create(definition));
    for (const point of batch.points) this.#instruments.get(point.id)?.(point);
  }

  #create({ kind, name, options }: InstrumentDefinition): Apply {
    const meter = this.#meter;
    switch (kind) {
      case 'counter': {
        const counter = meter.createCounter(name, options);
        return (point) => counter.add(point.sum ?? 0, point.attributes);
      }
      case 'upDownCounter': {
        const counter = meter.createUpDownCounter(name, options);
        return (point) => counter.add(point.sum ?? 0, point.attributes);
      }
      case 'histogram': {
        const histogram = meter.createHistogram(name, options);
        return (point) => {
          for (const value of point.values ?? []) histogram.record(value, point.attributes);
        };
      }
      case 'gauge': {
        const gauge = meter.createGauge(name, options);
        return (point) => {
          if (point.last !== undefined) gauge.record(point.last, point.attributes);
        };
      }
      default: {
        // Observables: the host's instrument reports the last value the runtime observed per attribute set.
        const latest = new Map<string, { attributes: Attributes; value: number }>();
        const observable = kind === 'observableCounter' ? meter.createObservableCounter(name, options)
          : kind === 'observableUpDownCounter' ? meter.createObservableUpDownCounter(name, options)
            : meter.createObservableGauge(name, options);
        observable.addCallback((result: ObservableResult) => {
          for (const { attributes, value } of latest.values()) result.observe(value, attributes);
        });
        return (point) => {
          if (point.last !== undefined) latest.set(JSON.stringify(point.attributes), { attributes: point.attributes, value: point.last });
        };
      }
    }
  }
}
