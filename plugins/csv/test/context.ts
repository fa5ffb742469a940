import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Chunk, Schema, SinkDescriptor, SourceDescriptor, TSchema } from '@flowengine/sdk';
import { pluginContext, type PluginContextOptions } from '@flowengine/sdk/testing';

/** Opens a source and reads it to the end. */
export async function readAll<C extends TSchema>(source: SourceDescriptor<C>, config: unknown, options: PluginContextOptions = {}) {
  const { ctx, rejected, logs } = pluginContext(source, config, options);
  const instance = await source.open(ctx);
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
  const { ctx } = pluginContext(sink, config);
  const instance = await sink.open(ctx, schema);
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
