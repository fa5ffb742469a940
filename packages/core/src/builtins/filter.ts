import { Type, defineTransform } from '@flowengine/sdk';
import { compileExpression } from '../expression/compile.js';
import { filterChunk } from '../expression/filter.js';

/** `filter`: keeps the rows where `where` is true (false and null drop the row, as in SQL). */
export default defineTransform({
  id: 'filter',
  config: Type.Object({
    where: Type.String({ description: "Condition, e.g. `amount > 100 and status = 'paid'`." }),
  }, { additionalProperties: false }),
  stateless: true,
  outputSchema: (inputSchema) => inputSchema,
  open(ctx, inputSchema) {
    const predicate = compileExpression(ctx.config.where, inputSchema, { predicate: true });
    return {
      transform(chunk) {
        const kept = filterChunk(chunk, predicate);
        // A chunk whose rows all pass comes back as is; otherwise the kept rows were copied and
        // the input's buffer can serve the next output.
        if (kept !== chunk) chunk.release();
        return kept;
      },
    };
  },
});
