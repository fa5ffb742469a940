import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';
import type { InstrumentDefinition, MetricBatch, MetricPoint } from '../runtime/metric-relay.js';

type Apply = (lane: number, point: MetricPoint) => void;

interface HostInstrument {
  readonly apply: Apply;
  /** Observables: forget what a lane observed (its runtime was replaced). */
  readonly forgetLane?: (lane: number) => void;
}

/**
 * The host's end of an instance's MetricRelays (one per lane): creates each instrument the plugin
 * makes on `meter` (the engine's `flowengine.<instance>`, so plugin and engine metrics export
 * together) once, by kind and name, and replays what the runtimes report. Instrument ids are a
 * runtime's own, so they are mapped per lane, and a restarted lane starts its map afresh.
 */
export class MetricSink {
  readonly #meter: Meter;
  readonly #byName = new Map<string, HostInstrument>();
  readonly #byLane = new Map<number, Map<number, HostInstrument>>();

  constructor(meter: Meter) {
    this.#meter = meter;
  }

  apply(lane: number, batch: MetricBatch): void {
    let ids = this.#byLane.get(lane);
    if (ids === undefined) this.#byLane.set(lane, (ids = new Map()));
    for (const definition of batch.created) {
      const key = `${definition.kind}|${definition.name}`;
      let instrument = this.#byName.get(key);
      if (instrument === undefined) this.#byName.set(key, (instrument = this.#create(definition)));
      ids.set(definition.id, instrument);
    }
    for (const point of batch.points) ids.get(point.id)?.apply(lane, point);
  }

  /** A lane's runtime was replaced (restart): its ids mean nothing now, and its observations end. */
  laneReplaced(lane: number): void {
    this.#byLane.delete(lane);
    for (const instrument of this.#byName.values()) instrument.forgetLane?.(lane);
  }

  #create({ kind, name, options }: InstrumentDefinition): HostInstrument {
    const meter = this.#meter;
    switch (kind) {
      case 'counter':
      case 'upDownCounter': {
        const counter = kind === 'counter' ? meter.createCounter(name, options) : meter.createUpDownCounter(name, options);
        return { apply: (_, point) => counter.add(point.sum ?? 0, point.attributes) };
      }
      case 'histogram': {
        const histogram = meter.createHistogram(name, options);
        return {
          apply: (_, point) => {
            for (const value of point.values ?? []) histogram.record(value, point.attributes);
          },
        };
      }
      case 'gauge': {
        const gauge = meter.createGauge(name, options);
        return {
          apply: (_, point) => {
            if (point.last !== undefined) gauge.record(point.last, point.attributes);
          },
        };
      }
      default: {
        // Observables report the last value each lane observed per attribute set.
        const latest = new Map<string, { lane: number; attributes: Attributes; value: number }>();
        const observable = kind === 'observableCounter' ? meter.createObservableCounter(name, options)
          : kind === 'observableUpDownCounter' ? meter.createObservableUpDownCounter(name, options)
            : meter.createObservableGauge(name, options);
        // Lanes (threads: N) of one instance add up for counters; a gauge shows the latest.
        const adds = kind !== 'observableGauge';
        observable.addCallback((result: ObservableResult) => {
          const merged = new Map<string, { attributes: Attributes; value: number }>();
          for (const [key, { attributes, value }] of latest) {
            const attributesKey = key.slice(key.indexOf('|') + 1);
            const seen = merged.get(attributesKey);
            merged.set(attributesKey, { attributes, value: seen !== undefined && adds ? seen.value + value : value });
          }
          for (const { attributes, value } of merged.values()) result.observe(value, attributes);
        });
        return {
          apply: (lane, point) => {
            if (point.last !== undefined) latest.set(`${lane}|${JSON.stringify(point.attributes)}`, { lane, attributes: point.attributes, value: point.last });
          },
          forgetLane: (lane) => {
            for (const [key, entry] of latest) if (entry.lane === lane) latest.delete(key);
          },
        };
      }
    }
  }
}
