// Bench peer for tools/bench/chunk.mjs: touches one column of what it receives (so neither side
// can skip deserialising) and sends it straight back the same way it came.
import { parentPort } from 'node:worker_threads';
import { decodeChunk, encodeChunk } from '@flowengine/sdk';

let checksum = 0;
parentPort.on('message', (message) => {
  if (message.kind === 'rows') {
    const rows = message.rows;
    for (let i = 0; i < rows.length; i++) checksum += rows[i].amount;
    parentPort.postMessage({ kind: 'rows', rows });
    return;
  }
  const chunk = decodeChunk(message);
  const amount = chunk.columns[3].values;
  for (let i = 0; i < amount.length; i++) checksum += amount[i];
  const { message: back, transfer } = encodeChunk(chunk);
  parentPort.postMessage(back, transfer);
});
