import type { ErrorCatalogue } from '@flowengine/sdk';

/**
 * Every error code `@flowengine/plugin-kafka` raises. `FE_KAFKA_DECODE` is a row error and goes
 * through the instance's `errors:` policy; the others stop the instance. The "Error codes" table
 * in README.md is kept in step with this object by `errors.test.ts`. A published code is never reused.
 */
export const KAFKA_ERRORS = {
  FE_KAFKA_CONFIG: {
    meaning: 'The options do not fit together or do not fit the declared schema (no `topics` nor `topicPattern`, a metadata column missing from the schema or of the wrong type, a `key` field that does not exist, ...).',
    fix: 'Follow the message: it names the option, what was expected and what was found.',
  },
  FE_KAFKA_SCHEMA: {
    meaning: 'A `kafka-source` has no declared `schema:`; Kafka records carry no schema, so the columns must be declared.',
    fix: 'Add `schema: { fields: [...] }` to the instance in the pipeline.',
  },
  FE_KAFKA_NO_TOPICS: {
    meaning: 'A topic in `topics` does not exist, or `topicPattern` matches no topic on the cluster.',
    fix: 'Create the topics first, or check the names / the pattern (a JavaScript regular expression matched against the whole name).',
  },
  FE_KAFKA_CONNECT: {
    meaning: 'The brokers could not be reached, or the consumer could not join its group, within the retries.',
    fix: 'Check `brokers` (host:port of the bootstrap listener), that the broker runs, and raise `retries`/`retryDelayMs` for slow starts.',
  },
  FE_KAFKA_CONSUME: {
    meaning: 'Fetching records failed after the client\'s retries (a broker went away for longer than `retries` × `retryDelayMs`, ...).',
    fix: 'Check the broker; with `restart:` set on the instance the engine re-opens the source, which resumes from the committed offsets.',
  },
  FE_KAFKA_COMMIT: {
    meaning: 'Committing acknowledged offsets failed for a reason other than a rebalance.',
    fix: 'Check the broker and the group\'s ACLs; records after the last committed offset are read again on the next start (at-least-once).',
  },
  FE_KAFKA_DECODE: {
    meaning: 'A record\'s value does not decode with `format` onto the declared schema (not JSON, wrong CSV field count, a value of the wrong type, ...); the location is `topic/partition/offset`.',
    fix: 'Fix the producer, or run with `errors: deadLetter` to keep such records aside; the source moves past them either way.',
  },
  FE_KAFKA_PRODUCE: {
    meaning: 'The broker did not acknowledge a batch of records after the producer\'s retries.',
    fix: 'Check the broker and the topic (it must exist unless the broker auto-creates topics); the run fails without acknowledging the source, so nothing is lost.',
  },
} as const satisfies ErrorCatalogue;

export type KafkaErrorCode = keyof typeof KAFKA_ERRORS;
