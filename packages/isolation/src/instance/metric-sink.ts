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
        // Per attribute set, the last value each lane observed. Lanes (threads: N) of one instance
        // add up for counters; a gauge shows the newest report, so a lane that reports again is
        // moved to the end of its map (a Map keeps first-insertion order otherwise).
        const observed = new Map<string, { attributes: Attributes; byLane: Map<number, number> }>();
        const observable = kind === 'observableCounter' ? meter.createObservableCounter(name, options)
          : kind === 'observableUpDownCounter' ? meter.createObservableUpDownCounter(name, options)
            : meter.createObservableGauge(name, options);
        const adds = kind !== 'observableGauge';
        observable.addCallback((result: ObservableResult) => {
          for (const { attributes, byLane } of observed.values()) {
            if (byLane.size === 0) continue;
            let value = 0;
            for (const laneValue of byLane.values()) value = adds ? value + laneValue : laneValue;
            result.observe(value, attributes);
          }
        });
        return {
          apply: (lane, point) => {
            if (point.last === undefined) return;
            const key = JSON.stringify(point.attributes);
            let entry = observed.get(key);
            if (entry === undefined) observed.set(key, (entry = { attributes: point.attributes, byLane: new Map() }));
            entry.byLane.delete(lane);
            entry.byLane.set(lane, point.last);
          },
          forgetLane: (lane) => {
            for (const { byLane } of observed.values()) byLane.delete(lane);
          },
        };
      }
    }
  }
}
