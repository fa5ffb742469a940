import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Chunk, Schema, SinkDescriptor, SourceDescriptor, TSchema } from '@flowengine/sdk';
import { pluginContext, type PluginContextOptions } from '@flowengine/sdk/testing';

/**
 * A plugin context for driving an instance from `src/` in a test: the SDK's `pluginContext` (config
 * validated with the plugin's own schema, rejects under `fail` thrown as the host does). Tests
 * that need only what goes in and out use `runPlugin` (the real host); this is for what it cannot
 * give: the logs, the declared schema object itself, an abort mid-run, two instances at once, and
 * the rows rejected under `skip`.
 */
export function testContext(schema: TSchema, config: unknown, options: PluginContextOptions = {}) {
  return pluginContext({ config: schema }, config, { spillDir: mkdtempSync(join(tmpdir(), 'fe-csv-spill-')), ...options });
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
  const lines = logs.map((line) => `${line.level}: ${line.message}`);
  return { schema: instance.schema, chunks, positions, rejected, logs: lines, rows: chunks.flatMap(rowsOf) };
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
