import { Type, defineTransform, type Schema } from '@flowengine/sdk';
import { compileProjection, type ProjectionColumn } from '../expression/project.js';

const SelectColumn = Type.Union([
  Type.String({ description: 'Keep this column as it is.' }),
  Type.Object({
    name: Type.String({ description: 'Output column name.' }),
    from: Type.Optional(Type.String({ description: 'Input column to copy (rename).' })),
    expr: Type.Optional(Type.String({ description: 'Expression computing the column, e.g. `amount * 1.2`.' })),
  }, { additionalProperties: false }),
]);

const SelectConfig = Type.Object({
  columns: Type.Array(SelectColumn, { minItems: 1, description: 'Output columns in order: names to keep, `{ name, from }` to rename, `{ name, expr }` to compute.' }),
}, { additionalProperties: false });

type SelectColumnConfig = string | { name: string; from?: string; expr?: string };

function toProjection(columns: readonly SelectColumnConfig[]): ProjectionColumn[] {
  return columns.map((column) => {
    if (typeof column === 'string') return { name: column, source: column };
    if (column.expr !== undefined) return { name: column.name, expr: column.expr };
    return { name: column.name, source: column.from ?? column.name };
  });
}

function project(inputSchema: Schema, columns: readonly SelectColumnConfig[]) {
  return compileProjection(inputSchema, toProjection(columns));
}

/** `select`: keeps, renames and computes columns, in the order given. */
export default defineTransform({
  id: 'select',
  config: SelectConfig,
  stateless: true,
  outputSchema: (inputSchema, config) => project(inputSchema, config.columns).outputSchema,
  open(ctx, inputSchema) {
    const projection = project(inputSchema, ctx.config.columns);
    return {
      transform(chunk) {
        const projected = projection.apply(chunk);
        // The projection copied what it needs: the input's buffer can serve the next output.
        chunk.release();
        return projected;
      },
    };
  },
});
