import type {
  Attributes, BatchObservableCallback, BatchObservableResult, Counter, Gauge, Histogram, Meter, MetricOptions, Observable,
  ObservableCallback, ObservableCounter, ObservableGauge, ObservableResult, ObservableUpDownCounter, UpDownCounter,
} from '@opentelemetry/api';

export type InstrumentKind =
  | 'counter' | 'upDownCounter' | 'histogram' | 'gauge'
  | 'observableCounter' | 'observableUpDownCounter' | 'observableGauge';

/** An instrument a plugin created, told to the host once. */
export interface InstrumentDefinition {
  readonly id: number;
  readonly kind: InstrumentKind;
  readonly name: string;
  readonly options?: MetricOptions | undefined;
}

/**
 * What one instrument did for one attribute set since the last batch: the sum of its adds
 * (counters), its recorded values (histograms), or its last value (gauges and observables).
 */
export interface MetricPoint {
  readonly id: number;
  readonly attributes: Attributes;
  readonly sum?: number;
  readonly values?: number[];
  readonly last?: number;
}

/** Plain data: it crosses threads and process boundaries with the runtime's other events. */
export interface MetricBatch {
  readonly created: readonly InstrumentDefinition[];
  readonly points: readonly MetricPoint[];
}

/** A point while it fills up, before it is sent. */
type OpenPoint = { -readonly [K in keyof MetricPoint]: MetricPoint[K] };

/** Batches ride on replies at most this often (and at every flush and close): one per chunk would cost a sink a few µs a call. */
const SEND_INTERVAL_MS = 200;
/** Observable callbacks run at most this often (and at every flush and close). */
const OBSERVE_INTERVAL_MS = 1000;

/**
 * The `ctx.meter` of a plugin instance: an OpenTelemetry Meter whose instruments record into
 * plain data that the runtime hands to the host with its replies, where the host records it into
 * the engine's meter `flowengine.<instance>` (see MetricSink). A meter from the OpenTelemetry API
 * inside a worker would record into that worker's own isolate, where nothing exports it.
 */
export class MetricRelay {
  readonly meter: Meter;
  #nextId = 1;
  #created: InstrumentDefinition[] = [];
  #points = new Map<string, OpenPoint>();
  readonly #callbacks = new Map<number, Set<ObservableCallback>>();
  readonly #batchCallbacks = new Map<BatchObservableCallback, Observable[]>();
  readonly #observableIds = new WeakMap<Observable, number>();
  #lastObserved = -Infinity;
  #lastSent = -Infinity;

  constructor() {
    const relay = this;
    const observable = (kind: InstrumentKind, name: string, options: MetricOptions | undefined): ObservableGauge & ObservableCounter & ObservableUpDownCounter => {
      const id = relay.#define(kind, name, options);
      const callbacks = new Set<ObservableCallback>();
      relay.#callbacks.set(id, callbacks);
      const instrument = {
        addCallback: (callback: ObservableCallback) => void callbacks.add(callback),
        removeCallback: (callback: ObservableCallback) => void callbacks.delete(callback),
      };
      relay.#observableIds.set(instrument, id);
      return instrument;
    };
    // Counters add to a sum; a histogram records every value, a gauge keeps the last.
    const adder = (kind: 'counter' | 'upDownCounter') => (name: string, options?: MetricOptions): Counter & UpDownCounter => {
      const id = relay.#define(kind, name, options);
      return { add: (value, attributes) => relay.#add(id, value, attributes) };
    };
    this.meter = {
      createCounter: adder('counter'),
      createUpDownCounter: adder('upDownCounter'),
      createHistogram: (name, options): Histogram => {
        const id = relay.#define('histogram', name, options);
        return { record: (value, attributes) => relay.#record(id, value, attributes) };
      },
      createGauge: (name, options): Gauge => {
        const id = relay.#define('gauge', name, options);
        return { record: (value, attributes) => relay.#set(id, value, attributes) };
      },
      createObservableCounter: (name, options) => observable('observableCounter', name, options),
      createObservableUpDownCounter: (name, options) => observable('observableUpDownCounter', name, options),
      createObservableGauge: (name, options) => observable('observableGauge', name, options),
      addBatchObservableCallback: (callback, observables) => void relay.#batchCallbacks.set(callback as BatchObservableCallback, [...observables]),
      removeBatchObservableCallback: (callback) => void relay.#batchCallbacks.delete(callback as BatchObservableCallback),
    };
  }

  /**
   * What happened since the last batch, or undefined when nothing did or the last batch of values
   * is too recent (`final` sends regardless; new instruments go at once, and do not count as a
   * batch of values: an instrument made in `open` must not hold back the first values).
   * Observable callbacks run first when `final` or a second has passed since they last ran.
   */
  take(final = false): MetricBatch | undefined {
    if (this.#nextId === 1) return undefined; // no instrument: the common case costs one compare
    const now = performance.now();
    if (!final && this.#created.length === 0 && now - this.#lastSent < SEND_INTERVAL_MS) return undefined;
    if (final || now - this.#lastObserved >= OBSERVE_INTERVAL_MS) {
      this.#lastObserved = now;
      this.#observe();
    }
    if (this.#created.length === 0 && this.#points.size === 0) return undefined;
    if (this.#points.size > 0) this.#lastSent = now;
    const batch: MetricBatch = { created: this.#created, points: [...this.#points.values()] };
    this.#created = [];
    this.#points = new Map();
    return batch;
  }

  #define(kind: InstrumentKind, name: string, options: MetricOptions | undefined): number {
    const id = this.#nextId++;
    this.#created.push(options === undefined ? { id, kind, name } : { id, kind, name, options: plainOptions(options) });
    return id;
  }

  #point(id: number, attributes: Attributes | undefined): OpenPoint {
    // Most instruments record without attributes: no key to build, no object to filter.
    const key = attributes === undefined ? `${id}|` : `${id}|${JSON.stringify(attributes)}`;
    let point = this.#points.get(key);
    if (point === undefined) this.#points.set(key, (point = { id, attributes: plainAttributes(attributes) }));
    return point;
  }

  // A value that is not a finite number is dropped, as the OpenTelemetry SDK drops it: summed, a
  // string would turn the total into text.
  #add(id: number, value: number, attributes: Attributes | undefined): void {
    if (!Number.isFinite(value)) return;
    const point = this.#point(id, attributes);
    point.sum = (point.sum ?? 0) + value;
  }

  #record(id: number, value: number, attributes: Attributes | undefined): void {
    if (!Number.isFinite(value)) return;
    (this.#point(id, attributes).values ??= []).push(value);
  }

  #set(id: number, value: number, attributes: Attributes | undefined): void {
    if (!Number.isFinite(value)) return;
    this.#point(id, attributes).last = value;
  }

  #observe(): void {
    for (const [id, callbacks] of this.#callbacks) {
      const result: ObservableResult = { observe: (value, attributes) => this.#set(id, value, attributes) };
      for (const callback of callbacks) runCallback(() => callback(result));
    }
    for (const [callback, observables] of this.#batchCallbacks) {
      const result: BatchObservableResult = {
        observe: (observable, value, attributes) => {
          const id = this.#observableIds.get(observable);
          if (id !== undefined && observables.includes(observable)) this.#set(id, value, attributes);
        },
      };
      runCallback(() => callback(result));
    }
  }
}

/** A plugin's observable callback must not break its instance: a failure only loses that observation. */
function runCallback(call: () => void | Promise<void>): void {
  try {
    void Promise.resolve(call()).catch(() => undefined);
  } catch {
    // Dropped like a failed observation in the OpenTelemetry SDK.
  }
}

/**
 * The attributes OpenTelemetry allows (strings, numbers, booleans, arrays of them); anything else
 * is left out, as the SDK leaves it out, and because a function or a symbol could not cross to the
 * host: the reply carrying it would fail to send and take the instance down.
 */
function plainAttributes(attributes: Attributes | undefined): Attributes {
  const plain: Attributes = {};
  if (attributes === undefined || attributes === null) return plain;
  for (const [key, value] of Object.entries(attributes)) {
    if (isPrimitive(value) || (Array.isArray(value) && value.every((item) => item === null || item === undefined || isPrimitive(item)))) plain[key] = value;
  }
  return plain;
}

function isPrimitive(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** MetricOptions as plain data (advice may hold arrays; functions cannot cross a thread). */
function plainOptions(options: MetricOptions): MetricOptions {
  return JSON.parse(JSON.stringify(options)) as MetricOptions;
}
