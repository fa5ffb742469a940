import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import { validateConfig } from '../plugin/config.js';
import { rejectionError, type ErrorPolicy, type PluginContext, type PluginLogger, type RejectedRow } from '../plugin/context.js';
import type { Schema } from '../schema/schema.js';
import type { Static, TSchema } from 'typebox';

export interface PluginContextOptions {
  /** Default `test`. */
  readonly instanceName?: string;
  /** The instance's `errors:` policy (default `fail`): how `ctx.reject` behaves. */
  readonly errors?: ErrorPolicy;
  readonly declaredSchema?: Schema;
  /** Default: a signal that is never aborted. */
  readonly signal?: AbortSignal;
  readonly resumeFrom?: unknown;
  /** Default: a fresh folder under the OS temp dir, made when the plugin first reads `ctx.spillDir`. */
  readonly spillDir?: string;
}

/** One line a plugin logged through `ctx.logger`. */
export interface LoggedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown> | undefined;
}

export interface TestPluginContext<Config> {
  readonly ctx: PluginContext<Config>;
  /** Rows handed to `ctx.reject` under `skip` or `deadLetter`, in order. */
  readonly rejected: RejectedRow[];
  readonly logs: LoggedLine[];
}

/**
 * A context for calling a plugin's `open` directly on the test's own thread, for what `runPlugin`
 * (the real host) cannot show: the instance's logs, an abort between two calls, several instances
 * at once. It behaves as the isolation host's: the config is validated with the plugin's schema and
 * its defaults filled in, `ctx.reject` under `fail` throws the row's code as
 * `instance "<name>": <location>: <reason>`, and `ctx.meter` is the OpenTelemetry API's meter
 * (a no-op unless the test registers a meter provider).
 */
export function pluginContext<C extends TSchema>(plugin: { readonly config: C }, config: unknown, options: PluginContextOptions = {}): TestPluginContext<Static<C>> {
  const instanceName = options.instanceName ?? 'test';
  const rejected: RejectedRow[] = [];
  const logs: LoggedLine[] = [];
  const log = (level: LoggedLine['level']) => (message: string, fields?: Record<string, unknown>): void => {
    logs.push({ level, message, fields });
  };
  const logger: PluginLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  // Made on first use: most plugins never spill, and a folder per context would pile up in tests.
  let spillDir = options.spillDir;
  const ctx: PluginContext<Static<C>> = {
    instanceName,
    config: validateConfig(plugin.config, config, `instance "${instanceName}"`),
    logger,
    meter: metrics.getMeter(`flowengine.${instanceName}`),
    signal: options.signal ?? new AbortController().signal,
    get spillDir() {
      return (spillDir ??= mkdtempSync(join(tmpdir(), 'flowengine-spill-')));
    },
    declaredSchema: options.declaredSchema,
    resumeFrom: options.resumeFrom,
    reject(row) {
      if ((options.errors ?? 'fail') === 'fail') throw rejectionError(instanceName, row);
      rejected.push(row);
    },
  };
  return { ctx, rejected, logs };
}
