import { ChunkBuilder, defineSource, Schema, Type } from '@flowengine/sdk';

const schema = Schema.of([
  { name: 'n', type: 'int32', nullable: false },
  { name: 'label', type: 'string' },
]);

/**
 * Emits `count` rows `{ n, label }` in chunks of `chunkSize`. Each chunk's position is the number
 * of rows emitted so far, so after a restart the source resumes after the last acknowledged row.
 * A starting point: replace the loop in `read` with reads from your system.
 */
export const plugin = defineSource({
  id: '__PLUGIN_ID__',
  config: Type.Object({
    count: Type.Integer({ minimum: 0, default: 100, description: 'How many rows to emit.' }),
    chunkSize: Type.Integer({ minimum: 1, default: 1000, description: 'Rows per chunk.' }),
    prefix: Type.String({ default: 'row-', description: 'Text before the number in `label`.' }),
  }, { additionalProperties: false }),

  open(ctx) {
    const { count, chunkSize, prefix } = ctx.config;
    const start = typeof ctx.resumeFrom === 'number' ? ctx.resumeFrom : 0;
    const builder = new ChunkBuilder(schema, { capacity: Math.min(chunkSize, Math.max(count, 1)) });
    return {
      schema,
      async *read() {
        let n = start;
        while (n < count && !ctx.signal.aborted) {
          const end = Math.min(n + chunkSize, count);
          for (; n < end; n++) builder.appendRow([n, `${prefix}${n}`]);
          yield { chunk: builder.finish(), position: n };
        }
      },
      ack(position: number) {
        ctx.logger.debug('acknowledged', { position });
      },
    };
  },
});

export default plugin;
