import { describe, expect, it } from 'vitest';
import { runYaml } from './run-pipeline.mjs';
import { BROKERS, SKIP_REASON, committed, copyPipeline, copyTopics, orders, produce, readAll, tally, tempDir } from './kafka.js';

describe.skipIf(BROKERS === undefined)(`kafka-source → kafka-sink on a real broker${BROKERS === undefined ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  it('copies N keyed records to the sink topic: same count, same checksum, keys kept, offsets committed', async () => {
    const { source, sink, group } = await copyTopics('orders', 3);
    const n = 3000;
    await produce(source, orders(n));

    const summary = await runYaml(copyPipeline({ source, sink, group, extraSource: ', stopAtEnd: true' }), { cwd: tempDir() });
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');

    const out = await readAll(sink);
    expect(tally(out)).toEqual({ count: n, distinct: n, sum: (n * (n + 1)) / 2, duplicates: 0 });
    for (const record of out.slice(0, 50)) expect(record.key).toBe(`k${(JSON.parse(record.value) as { id: number }).id}`);
    // Every record read was acknowledged and committed: a second run of the group reads nothing.
    const offsets = await committed(group, source);
    expect(offsets.reduce((a, b) => a + b, 0n)).toBe(BigInt(n));
  });
});
