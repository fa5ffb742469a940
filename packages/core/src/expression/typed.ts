import type { ArithmeticOp, ComparisonOp } from './ast.js';

/** Mirrors `@flowengine/sdk`'s FieldType (structurally identical, so schemas from the SDK fit). */
export type FieldType = 'int32' | 'int64' | 'float64' | 'bool' | 'string' | 'timestamp';

/** The fields of a schema, as far as the expression checker needs them. */
export interface SchemaLike {
  readonly fields: ReadonlyArray<{ readonly name: string; readonly type: FieldType; readonly nullable: boolean }>;
}

/** A type of the expression language: a schema field type, or `null` for the untyped `null` literal. */
export type ValueType = FieldType | 'null';

/**
 * The checked tree `compileExpression` evaluates: every node knows its type and whether it may be
 * null, implicit widenings are explicit `cast` nodes, and sugar (`between`, `if`, simple `case`)
 * is gone. Both the compiled evaluator and the reference interpreter read this form.
 *
 * Values of literals: int32/float64 `number`, int64/timestamp `bigint`, `string`, `boolean`, `null`.
 */
export type TypedExpr =
  | { readonly kind: 'literal'; readonly type: ValueType; readonly nullable: boolean; readonly value: number | bigint | string | boolean | null }
  | { readonly kind: 'column'; readonly type: FieldType; readonly nullable: boolean; readonly index: number; readonly name: string }
  | { readonly kind: 'cast'; readonly type: ValueType; readonly nullable: boolean; readonly operand: TypedExpr }
  | { readonly kind: 'neg'; readonly type: ValueType; readonly nullable: boolean; readonly operand: TypedExpr }
  | { readonly kind: 'not'; readonly type: 'bool'; readonly nullable: boolean; readonly operand: TypedExpr }
  | { readonly kind: 'arith'; readonly type: ValueType; readonly nullable: boolean; readonly op: ArithmeticOp; readonly left: TypedExpr; readonly right: TypedExpr }
  | { readonly kind: 'compare'; readonly type: 'bool'; readonly nullable: boolean; readonly op: ComparisonOp; readonly left: TypedExpr; readonly right: TypedExpr }
  | { readonly kind: 'and' | 'or'; readonly type: 'bool'; readonly nullable: boolean; readonly left: TypedExpr; readonly right: TypedExpr }
  | { readonly kind: 'isNull'; readonly type: 'bool'; readonly nullable: false; readonly negated: boolean; readonly operand: TypedExpr }
  | { readonly kind: 'in'; readonly type: 'bool'; readonly nullable: boolean; readonly negated: boolean; readonly operand: TypedExpr; readonly list: readonly TypedExpr[] }
  | { readonly kind: 'call'; readonly type: ValueType; readonly nullable: boolean; readonly fn: FunctionName; readonly args: readonly TypedExpr[] }
  | { readonly kind: 'case'; readonly type: ValueType; readonly nullable: boolean; readonly whens: ReadonlyArray<{ readonly when: TypedExpr; readonly then: TypedExpr }>; readonly otherwise: TypedExpr };

export type FunctionName =
  | 'lower' | 'upper' | '||' | 'trim' | 'length' | 'concat' | 'starts_with' | 'ends_with' | 'contains' | 'substr'
  | 'coalesce' | 'abs' | 'round' | 'floor' | 'ceil';

export const NUMERIC_RANK: Readonly<Partial<Record<ValueType, number>>> = { int32: 1, int64: 2, float64: 3 };

export function isNumeric(type: ValueType): boolean {
  return NUMERIC_RANK[type] !== undefined;
}
