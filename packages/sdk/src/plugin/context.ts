import type { Meter } from '@opentelemetry/api';
import { FlowEngineError } from '../errors/flowengine-error.js';
import type { Schema } from '../schema/schema.js';

/** Structured logger handed to a plugin; the host forwards records to the engine's logger. */
export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What an instance does with a row it cannot process (`errors:` in the pipeline). */
export type ErrorPolicy = 'fail' | 'skip' | 'deadLetter';

/** A row a plugin could not process, with the original record and where it came from. */
export interface RejectedRow {
  /** The original record (a CSV line, a Kafka message value...), kept for dead letters. */
  readonly record: unknown;
  /** What was expected and what was found, for humans. */
  readonly reason: string;
  /** `FE_<AREA>_<WHAT>` code; under `errors: fail` it becomes the thrown error's code. */
  readonly code: string;
  /** Where the record sits: `file:line`, `partition/offset`, a row key. */
  readonly location?: string;
}

/**
 * The error a rejected row becomes under `errors: fail`: the row's code, and
 * `instance "<name>": <location>: <reason>`. The isolation host throws it from `ctx.reject`, and so
 * does `pluginContext` in `@flowengine/sdk/testing`, so a plugin's tests see the engine's error.
 */
export function rejectionError(instanceName: string, row: RejectedRow): FlowEngineError {
  const where = row.location === undefined ? '' : `${row.location}: `;
  return new FlowEngineError(row.code, `instance "${instanceName}": ${where}${row.reason}`,
    { details: { instance: instanceName, location: row.location, rejected: true } });
}

/**
 * Everything a plugin instance gets from the engine. Plugins never import the runtime: logger,
 * meter, abort signal and spill directory come through here.
 */
export interface PluginContext<Config = unknown> {
  /** The instance name from the pipeline (`name:`), unique within it. */
  readonly instanceName: string;
  /** The validated config, typed from the plugin's TypeBox schema. */
  readonly config: Config;
  readonly logger: PluginLogger;
  /** OpenTelemetry meter named `flowengine.<instanceName>`. */
  readonly meter: Meter;
  /**
   * Aborted when the engine stops the instance (close, shutdown): end reads and waits promptly.
   * At close its `reason` says how the run ended: a FlowEngineError with code FE_PLUGIN_CLOSED
   * after a complete run, FE_RUN_STOPPED (stopped by a signal before the input ended) or
   * FE_RUN_FAILED otherwise — a sink whose output is only whole at the end (a file) commits on the first only.
   */
  readonly signal: AbortSignal;
  /** A directory the instance may write temporary files to; the engine removes it after the run. */
  readonly spillDir: string;
  /** The pipeline's `schema:` for this instance, when it declares one (sources). */
  readonly declaredSchema?: Schema | undefined;
  /**
   * For a source re-opened after a failure: the last position acknowledged before it failed.
   * Resume reading after it; rows past it are read again (at-least-once).
   */
  readonly resumeFrom?: unknown;
  /**
   * Hands a row the plugin cannot process to the instance's `errors` policy: `fail` throws a
   * FlowEngineError with the row's code (let it propagate), `skip` counts it, `deadLetter` counts
   * it and sends the record to the engine's dead-letter output.
   */
  reject(row: RejectedRow): void;
}
