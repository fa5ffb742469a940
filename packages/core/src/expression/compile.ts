import { FlowEngineError } from '@flowengine/sdk';
import type { Chunk, Column, FieldType, Schema } from '@flowengine/sdk';
import { checkExpression } from './check.js';
import { compileNode } from './evaluate.js';
import { parseExpression } from './parser.js';
import { expressionError } from './position.js';
import type { TypedExpr } from './typed.js';
import { toVec, vecToColumn } from './vector.js';
import type { BoolVec } from './vector.js';

/** An expression compiled for one schema: run it on any chunk of that schema. */
export interface CompiledExpression {
  /** The expression as written. */
  readonly text: string;
  /** The schema it was checked against; chunks of another schema are refused. */
  readonly schema: Schema;
  readonly type: FieldType;
  /** False when the expression can never be null on this schema (e.g. `coalesce(x, 0)`). */
  readonly nullable: boolean;
  /** The checked tree (for tools and the reference interpreter). */
  readonly tree: TypedExpr;
  /** The value for every row of `chunk`, as a column of {@link CompiledExpression.type}. */
  evaluate(chunk: Chunk): Column;
  /**
   * Rows where a bool expression is TRUE (false and null are dropped, as in SQL `where`), as a
   * selection vector of ascending row indexes.
   */
  select(chunk: Chunk): Uint32Array;
}

export interface CompileOptions {
  /** Compile a `where` predicate: the expression must be bool (a bare `null` selects nothing). */
  readonly predicate?: boolean;
}

/**
 * Parses, type-checks and compiles an expression against `schema`, once; the result runs one
 * tight typed-array loop per operator per chunk.
 *
 * @throws FlowEngineError FE_EXPR_SYNTAX, FE_EXPR_UNKNOWN_COLUMN, FE_EXPR_UNKNOWN_FUNCTION,
 *   FE_EXPR_TYPE — each with `details.offset`/`column` pointing into `text`.
 * @example
 * const where = compileExpression("amount > 100 and status = 'paid'", schema, { predicate: true });
 * const kept = filterChunk(chunk, where);
 */
export function compileExpression(text: string, schema: Schema, options: CompileOptions = {}): CompiledExpression {
  const tree = checkExpression(parseExpression(text), schema, text);
  if (options.predicate === true && tree.type !== 'bool' && tree.type !== 'null') {
    throw expressionError('FE_EXPR_TYPE', text, 0, text.length, `expected a bool condition, found ${tree.type}`,
      { expected: 'bool', found: tree.type });
  }
  if (tree.type === 'null' && options.predicate !== true) {
    throw expressionError('FE_EXPR_TYPE', text, 0, text.length,
      'expected an expression with a type, found one that is always null (write coalesce(null, 0) or similar to give it one)',
      { found: 'null' });
  }
  const type: FieldType = tree.type === 'null' ? 'bool' : tree.type;
  const node = compileNode(tree);
  const fingerprint = schema.fingerprint;
  const checkSchema = (chunk: Chunk): void => {
    if (chunk.schema !== schema && chunk.schema.fingerprint !== fingerprint) {
      throw new FlowEngineError('FE_EXPR_SCHEMA_MISMATCH',
        `expression "${text}": expected a chunk of schema (${schema.toString()}), found (${chunk.schema.toString()})`,
        { details: { expression: text, expected: schema.toString(), found: chunk.schema.toString() } });
    }
  };
  return Object.freeze({
    text, schema, type, nullable: tree.nullable, tree,
    evaluate(chunk: Chunk): Column {
      checkSchema(chunk);
      const n = chunk.length;
      return vecToColumn(toVec(node(chunk, n), type, n), type, n);
    },
    select(chunk: Chunk): Uint32Array {
      checkSchema(chunk);
      if (type !== 'bool') {
        throw new FlowEngineError('FE_EXPR_TYPE', `expression "${text}": expected a bool condition to select rows, found ${type}`,
          { details: { expression: text, expected: 'bool', found: type } });
      }
      const n = chunk.length;
      const result = node(chunk, n);
      if (result.kind === 'const') return result.value === true ? identity(n) : new Uint32Array(0);
      return selectTrue(result as BoolVec, n);
    },
  });
}

function identity(n: number): Uint32Array {
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

function selectTrue(vec: BoolVec, n: number): Uint32Array {
  const rows = new Uint32Array(n);
  const values = vec.values;
  const valid = vec.valid;
  let k = 0;
  if (valid === null) {
    // Branch-free: write every index, advance only past kept ones.
    for (let i = 0; i < n; i++) {
      rows[k] = i;
      k += values[i] as number;
    }
  } else {
    for (let i = 0; i < n; i++) {
      rows[k] = i;
      k += (values[i] as number) & (((valid[i >> 3] as number) >> (i & 7)) & 1);
    }
  }
  return rows.subarray(0, k);
}
