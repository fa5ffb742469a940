import { describe, expect, it } from 'vitest';
import { recordingMeter } from '../../test/helpers.js';
import { MetricSink } from './metric-sink.js';

const gauge = { id: 1, kind: 'observableGauge', name: 'queue_depth' } as const;
const counter = { id: 2, kind: 'observableCounter', name: 'records_read' } as const;

describe('MetricSink', () => {
  it('creates an instrument once per name, however many lanes and restarts report it', () => {
    const meter = recordingMeter();
    const sink = new MetricSink(meter);
    sink.apply(0, { created: [gauge, counter], points: [] });
    sink.apply(1, { created: [gauge, counter], points: [] });
    sink.laneReplaced(0);
    sink.apply(0, { created: [{ ...gauge, id: 7 }], points: [] });
    expect(meter.created).toEqual(['observableGauge queue_depth', 'observableCounter records_read']);
  });

  it('adds observable counters across lanes, and forgets what a replaced lane observed', () => {
    const meter = recordingMeter();
    const sink = new MetricSink(meter);
    sink.apply(0, { created: [gauge, counter], points: [{ id: 1, attributes: {}, last: 3 }, { id: 2, attributes: {}, last: 10 }] });
    sink.apply(1, { created: [gauge, counter], points: [{ id: 1, attributes: {}, last: 4 }, { id: 2, attributes: {}, last: 5 }] });
    expect(meter.observe()).toEqual(['queue_depth 4 {}', 'records_read 15 {}']);
    sink.laneReplaced(1);
    expect(meter.observe()).toEqual(['queue_depth 3 {}', 'records_read 10 {}']);
    // The restarted lane's runtime numbers its instruments afresh: id 1 is the counter now.
    sink.apply(1, { created: [{ ...counter, id: 1 }], points: [{ id: 1, attributes: {}, last: 2 }] });
    expect(meter.observe()).toEqual(['queue_depth 3 {}', 'records_read 12 {}']);
  });

  it('an observable gauge shows the newest report across lanes, whichever lane reported first', () => {
    const meter = recordingMeter();
    const sink = new MetricSink(meter);
    sink.apply(0, { created: [gauge], points: [{ id: 1, attributes: {}, last: 3 }] });
    sink.apply(1, { created: [gauge], points: [{ id: 1, attributes: {}, last: 4 }] });
    sink.apply(0, { created: [], points: [{ id: 1, attributes: {}, last: 5 }] });
    expect(meter.observe()).toEqual(['queue_depth 5 {}']);
  });
});
