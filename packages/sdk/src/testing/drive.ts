import type { Chunk } from '../chunk/chunk.js';
import type { SinkDescriptor, SourceDescriptor } from '../plugin/define.js';
import type { Schema } from '../schema/schema.js';
import type { TSchema } from 'typebox';
import { pluginContext, type PluginContextOptions } from './plugin-context.js';

export interface ReadSourceOptions extends PluginContextOptions {
  /** Acknowledge each position once read, as the engine does after every sink flushed it (default false). */
  readonly ack?: boolean;
}

/**
 * Opens a source on the test's own thread (see {@link pluginContext}), reads it to the end and
 * closes it: its chunks, their positions, every row as an array, and what it rejected and logged.
 */
export async function readSource<C extends TSchema>(source: SourceDescriptor<C>, config: unknown, options: ReadSourceOptions = {}) {
  const { ctx, rejected, logs } = pluginContext(source, config, options);
  const instance = await source.open(ctx);
  const chunks: Chunk[] = [];
  const positions: unknown[] = [];
  try {
    for await (const batch of instance.read()) {
      chunks.push(batch.chunk);
      positions.push(batch.position);
      if (options.ack === true) await instance.ack?.(batch.position);
    }
  } finally {
    await instance.close?.();
  }
  const rows = chunks.flatMap((chunk) => Array.from(chunk.rows(), (row) => row.toArray()));
  return { schema: instance.schema, chunks, positions, rows, rejected, logs };
}

/** Opens a sink on the test's own thread, writes `chunks`, flushes and closes it. */
export async function writeSink<C extends TSchema>(sink: SinkDescriptor<C>, config: unknown, schema: Schema, chunks: readonly Chunk[], options: PluginContextOptions = {}) {
  const { ctx, rejected, logs } = pluginContext(sink, config, options);
  const instance = await sink.open(ctx, schema);
  try {
    for (const chunk of chunks) await instance.write(chunk);
    await instance.flush();
  } finally {
    await instance.close?.();
  }
  return { rejected, logs };
}
