import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { defineSink, Type } from '@flowengine/sdk';
import type { Chunk } from '@flowengine/sdk';

/**
 * Writes every row as one JSON line (`{"field":value,...}`) to `path`. `flush` syncs the file to
 * disk, which is the durable point after which the engine acknowledges source positions.
 * A starting point: replace the file with your system's client.
 */
export const plugin = defineSink({
  id: '__PLUGIN_ID__',
  config: Type.Object({
    path: Type.String({ minLength: 1, description: 'File to write JSON lines to (created or truncated).' }),
  }, { additionalProperties: false }),

  async open(ctx) {
    const file: FileHandle = await open(ctx.config.path, 'w');
    return {
      async write(chunk: Chunk) {
        let text = '';
        for (const row of chunk.rows()) text += `${JSON.stringify(row.toObject(), jsonValue)}\n`;
        await file.write(text);
      },
      async flush() {
        await file.sync();
      },
      async close() {
        await file.close();
      },
    };
  },
});

/** An int64 or timestamp past 2^53 comes as a bigint, which JSON.stringify refuses; write it as a decimal string. */
function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export default plugin;
