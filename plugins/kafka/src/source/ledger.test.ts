import { describe, expect, it } from 'vitest';
import { AckLedger } from './ledger.js';

const at = (seq: number, partition: number, offset: number) => ({ seq, topic: 't', partition, offset: String(offset) });

describe('AckLedger', () => {
  it('commits per partition only the end of the acknowledged prefix', () => {
    const ledger = new AckLedger();
    ledger.delivered(at(1, 0, 100));
    ledger.delivered(at(2, 1, 50));
    ledger.delivered(at(3, 0, 200));
    ledger.delivered(at(4, 1, 80));
    expect(ledger.inFlight).toBe(4);
    expect(ledger.acknowledge(2)).toBe(2);
    expect(ledger.takeCommits()).toEqual([{ topic: 't', partition: 0, offset: 100n }, { topic: 't', partition: 1, offset: 50n }]);
    expect(ledger.takeCommits()).toEqual([]);
    // Chunk 4 acknowledged covers chunk 3 too (the engine skips positions a later one covers).
    expect(ledger.acknowledge(4)).toBe(2);
    expect(ledger.takeCommits()).toEqual([{ topic: 't', partition: 0, offset: 200n }, { topic: 't', partition: 1, offset: 80n }]);
    expect(ledger.inFlight).toBe(0);
  });

  it('keeps a failed commit unless a newer point arrived, and forgets a released partition', () => {
    const ledger = new AckLedger();
    ledger.delivered(at(1, 0, 10));
    ledger.delivered(at(2, 0, 20));
    ledger.delivered(at(3, 1, 5));
    ledger.acknowledge(1);
    const failed = ledger.takeCommits();
    ledger.acknowledge(2);
    ledger.restoreCommits(failed);
    expect(ledger.takeCommits()).toEqual([{ topic: 't', partition: 0, offset: 20n }]);
    expect(ledger.forget('t', 1)).toBe(1);
    expect(ledger.acknowledge(3)).toBe(0);
    expect(ledger.takeCommits()).toEqual([]);
    expect(ledger.inFlight).toBe(0);
  });
});
