import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FlowEngineError, validateConfig, type Chunk, type PluginContext, type PluginLogger, type RejectedRow, type Schema,
  type SinkDescriptor, type SourceDescriptor, type TSchema,
} from '@flowengine/sdk';

/**
 * A plugin context for driving an instance from `src/` in a test: config validated with the
 * plugin's own schema (defaults filled, as the engine does), rejects collected under the chosen
 * policy. Tests that need only what goes in and out use `runPlugin` from `@flowengine/sdk/testing`
 * (the real host); this is for what it cannot give: the logs, the declared schema object itself,
 * an abort mid-run, two instances at once, and the rows rejected under `skip`.
 */
export function testContext<C>(schema: TSchema, config: unknown, options: {
  errors?: 'fail' | 'skip' | 'deadLetter'; declaredSchema?: Schema; signal?: AbortSignal; resumeFrom?: unknown;
} = {}) {
  const rejected: RejectedRow[] = [];
  const logs: string[] = [];
  const log = (level: string) => (message: string) => void logs.push(`${level}: ${message}`);
  const logger: PluginLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const ctx: PluginContext<C> = {
    instanceName: 'test',
    config: validateConfig(schema, config, 'test') as C,
    logger,
    meter: undefined as never, // the csv plugins record no metrics of their own
    signal: options.signal ?? new AbortController().signal,
    spillDir: mkdtempSync(join(tmpdir(), 'fe-csv-spill-')),
    declaredSchema: options.declaredSchema,
    resumeFrom: options.resumeFrom,
    reject(row) {
      // As the isolation host does: under `fail` the row's code and `location: reason` become the error.
      if ((options.errors ?? 'fail') === 'fail') throw new FlowEngineError(row.code, `${row.location}: ${row.reason}`, { details: { location: row.location } });
      rejected.push(row);
    },
  };
  return { ctx, rejected, logs };
}

/** Opens a source and reads it to the end. */
export async function readAll<C extends TSchema>(source: SourceDescriptor<C>, config: unknown, options: Parameters<typeof testContext>[2] = {}) {
  const { ctx, rejected, logs } = testContext(source.config, config, options);
  const instance = await source.open(ctx as never);
  const chunks: Chunk[] = [];
  const positions: unknown[] = [];
  try {
    for await (const batch of instance.read()) {
      chunks.push(batch.chunk);
      positions.push(batch.position);
    }
  } finally {
    await instance.close?.();
  }
  return { schema: instance.schema, chunks, positions, rejected, logs, rows: chunks.flatMap(rowsOf) };
}

/** Opens a sink, writes the chunks, flushes and closes it. */
export async function writeAll<C extends TSchema>(sink: SinkDescriptor<C>, config: unknown, schema: Schema, chunks: readonly Chunk[]) {
  const { ctx } = testContext(sink.config, config);
  const instance = await sink.open(ctx as never, schema);
  try {
    for (const chunk of chunks) await instance.write(chunk);
    await instance.flush();
  } finally {
    await instance.close?.();
  }
}

export function rowsOf(chunk: Chunk): unknown[][] {
  const rows: unknown[][] = [];
  for (let r = 0; r < chunk.length; r++) rows.push(chunk.columns.map((column) => column.get(r)));
  return rows;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fe-csv-'));
}
