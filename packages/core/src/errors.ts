import type { ErrorCatalogue } from '@flowengine/sdk';

/**
 * Every error code `@flowengine/core` raises. The table under "Error codes" in README.md is kept in
 * step with this object by `test/errors.test.ts`. A published code is never reused for something else.
 *
 * The `FE_CONFIG_*` codes other than `FE_CONFIG_INVALID` and `FE_CONFIG_READ_FAILED` are problem
 * codes: they appear in `details.problems[].code` of one `FE_CONFIG_INVALID` error, so a file with
 * ten mistakes is reported once, with all ten.
 */
export const CORE_ERRORS = {
  FE_CONFIG_INVALID: {
    meaning: 'The pipeline file has one or more problems; `details.problems` lists each with file, line, column, path and code.',
    fix: 'Fix every problem listed (each line reads `file:line:col: message`), then run `flowengine validate <file>` again.',
  },
  FE_CONFIG_READ_FAILED: {
    meaning: 'The pipeline file could not be read (missing, a directory, no permission).',
    fix: 'Check the path and its permissions; paths are relative to the working directory.',
  },
  FE_CONFIG_YAML_SYNTAX: {
    meaning: 'The file is not well-formed YAML (unclosed quote or bracket, bad indentation, duplicate key, tab indentation).',
    fix: 'Correct the YAML at the position given; nothing else is checked until the file parses.',
  },
  FE_CONFIG_UNKNOWN_KEY: {
    meaning: 'A key is not an option at that place in the file (or in that plugin\'s config).',
    fix: 'Use the key suggested by "did you mean", or remove it; `flowengine schema` lists every option.',
  },
  FE_CONFIG_MISSING_KEY: {
    meaning: 'A required key is absent (for example a plugin without `name` or `type`).',
    fix: 'Add the key named in the message.',
  },
  FE_CONFIG_WRONG_VALUE: {
    meaning: 'A value has the wrong type, is out of range, or is not one of the allowed values.',
    fix: 'Give a value of the expected type and range; the message says what was expected and what was found.',
  },
  FE_CONFIG_UNKNOWN_PLUGIN: {
    meaning: 'A plugin `type` is not installed (nor built in).',
    fix: 'Use one of the installed plugin ids the message lists (closest first), or install the package that provides it.',
  },
  FE_CONFIG_DUPLICATE_NAME: {
    meaning: 'Two plugin instances (or two fields of one schema) share a name.',
    fix: 'Give each plugin instance a unique `name`.',
  },
  FE_CONFIG_UNKNOWN_INPUT: {
    meaning: 'An `input` names a plugin instance the pipeline does not have.',
    fix: 'Name an instance listed under `pipeline.plugins` (the message lists them, closest first).',
  },
  FE_CONFIG_UNKNOWN_CHANNEL: {
    meaning: 'A plugin\'s `channel` names a channel profile not defined under `settings.channels`.',
    fix: 'Define the channel under `settings.channels`, or use one of the names the message lists.',
  },
  FE_CONFIG_ENV_UNSET: {
    meaning: 'A value reads an environment variable with `${VAR}` that is not set, and gives no default.',
    fix: 'Set the variable, or write `${VAR:-default}`; write `$${` for a literal `${`.',
  },
  FE_CONFIG_UNKNOWN_PROFILE: {
    meaning: 'The profile asked for (`--profile NAME`) is not defined under `profiles:`.',
    fix: 'Use one of the profiles the message lists, or add it under `profiles:`.',
  },
  FE_CONFIG_CONFLICT: {
    meaning: 'Two places in the file say the same thing (e.g. `channels:` at the top level and under `settings:`, or `threads` and `parallelism`).',
    fix: 'Keep one of the two; the message names both positions.',
  },
  FE_CHANNEL_OPTIONS: {
    meaning: 'A channel was built with invalid options (bufferSize below 1, backpressureThreshold outside (0, 100], unknown fullMode, spill without serialize/deserialize).',
    fix: 'Correct the channel settings named in the message (`settings.channels.<name>`).',
  },
  FE_CHANNEL_CLOSED: {
    meaning: 'An item was pushed into a channel after its producer closed it.',
    fix: 'A bug in the stage or executor: stop pushing once the channel is closed; please report it.',
  },
  FE_CHANNEL_ABORTED: {
    meaning: 'A channel was aborted (its consumer stopped reading, or the run failed); waiting pushes and reads fail with this.',
    fix: 'Look at the cause or the first error of the run; this one follows from it.',
  },
  FE_SPILL_WRITE: {
    meaning: 'A chunk could not be written to the spill directory (disk full, no permission, not a directory); that chunk was not accepted.',
    fix: 'Free disk space or make `settings.isolation.spilloverPath` a writable directory on a larger disk; the message names the path and the cause.',
  },
  FE_SPILL_CORRUPT: {
    meaning: 'A spilled frame could not be read back intact: the read failed, or its magic, length or CRC32 checksum does not match what was written.',
    fix: 'The disk or another process altered the spill file; check the disk, then rerun. The message names the file and offset.',
  },
  FE_SPILL_CLEANUP: {
    meaning: 'A channel\'s spill directory could not be removed at the end of the run.',
    fix: 'Remove the directory named in the message by hand and check its permissions.',
  },
  FE_EXPR_SYNTAX: {
    meaning: 'A filter/select expression is not well-formed (unexpected token, unclosed parenthesis or quote, integer literal beyond int64); `details` gives `offset`, `line`, `column` and a caret `excerpt`.',
    fix: 'Correct the expression at the column given; strings use single quotes, names with spaces use backquotes.',
  },
  FE_EXPR_UNKNOWN_COLUMN: {
    meaning: 'An expression (or a `select` source) names a column the input schema does not have.',
    fix: 'Use the column suggested by "did you mean" or one listed in the message; names are case-sensitive.',
  },
  FE_EXPR_UNKNOWN_FUNCTION: {
    meaning: 'An expression calls a function the language does not have.',
    fix: 'Use one of the functions listed in the message (lower, upper, trim, length, concat, starts_with, ends_with, contains, substr, coalesce, abs, round, floor, ceil, if).',
  },
  FE_EXPR_TYPE: {
    meaning: "An operator or function got a value of the wrong type (e.g. `'a' + 1`), a function got the wrong number of arguments, or a `where` condition is not bool.",
    fix: 'Compare and combine values of one kind; the message says which type was expected and which was found, at which column.',
  },
  FE_EXPR_SCHEMA_MISMATCH: {
    meaning: 'A compiled expression was run on a chunk whose schema differs from the one it was compiled for.',
    fix: 'Compile the expression for the schema of the chunks it runs on (the engine does this per input schema); a bug report helps if the engine did it.',
  },
  FE_EXPR_DUPLICATE_OUTPUT: {
    meaning: 'Two `select` output columns have the same name.',
    fix: 'Give every output column a unique name.',
  },
  FE_METRICS_LISTEN: {
    meaning: 'The Prometheus metrics endpoint could not listen on the host and port asked for (port in use, no permission, unknown host).',
    fix: 'Pick a free port with `--metrics-port` (0 picks any free port) or stop what holds it; the message names host, port and the system error.',
  },
  FE_GRAPH_INVALID: {
    meaning: "The pipeline graph is wrong: a cycle, an input that names no stage or a sink, a source with an input, a transform or sink with none, or a source that reaches no sink.",
    fix: "Fix the `input:` lines the message lists; every source must reach a sink (add `type: null-sink` to discard).",
  },
  FE_GRAPH_SCHEMA_MISMATCH: {
    meaning: "A stage with several inputs (fan-in) receives rows of different schemas.",
    fix: "Make the inputs agree with a `select` or `cast` before the stage.",
  },
  FE_RUN_FAILED: {
    meaning: "A stage failed during the run; the message names the stage and the cause (its own code is in `cause`).",
    fix: "Read the cause: a plugin error, a timeout, a memory limit. Fix it or raise `restart.maxRetries` for transient failures.",
  },
  FE_RUN_KILLED: {
    meaning: "The run was stopped at once (a second SIGINT/SIGTERM, or the kill signal); nothing further was flushed or acknowledged.",
    fix: "Rerun; sources resume from their last acknowledged position.",
  },
  FE_GENERATE_NO_SCHEMA: {
    meaning: "A `generate` source has no schema to generate rows for.",
    fix: "Add `schema: { fields: [...] }` beside its `config:` (or `config.schema`).",
  },
  FE_GENERATE_BAD_SEQUENCE: {
    meaning: "The `sequence` option of `generate` names no numeric field of the schema.",
    fix: "Name an int32, int64, timestamp or float64 field, or leave `sequence` out to use the first integer field.",
  },
  FE_CAST_INVALID: {
    meaning: "A value did not convert to the type `cast` asked for (`\"12a\"` as int32, a number beyond int32).",
    fix: "Fix the data, cast to a wider type, or set `errors: skip` / `deadLetter` on the cast instance.",
  },
  FE_CONFIG_GRAPH: {
    meaning: "The plugins do not form a valid pipeline: a cycle, an input that is a sink, a source with an input, a transform or sink without one, or a source that reaches no sink.",
    fix: "Fix the `input:` of the instance named; every source must reach a sink (add `type: null-sink` to discard rows).",
  },
} as const satisfies ErrorCatalogue;

export type CoreErrorCode = keyof typeof CORE_ERRORS;
