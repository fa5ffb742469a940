import { Type, type Static } from '@flowengine/sdk';
import { connectionOptions } from '../client/connection.js';

/** The `config:` of a kafka-sink instance. */
export const KafkaSinkConfig = Type.Object({
  ...connectionOptions,
  topic: Type.String({ minLength: 1, description: 'Topic to write to.' }),
  key: Type.Optional(Type.String({ minLength: 1, description: 'Field whose value (as text) is the record key, so equal keys land in one partition in order. No key: records spread over partitions.' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('raw')], {
    default: 'json',
    description: '`json`: one JSON object per row; `csv`: one CSV line per row, fields in schema order; `raw`: the one string column as UTF-8 text.',
  })),
  delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 1, default: ',', description: '`csv` field separator.' })),
  maxBatchRows: Type.Optional(Type.Integer({ minimum: 1, default: 1000, description: 'Most records per produce request.' })),
  lingerMs: Type.Optional(Type.Integer({ minimum: 0, default: 5, description: 'How long a batch below `maxBatchRows` waits for more rows before it is sent.' })),
  maxQueuedBatches: Type.Optional(Type.Integer({ minimum: 1, default: 4, description: 'Full batches waiting to be sent (they go out one request at a time, in order); `write` waits when this many wait.' })),
  compression: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('gzip'), Type.Literal('snappy'), Type.Literal('lz4'), Type.Literal('zstd')], {
    default: 'none',
    description: 'Batch compression. `zstd` needs Node 22.15+ (node:zlib).',
  })),
  acks: Type.Optional(Type.Literal('all', { default: 'all', description: 'Always `all`, with the idempotent producer: a record counts as written once every in-sync replica has it, and retries never duplicate it.' })),
}, { additionalProperties: false });

export type KafkaSinkOptions = Static<typeof KafkaSinkConfig>;
