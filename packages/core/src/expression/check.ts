import { closestMatch } from '@flowengine/sdk';
import type { Expr } from './ast.js';
import { expressionError } from './position.js';
import { NUMERIC_RANK, isNumeric } from './typed.js';
import type { FieldType, FunctionName, SchemaLike, TypedExpr, ValueType } from './typed.js';

const FUNCTIONS: readonly string[] = ['lower', 'upper', 'trim', 'length', 'concat', 'starts_with', 'ends_with', 'contains', 'substr',
  'coalesce', 'abs', 'round', 'floor', 'ceil', 'if'];

/**
 * Type-checks a parsed expression against a schema. Columns resolve to indexes, implicit widenings
 * become `cast` nodes, `between`/`if`/simple `case` are desugared.
 *
 * @throws FlowEngineError FE_EXPR_UNKNOWN_COLUMN (with a did-you-mean), FE_EXPR_UNKNOWN_FUNCTION,
 *   FE_EXPR_TYPE; each with the offset/column of the offending part of `text`.
 */
export function checkExpression(expr: Expr, schema: SchemaLike, text: string): TypedExpr {
  return new Checker(schema, text).check(expr);
}

class Checker {
  readonly #schema: SchemaLike;
  readonly #text: string;

  constructor(schema: SchemaLike, text: string) {
    this.#schema = schema;
    this.#text = text;
  }

  #typeError(node: { start: number; end: number }, what: string, details: Record<string, unknown> = {}) {
    return expressionError('FE_EXPR_TYPE', this.#text, node.start, node.end - node.start, what, details);
  }

  #describe(node: Expr, typed: TypedExpr): string {
    const source = this.#text.slice(node.start, node.end);
    return `${typed.type} (${source.length > 30 ? `${source.slice(0, 30)}…` : source})`;
  }

  check(node: Expr): TypedExpr {
    switch (node.kind) {
      case 'literal':
        return literal(node.literalType === 'float' ? 'float64' : node.literalType === 'int'
          ? (typeof node.value === 'bigint' ? 'int64' : 'int32') : node.literalType, node.value);
      case 'column': {
        const index = this.#schema.fields.findIndex((field) => field.name === node.name);
        const field = this.#schema.fields[index];
        if (field === undefined) {
          const names = this.#schema.fields.map((f) => f.name);
          const hint = closestMatch(node.name, names);
          const quoted = /^[A-Za-z_][A-Za-z0-9_]*$/.test(hint ?? '') ? hint : `\`${hint}\``;
          throw expressionError('FE_EXPR_UNKNOWN_COLUMN', this.#text, node.start, node.end - node.start,
            `unknown column "${node.name}"${hint === undefined ? '' : ` (did you mean ${quoted}?)`}; expected one of ${names.join(', ')}`,
            { column: node.name, columns: names, suggestion: hint ?? null });
        }
        return { kind: 'column', type: field.type, nullable: field.nullable, index, name: field.name };
      }
      case 'unary': {
        const operand = this.check(node.operand);
        if (node.op === 'not') {
          this.#expectType(node.operand, operand, 'bool', "'not'");
          return { kind: 'not', type: 'bool', nullable: operand.nullable, operand: castTo(operand, 'bool') };
        }
        if (!isNumeric(operand.type) && operand.type !== 'null') {
          throw this.#typeError(node, `unary '-' expects a number, found ${this.#describe(node.operand, operand)}`, { found: operand.type });
        }
        // int32 negation widens to int64 so -(-2^31) cannot overflow; int64 overflow yields null.
        const type = operand.type === 'int32' ? 'int64' : operand.type;
        return { kind: 'neg', type, nullable: operand.nullable || type === 'int64', operand: castTo(operand, type) };
      }
      case 'binary':
        return this.#binary(node);
      case 'isNull':
        return { kind: 'isNull', type: 'bool', nullable: false, negated: node.negated, operand: this.check(node.operand) };
      case 'in': {
        const operand = this.check(node.operand);
        const list = node.list.map((item) => this.check(item));
        let type: ValueType = operand.type;
        node.list.forEach((item, i) => {
          const unified = comparableType(type, (list[i] as TypedExpr).type);
          if (unified === undefined) {
            throw this.#typeError(item, `'in' list value ${this.#describe(item, list[i] as TypedExpr)} cannot be compared with ${this.#describe(node.operand, operand)}`);
          }
          type = unified;
        });
        return { kind: 'in', type: 'bool', nullable: operand.nullable || list.some((item) => item.nullable), negated: node.negated,
          operand: castTo(operand, type), list: list.map((item) => castTo(item, type)) };
      }
      case 'between': {
        const low: Expr = { kind: 'binary', op: '>=', left: node.operand, right: node.low, opStart: node.low.start, start: node.start, end: node.low.end };
        const high: Expr = { kind: 'binary', op: '<=', left: node.operand, right: node.high, opStart: node.high.start, start: node.start, end: node.high.end };
        const both = this.check({ kind: 'binary', op: 'and', left: low, right: high, opStart: node.start, start: node.start, end: node.end });
        return node.negated ? { kind: 'not', type: 'bool', nullable: both.nullable, operand: both } : both;
      }
      case 'call':
        return this.#call(node);
      case 'case': {
        const whens = node.whens.map(({ when, then }) => {
          const condition = this.check(when);
          this.#expectType(when, condition, 'bool', "'when'");
          return { when: castTo(condition, 'bool'), then: this.check(then) };
        });
        const otherwise = node.otherwise === null ? literal('null', null) : this.check(node.otherwise);
        return this.#caseOf(node, whens, otherwise, [...node.whens.map((w) => w.then), node.otherwise ?? node]);
      }
    }
  }

  #caseOf(node: Expr, whens: Array<{ when: TypedExpr; then: TypedExpr }>, otherwise: TypedExpr, sources: readonly Expr[]): TypedExpr {
    const results = [...whens.map((w) => w.then), otherwise];
    const type = this.#unifyAll(node, results, sources, 'branches');
    return {
      kind: 'case', type, nullable: results.some((r) => r.nullable),
      whens: whens.map((w) => ({ when: w.when, then: castTo(w.then, type) })), otherwise: castTo(otherwise, type),
    };
  }

  #unifyAll(node: Expr, values: readonly TypedExpr[], sources: readonly Expr[], what: string): ValueType {
    let type: ValueType = 'null';
    values.forEach((value, i) => {
      const unified = commonType(type, value.type);
      if (unified === undefined) {
        const source = sources[i] ?? node;
        throw this.#typeError(source, `${what} must share one type: expected ${type}, found ${this.#describe(source, value)}`,
          { expected: type, found: value.type });
      }
      type = unified;
    });
    return type;
  }

  #expectType(node: Expr, typed: TypedExpr, type: ValueType, where: string): void {
    if (typed.type !== type && typed.type !== 'null') {
      throw this.#typeError(node, `${where} expects ${type}, found ${this.#describe(node, typed)}`, { expected: type, found: typed.type });
    }
  }

  #binary(node: Extract<Expr, { kind: 'binary' }>): TypedExpr {
    const left = this.check(node.left);
    const right = this.check(node.right);
    const nullable = left.nullable || right.nullable;
    const opNode = { start: node.opStart, end: node.opStart + node.op.length };
    switch (node.op) {
      case 'and':
      case 'or':
        this.#expectType(node.left, left, 'bool', `'${node.op}'`);
        this.#expectType(node.right, right, 'bool', `'${node.op}'`);
        return { kind: node.op, type: 'bool', nullable, left: castTo(left, 'bool'), right: castTo(right, 'bool') };
      case '||':
        this.#expectType(node.left, left, 'string', "'||'");
        this.#expectType(node.right, right, 'string', "'||'");
        return { kind: 'call', fn: '||', type: 'string', nullable, args: [castTo(left, 'string'), castTo(right, 'string')] };
      case '=': case '!=': case '<': case '<=': case '>': case '>=': {
        const type = comparableType(left.type, right.type);
        if (type === undefined) {
          throw this.#typeError(opNode, `cannot compare ${this.#describe(node.left, left)} with ${this.#describe(node.right, right)}`,
            { left: left.type, right: right.type });
        }
        return { kind: 'compare', type: 'bool', op: node.op, nullable, left: castTo(left, type), right: castTo(right, type) };
      }
      default: {
        for (const [side, typed] of [[node.left, left], [node.right, right]] as const) {
          if (!isNumeric(typed.type) && typed.type !== 'null') {
            throw this.#typeError(side, `operator '${node.op}' expects numbers, found ${this.#describe(side, typed)}`,
              { operator: node.op, found: typed.type });
          }
        }
        const operandType = commonType(left.type, right.type) as ValueType;
        if (operandType === 'null') return literal('null', null);
        if (node.op === '/') {
          return { kind: 'arith', op: '/', type: 'float64', nullable: true, left: castTo(left, 'float64'), right: castTo(right, 'float64') };
        }
        if (node.op === '%') {
          return { kind: 'arith', op: '%', type: operandType, nullable: true, left: castTo(left, operandType), right: castTo(right, operandType) };
        }
        // int32 (+ - *) int32 is computed exactly into int64: |a*b| < 2^62, so it never overflows.
        const type = operandType === 'int32' ? 'int64' : operandType;
        return { kind: 'arith', op: node.op, type, nullable: nullable || operandType === 'int64',
          left: castTo(left, operandType), right: castTo(right, operandType) };
      }
    }
  }

  #call(node: Extract<Expr, { kind: 'call' }>): TypedExpr {
    if (!FUNCTIONS.includes(node.name)) {
      const hint = closestMatch(node.name, FUNCTIONS);
      throw expressionError('FE_EXPR_UNKNOWN_FUNCTION', this.#text, node.start, node.name.length,
        `unknown function "${node.name}"${hint === undefined ? '' : ` (did you mean ${hint}?)`}; expected one of ${FUNCTIONS.join(', ')}`,
        { function: node.name, suggestion: hint ?? null });
    }
    const arity = ARITY[node.name] as [number, number];
    if (node.args.length < arity[0] || node.args.length > arity[1]) {
      const expected = arity[0] === arity[1] ? `${arity[0]}` : arity[1] === Infinity ? `at least ${arity[0]}` : `${arity[0]} or ${arity[1]}`;
      throw this.#typeError(node, `${node.name}() expects ${expected} argument${expected === '1' ? '' : 's'}, found ${node.args.length}`,
        { function: node.name, found: node.args.length });
    }
    const args = node.args.map((arg) => this.check(arg));
    const argAt = (i: number) => ({ source: node.args[i] as Expr, typed: args[i] as TypedExpr });
    const nullable = args.some((arg) => arg.nullable);
    const expect = (i: number, type: ValueType | 'number' | 'integer'): TypedExpr => {
      const { source, typed } = argAt(i);
      const ok = typed.type === 'null' || typed.type === type
        || (type === 'number' && isNumeric(typed.type)) || (type === 'integer' && (typed.type === 'int32' || typed.type === 'int64'));
      if (!ok) {
        throw this.#typeError(source, `${node.name}() argument ${i + 1} expects ${type}, found ${this.#describe(source, typed)}`,
          { function: node.name, argument: i + 1, expected: type, found: typed.type });
      }
      return typed;
    };
    const fn = node.name as FunctionName | 'if';
    switch (fn) {
      case 'lower': case 'upper': case 'trim':
        return { kind: 'call', fn, type: 'string', nullable, args: [castTo(expect(0, 'string'), 'string')] };
      case 'length':
        return { kind: 'call', fn, type: 'int32', nullable, args: [castTo(expect(0, 'string'), 'string')] };
      case 'starts_with': case 'ends_with': case 'contains':
        return { kind: 'call', fn, type: 'bool', nullable, args: [castTo(expect(0, 'string'), 'string'), castTo(expect(1, 'string'), 'string')] };
      case 'substr':
        return { kind: 'call', fn, type: 'string', nullable,
          args: args.map((_, i) => (i === 0 ? castTo(expect(0, 'string'), 'string') : castTo(expect(i, 'integer'), 'int64'))) };
      case 'concat':
        // Like PostgreSQL's concat(): null arguments count as '' so the result is never null.
        return { kind: 'call', fn, type: 'string', nullable: false, args: args.map((_, i) => castTo(expect(i, 'string'), 'string')) };
      case 'coalesce': {
        const type = this.#unifyAll(node, args, node.args, 'coalesce() arguments');
        return { kind: 'call', fn, type, nullable: args.every((arg) => arg.nullable), args: args.map((arg) => castTo(arg, type)) };
      }
      case 'abs': {
        const arg = expect(0, 'number');
        const type = arg.type === 'int32' ? 'int64' : arg.type;
        return { kind: 'call', fn, type, nullable: nullable || type === 'int64', args: [castTo(arg, type)] };
      }
      case 'round': case 'floor': case 'ceil': {
        const arg = expect(0, 'number');
        if (args.length === 2) {
          return { kind: 'call', fn, type: 'float64', nullable, args: [castTo(arg, 'float64'), castTo(expect(1, 'integer'), 'int64')] };
        }
        return { kind: 'call', fn, type: arg.type, nullable, args: [arg] };
      }
      case 'if': {
        const condition = expect(0, 'bool');
        return this.#caseOf(node, [{ when: castTo(condition, 'bool'), then: args[1] as TypedExpr }], args[2] as TypedExpr, node.args.slice(1));
      }
      default:
        // '||' is an operator, not a callable name; FUNCTIONS keeps it out of here.
        throw this.#typeError(node, `unknown function "${node.name}"`);
    }
  }
}

const ARITY: Readonly<Record<string, readonly [number, number]>> = {
  lower: [1, 1], upper: [1, 1], trim: [1, 1], length: [1, 1], concat: [1, Infinity], starts_with: [2, 2], ends_with: [2, 2],
  contains: [2, 2], substr: [2, 3], coalesce: [1, Infinity], abs: [1, 1], round: [1, 2], floor: [1, 1], ceil: [1, 1], if: [3, 3],
};

function literal(type: ValueType, value: number | bigint | string | boolean | null): TypedExpr {
  return { kind: 'literal', type, nullable: value === null, value };
}

/** The type two values share for case branches, coalesce and in-lists; undefined when none. */
function commonType(a: ValueType, b: ValueType): ValueType | undefined {
  if (a === b) return a;
  if (a === 'null') return b;
  if (b === 'null') return a;
  const ra = NUMERIC_RANK[a];
  const rb = NUMERIC_RANK[b];
  if (ra !== undefined && rb !== undefined) return ra > rb ? a : b;
  // A timestamp compares with integers: they are epoch counts in the field's unit.
  if ((a === 'timestamp' && (b === 'int32' || b === 'int64')) || (b === 'timestamp' && (a === 'int32' || a === 'int64'))) return 'timestamp';
  return undefined;
}

function comparableType(a: ValueType, b: ValueType): ValueType | undefined {
  return commonType(a, b);
}

/**
 * Wraps `expr` in a widening cast to `type`; literals are converted in place so the evaluator
 * sees a constant of the right type (int64 literals as bigint, float literals as number).
 */
export function castTo(expr: TypedExpr, type: ValueType): TypedExpr {
  if (expr.type === type) return expr;
  if (expr.kind === 'literal') {
    const value = expr.value;
    if (value === null) return { kind: 'literal', type, nullable: true, value: null };
    if (type === 'float64') return { kind: 'literal', type, nullable: false, value: Number(value) };
    if (type === 'int64' || type === 'timestamp') return { kind: 'literal', type, nullable: false, value: BigInt(value as number | bigint) };
  }
  if (expr.type === 'null') return { kind: 'literal', type, nullable: true, value: null };
  return { kind: 'cast', type, nullable: expr.nullable, operand: expr };
}

export type { FieldType };
