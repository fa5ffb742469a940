import { Type, type Static } from '@flowengine/sdk';
import { connectionOptions } from '../client/connection.js';

/** Columns a record's metadata can fill, and the column types each accepts. */
export const METADATA_COLUMNS = {
  key: ['string'],
  headers: ['string'],
  timestamp: ['timestamp', 'int64'],
  topic: ['string'],
  partition: ['int32', 'int64'],
  offset: ['int64'],
} as const;

/** The `config:` of a kafka-source instance. */
export const KafkaSourceConfig = Type.Object({
  ...connectionOptions,
  topics: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Topics to read. Give this or `topicPattern`.' })),
  topicPattern: Type.Optional(Type.String({ minLength: 1, description: 'A regular expression matched against whole topic names, resolved once at open.' })),
  group: Type.String({ minLength: 1, description: 'Consumer group: processes with the same group share the partitions, and committed offsets are kept per group.' }),
  startFrom: Type.Optional(Type.Union([Type.Literal('earliest'), Type.Literal('latest'), Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0 })], {
    default: 'earliest',
    description: 'Where a partition without a committed offset starts: `earliest`, `latest`, or a time (ISO 8601 or epoch ms: the first record at or after it). Committed offsets always win.',
  })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('raw')], {
    default: 'json',
    description: '`json`: a JSON object per record, fields by name; `csv`: one CSV line, fields in schema order; `raw`: the value as UTF-8 text into the one non-metadata string column.',
  })),
  delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 1, default: ',', description: '`csv` field separator.' })),
  metadata: Type.Optional(Type.Object({
    key: Type.Optional(Type.String({ minLength: 1 })),
    headers: Type.Optional(Type.String({ minLength: 1 })),
    timestamp: Type.Optional(Type.String({ minLength: 1 })),
    topic: Type.Optional(Type.String({ minLength: 1 })),
    partition: Type.Optional(Type.String({ minLength: 1 })),
    offset: Type.Optional(Type.String({ minLength: 1 })),
  }, {
    additionalProperties: false,
    description: 'Schema columns filled from the record instead of its value: `key` (string), `headers` (string, a JSON object), `timestamp` (timestamp or int64 ms), `topic` (string), `partition` (int32), `offset` (int64).',
  })),
  stopAtEnd: Type.Optional(Type.Boolean({ default: false, description: 'End the run once every assigned partition reached the end offset it had at start (drain a topic as a batch job).' })),
  chunkSize: Type.Optional(Type.Integer({ minimum: 1, default: 5000, description: 'Most rows per chunk; a chunk holds records of one partition.' })),
  maxWaitMs: Type.Optional(Type.Integer({ minimum: 1, default: 200, description: 'How long a partly filled chunk waits for more records before it is emitted.' })),
  sessionTimeoutMs: Type.Optional(Type.Integer({ minimum: 1000, default: 10000, description: 'Group session timeout: a process silent this long loses its partitions to the others.' })),
}, { additionalProperties: false });

export type KafkaSourceOptions = Static<typeof KafkaSourceConfig>;
export type MetadataColumns = NonNullable<KafkaSourceOptions['metadata']>;
