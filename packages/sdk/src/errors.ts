import type { ErrorCatalogue } from './errors/catalogue.js';

/**
 * Every error code `@flowengine/sdk` raises. The table under "Error codes" in README.md is kept
 * in step with this object by `errors.test.ts`. A published code is never reused for something else.
 */
export const SDK_ERRORS = {
  FE_SCHEMA_INVALID: {
    meaning: 'A schema definition is not of the shape `{ fields: [{ name, type, nullable? }] }`.',
    fix: 'Give `fields` as a non-empty list of objects with a string `name` and a known `type`.',
  },
  FE_SCHEMA_UNKNOWN_TYPE: {
    meaning: 'A field names a type FlowEngine does not know.',
    fix: 'Use one of int32, int64, float64, bool, string, timestamp.',
  },
  FE_SCHEMA_DUPLICATE_FIELD: {
    meaning: 'Two fields of one schema share a name.',
    fix: 'Rename or remove one of them; field names are unique within a schema.',
  },
  FE_SCHEMA_UNKNOWN_FIELD: {
    meaning: 'A field was asked for by a name the schema does not have.',
    fix: 'Check the spelling against the schema; the message lists the fields it has.',
  },
  FE_CHUNK_TYPE_MISMATCH: {
    meaning: 'A value of the wrong type was appended to a column.',
    fix: 'Convert the value to the column type before appending (or `cast` it in the pipeline).',
  },
  FE_CHUNK_NULL_IN_NON_NULLABLE: {
    meaning: 'A null was appended to a field declared `nullable: false`.',
    fix: 'Declare the field nullable, or filter or default the null out upstream.',
  },
  FE_CHUNK_INVALID_BUFFER: {
    meaning: 'A chunk message could not be decoded: its buffer is detached, truncated or of another layout version.',
    fix: 'Decode a chunk once, on the side it was transferred to; a bug report helps if it persists.',
  },
  FE_CHUNK_LENGTH_MISMATCH: {
    meaning: 'Whole columns appended to a builder have different lengths, or a row has the wrong number of values.',
    fix: 'Append the same number of values to every column.',
  },
  FE_CHUNK_OUT_OF_RANGE: {
    meaning: 'A row or column index outside the chunk (or builder) was asked for, or a row view was read before pointing it at a chunk.',
    fix: 'Use an index in [0, length); the message gives the valid range.',
  },
  FE_CHUNK_TOO_LARGE: {
    meaning: 'A string column of one chunk would exceed 2 GiB of UTF-8 (Arrow int32 offsets).',
    fix: 'Finish chunks earlier (a smaller `chunkSize`).',
  },
  FE_CHUNK_POOL_INVALID: {
    meaning: 'A memory pool was given sizes that are not integers with 0 <= initialSize <= maxSize.',
    fix: 'Fix `settings.memoryPools.<pool>.initialSize` / `maxSize`.',
  },
  FE_PLUGIN_UNCAUGHT: {
    meaning: 'A plugin threw something that is not a FlowEngineError (a plain Error, a string...); the original is the `cause`.',
    fix: 'Read the cause and its stack; plugin authors: throw FlowEngineError with a specific code for failures users can fix.',
  },
  FE_PLUGIN_DEFINITION_INVALID: {
    meaning: 'defineSource/defineTransform/defineSink was given a spec without a valid id, TypeBox config or lifecycle functions.',
    fix: 'Give `id` (lower-case words joined by dashes), `config` (a TypeBox schema) and the functions the message lists.',
  },
  FE_PLUGIN_CONFIG_INVALID: {
    meaning: 'An instance config does not match the plugin\'s TypeBox config schema; every problem is listed with its path.',
    fix: 'Fix the listed keys under the instance\'s `config:`; `flowengine plugins info <id>` shows the schema.',
  },
  FE_PLUGIN_MANIFEST_MISSING: {
    meaning: 'A package has no package.json or no `"flowengine"` block, so it does not declare any plugins.',
    fix: 'Add `"flowengine": { "sdk": "^0.1.0", "plugins": [{ "id", "kind", "entry" }] }` and the keyword `flowengine-plugin`.',
  },
  FE_PLUGIN_MANIFEST_INVALID: {
    meaning: 'A plugin package\'s `"flowengine"` block or keywords are malformed; every problem is listed.',
    fix: 'Fix the listed fields of package.json (each plugin needs a unique id, a kind and an entry inside the package).',
  },
  FE_TESTING_COMPLIANCE: {
    meaning: 'A plugin broke the lifecycle contract in an `assert*Compliance` check of `@flowengine/sdk/testing`.',
    fix: 'The message names the rule (output schema, honours abort, ack semantics, close after error, no output after close) and the cause; fix the plugin.',
  },
  FE_TESTING_HOST_MISSING: {
    meaning: '`@flowengine/sdk/testing` could not import `@flowengine/isolation`, the host it runs plugins in (or it has no `startInstance`).',
    fix: 'Install it next to the SDK as a dev dependency: `npm install -D @flowengine/isolation`.',
  },
  FE_TESTING_PLUGIN_NOT_FOUND: {
    meaning: '`runPlugin` was given a package directory whose manifest does not declare the plugin id asked for.',
    fix: 'Use one of the ids the message lists, or add the plugin to the package\'s `"flowengine".plugins`.',
  },
} as const satisfies ErrorCatalogue;

export type SdkErrorCode = keyof typeof SDK_ERRORS;
