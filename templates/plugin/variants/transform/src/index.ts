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
        for (const row of chunk.rows()) {
          const values = row.toArray();
          const value = values[index];
          if (typeof value === 'string') values[index] = value.toUpperCase();
          builder.appendRow(values);
        }
        return builder.finish();
      },
    };
  },
});

export default plugin;
