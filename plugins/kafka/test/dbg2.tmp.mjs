import { Producer, ProduceAcks } from '@platformatic/kafka';
const which = process.argv[2];
const p = new Producer({ clientId: 'x', bootstrapBrokers: [which === 'connect' ? '127.0.0.1:9' : '127.0.0.1:42719'], retries: 1, retryDelay: 100, idempotent: true, acks: ProduceAcks.ALL });
const t0 = Date.now();
try {
  if (which === 'connect') await p.initIdempotentProducer({});
  else await p.send({ messages: [{ topic: 'missing-' + Date.now(), value: Buffer.from('x') }] });
  console.log('ok', Date.now() - t0);
} catch (e) { console.log('err', Date.now() - t0, e.message, e.errors?.[0]?.message); }
await p.close(true);
