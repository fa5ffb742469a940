/**
 * The untyped syntax tree `parseExpression` returns. Every node keeps the offsets of the text it
 * came from (`start` inclusive, `end` exclusive) so type errors can point into the expression.
 */
export type Expr =
  | LiteralExpr
  | ColumnExpr
  | UnaryExpr
  | BinaryExpr
  | IsNullExpr
  | InExpr
  | BetweenExpr
  | CallExpr
  | CaseExpr;

interface Span {
  readonly start: number;
  readonly end: number;
}

export interface LiteralExpr extends Span {
  readonly kind: 'literal';
  /** int literals are `number` when they fit int32, `bigint` when they need int64. */
  readonly value: number | bigint | string | boolean | null;
  /** `int` and `float` literals are told apart by how they were written (`1` vs `1.0`). */
  readonly literalType: 'int' | 'float' | 'string' | 'bool' | 'null';
}

export interface ColumnExpr extends Span {
  readonly kind: 'column';
  readonly name: string;
}

export type UnaryOp = 'neg' | 'not';

export interface UnaryExpr extends Span {
  readonly kind: 'unary';
  readonly op: UnaryOp;
  readonly operand: Expr;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type BinaryOp = ArithmeticOp | ComparisonOp | 'and' | 'or' | '||';

export interface BinaryExpr extends Span {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  /** Offset of the operator itself, where a type error about it points. */
  readonly opStart: number;
}

export interface IsNullExpr extends Span {
  readonly kind: 'isNull';
  readonly operand: Expr;
  readonly negated: boolean;
}

export interface InExpr extends Span {
  readonly kind: 'in';
  readonly operand: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
}

export interface BetweenExpr extends Span {
  readonly kind: 'between';
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
}

export interface CallExpr extends Span {
  readonly kind: 'call';
  /** Lower-cased: function names are case-insensitive. */
  readonly name: string;
  readonly args: readonly Expr[];
}

export interface CaseExpr extends Span {
  readonly kind: 'case';
  readonly whens: ReadonlyArray<{ readonly when: Expr; readonly then: Expr }>;
  readonly otherwise: Expr | null;
}
