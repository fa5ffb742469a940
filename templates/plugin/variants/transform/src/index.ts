import { ChunkBuilder, defineTransform, FlowEngineError, Type } from '@flowengine/sdk';
import type { Chunk } from '@flowengine/sdk';

/**
 * Upper-cases one string field of every row; all other fields pass through unchanged.
 * A starting point: replace the body of `transform` with what your plugin does.
 */
export const plugin = defineTransform({
  id: '__PLUGIN_ID__',
  config: Type.Object({
    /** The string field to upper-case. */
    field: Type.String({ minLength: 1, description: 'The string field to upper-case.' }),
  }, { additionalProperties: false }),
  // Each output chunk depends only on its input chunk, so the engine may run several threads.
  stateless: true,

  outputSchema(inputSchema, config) {
    const field = inputSchema.field(config.field);
    if (field.type !== 'string') {
      throw new FlowEngineError('FE_PLUGIN_CONFIG_INVALID',
        `config.field: expected a string field, found "${config.field}" of type ${field.type}`,
        { details: { field: config.field, type: field.type } });
    }
    return inputSchema;
  },

  open(ctx, inputSchema) {
    const index = inputSchema.fieldIndex(ctx.config.field);
    const builder = new ChunkBuilder(inputSchema);
    return {
      transform(chunk: Chunk): Chunk {
        // Columnar, the fast path: the other columns are appended whole, and only the changed one
        // is read value by value (no row objects, no array per row).
        const column = chunk.column(index);
        const upper = new Array<unknown>(chunk.length);
        for (let i = 0; i < chunk.length; i++) {
          const value = column.get(i);
          upper[i] = typeof value === 'string' ? value.toUpperCase() : value;
        }
        builder.appendColumns(chunk.columns.map((other, i) => (i === index ? upper : other)));
        return builder.finish();
      },
    };
  },
});

export default plugin;
