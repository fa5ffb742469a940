// Source alone: csv-source over the bench file, chunks counted and dropped.
import { Schema } from '@flowengine/sdk';
import { pluginContext } from '@flowengine/sdk/testing';
import { csvSource } from './dist/index.js';
const declared = Schema.of([
  { name: 'id', type: 'int32' }, { name: 'ts', type: 'timestamp', unit: 'ms' }, { name: 'customer', type: 'string' },
  { name: 'amount', type: 'float64' }, { name: 'note', type: 'string' }, { name: 'status', type: 'string' },
]);
const times = [];
for (let r = 0; r < Number(process.argv[2] ?? 3); r++) {
  const { ctx } = pluginContext(csvSource, { path: '/work/main/.bench/csv/orders-5000000.csv', chunkSize: 10000 }, { instanceName: 'b', spillDir: '/tmp', declaredSchema: declared });
  const t = performance.now();
  const source = await csvSource.open(ctx);
  let rows = 0;
  for await (const { chunk } of source.read()) rows += chunk.length;
  times.push(performance.now() - t);
  if (rows !== 5000000) throw new Error(`rows ${rows}`);
}
console.log('source alone ms:', times.map((t) => t.toFixed(0)).join(' '));
