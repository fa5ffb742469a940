import { FlowEngineError, Schema, closestMatch } from '@flowengine/sdk';
import type { Chunk, Column, FieldInput } from '@flowengine/sdk';
import { compileExpression } from './compile.js';
import type { CompiledExpression } from './compile.js';
import { gatherChunk } from './gather.js';
import type { TypedExpr } from './typed.js';

/**
 * One output column of a projection: keep/rename a `source` column, or compute `expr`
 * (expression text, or an expression already compiled for the input schema).
 */
export type ProjectionColumn =
  | { readonly name: string; readonly source: string }
  | { readonly name: string; readonly expr: string | CompiledExpression };

/** A projection compiled for one input schema. */
export interface Projection {
  readonly inputSchema: Schema;
  readonly outputSchema: Schema;
  apply(chunk: Chunk): Chunk;
}

/**
 * Compiles `columns` against `inputSchema` once: source columns are resolved to positions and
 * expressions compiled; the output schema keeps source fields' nullability and timestamp units.
 *
 * @throws FlowEngineError FE_EXPR_UNKNOWN_COLUMN for a missing source, FE_EXPR_DUPLICATE_OUTPUT for
 *   two outputs with one name, and any expression error.
 */
export function compileProjection(inputSchema: Schema, columns: readonly ProjectionColumn[]): Projection {
  const seen = new Set<string>();
  const fields: FieldInput[] = [];
  const producers: Array<(chunk: Chunk) => Column> = [];
  columns.forEach((spec, i) => {
    if (seen.has(spec.name)) {
      throw new FlowEngineError('FE_EXPR_DUPLICATE_OUTPUT', `select column ${i} "${spec.name}": expected a unique output name, found it twice`,
        { details: { index: i, name: spec.name } });
    }
    seen.add(spec.name);
    if ('source' in spec) {
      const index = inputSchema.indexOf(spec.source);
      if (index < 0) {
        const names = inputSchema.fields.map((f) => f.name);
        const hint = closestMatch(spec.source, names);
        throw new FlowEngineError('FE_EXPR_UNKNOWN_COLUMN',
          `select column ${i} "${spec.name}": unknown source column "${spec.source}"${hint === undefined ? '' : ` (did you mean ${hint}?)`}; expected one of ${names.join(', ')}`,
          { details: { index: i, column: spec.source, columns: names, suggestion: hint ?? null } });
      }
      const field = inputSchema.fields[index] as FieldInput;
      fields.push({ ...field, name: spec.name });
      producers.push((chunk) => chunk.columns[index] as Column);
      return;
    }
    const expr = typeof spec.expr === 'string' ? compileExpression(spec.expr, inputSchema) : spec.expr;
    fields.push(expr.type === 'timestamp' ? { name: spec.name, type: expr.type, nullable: expr.nullable, unit: timestampUnit(expr.tree, inputSchema) } : { name: spec.name, type: expr.type, nullable: expr.nullable });
    producers.push((chunk) => expr.evaluate(chunk));
  });
  const outputSchema = Schema.of(fields);
  return Object.freeze({
    inputSchema,
    outputSchema,
    apply(chunk: Chunk): Chunk {
      return gatherProjected(outputSchema, chunk.length, producers.map((produce) => produce(chunk)));
    },
  });
}

/**
 * Keeps, renames and computes columns of one chunk. For a stream of chunks compile once with
 * {@link compileProjection}; this convenience compiles per call.
 *
 * @example
 * projectChunk(chunk, [{ name: 'id', source: 'id' }, { name: 'gross', expr: 'amount * 1.2' }]);
 */
export function projectChunk(chunk: Chunk, columns: readonly ProjectionColumn[]): Chunk {
  return compileProjection(chunk.schema, columns).apply(chunk);
}

function gatherProjected(schema: Schema, length: number, produced: readonly Column[]): Chunk {
  return gatherChunk(schema, length, produced.map((column) => ({ column, rows: null })));
}

/**
 * A computed timestamp takes the unit of the first timestamp column it reads (the language does
 * not convert units; comparing timestamps of different units compares raw counts).
 */
function timestampUnit(tree: TypedExpr, schema: Schema): 's' | 'ms' | 'us' | 'ns' {
  let unit: 's' | 'ms' | 'us' | 'ns' | undefined;
  const visit = (node: TypedExpr): void => {
    if (unit !== undefined) return;
    if (node.kind === 'column') {
      if (node.type === 'timestamp') unit = schema.fields[node.index]?.unit;
      return;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach((item) => visitAny(item));
      else visitAny(value);
    }
  };
  const visitAny = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    if ('kind' in value) visit(value as TypedExpr);
    else for (const inner of Object.values(value)) visitAny(inner);
  };
  visit(tree);
  return unit ?? 'ms';
}
