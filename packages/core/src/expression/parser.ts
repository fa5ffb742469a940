import type { BinaryOp, Expr, LiteralExpr } from './ast.js';
import { tokenize } from './lexer.js';
import type { Token } from './lexer.js';
import { expressionError } from './position.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const COMPARISON: Readonly<Record<string, BinaryOp>> = { '=': '=', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** The operators of one left-associative precedence level: tokens of one kind with these values. */
interface BinaryLevel {
  readonly kind: Token['kind'];
  readonly values: ReadonlySet<string>;
}

const level = (kind: Token['kind'], ...values: BinaryOp[]): BinaryLevel => ({ kind, values: new Set(values) });
// Loosest first; `not` and the predicates (comparison, is, in, between) sit between AND and CONCAT.
const OR = level('keyword', 'or');
const AND = level('keyword', 'and');
const CONCAT = level('op', '||');
const ADDITIVE = level('op', '+', '-');
const MULTIPLICATIVE = level('op', '*', '/', '%');

/**
 * Parses an expression of FlowEngine's filter/select language into a syntax tree. The text is
 * only ever read as data: nothing in it is evaluated as JavaScript.
 *
 * @throws FlowEngineError `FE_EXPR_SYNTAX` with `details.offset`, `line`, `column` and `excerpt`,
 *   e.g. "expected ')' at col 17, found 'and'".
 * @example
 * parseExpression("amount > 100 and status = 'paid'");
 */
export function parseExpression(text: string): Expr {
  return new Parser(text).parseAll();
}

class Parser {
  readonly #text: string;
  readonly #tokens: Token[];
  #index = 0;

  constructor(text: string) {
    this.#text = text;
    this.#tokens = tokenize(text);
  }

  parseAll(): Expr {
    if (this.#peek().kind === 'eof') throw this.#expected('an expression');
    const expr = this.#or();
    if (this.#peek().kind !== 'eof') {
      const next = this.#peek();
      const hint = next.kind === 'op' && next.value in COMPARISON
        ? 'the end of the expression (comparisons do not chain; join them with and)'
        : 'an operator or the end of the expression';
      throw this.#expected(hint);
    }
    return expr;
  }

  #peek(ahead = 0): Token {
    return this.#tokens[Math.min(this.#index + ahead, this.#tokens.length - 1)] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'eof') this.#index++;
    return token;
  }

  #is(kind: Token['kind'], value?: string): boolean {
    const token = this.#peek();
    return token.kind === kind && (value === undefined || token.value === value);
  }

  #accept(kind: Token['kind'], value: string): Token | undefined {
    return this.#is(kind, value) ? this.#next() : undefined;
  }

  #expect(kind: Token['kind'], value: string): Token {
    const token = this.#accept(kind, value);
    if (token === undefined) throw this.#expected(`'${value}'`);
    return token;
  }

  #expected(what: string, token = this.#peek()) {
    const found = token.kind === 'eof' ? 'the end of the expression' : `'${this.#text.slice(token.start, token.end)}'`;
    return expressionError('FE_EXPR_SYNTAX', this.#text, token.start, Math.max(1, token.end - token.start),
      `expected ${what} {at}, found ${found}`, { expected: what, found: token.kind === 'eof' ? null : this.#text.slice(token.start, token.end) });
  }

  #or(): Expr {
    return this.#leftAssociative(OR, () => this.#and());
  }

  #and(): Expr {
    return this.#leftAssociative(AND, () => this.#not());
  }

  #not(): Expr {
    const op = this.#accept('keyword', 'not');
    if (op === undefined) return this.#predicate();
    const operand = this.#not();
    return { kind: 'unary', op: 'not', operand, start: op.start, end: operand.end };
  }

  /** Comparison, `is [not] null`, `[not] in (...)`, `[not] between a and b`: at most one, they do not chain. */
  #predicate(): Expr {
    const left = this.#concat();
    const token = this.#peek();
    if (token.kind === 'op' && token.value in COMPARISON) {
      this.#next();
      const right = this.#concat();
      return { kind: 'binary', op: COMPARISON[token.value] as BinaryOp, left, right, opStart: token.start, start: left.start, end: right.end };
    }
    if (this.#accept('keyword', 'is') !== undefined) {
      const negated = this.#accept('keyword', 'not') !== undefined;
      const nullToken = this.#expect('keyword', 'null');
      return { kind: 'isNull', operand: left, negated, start: left.start, end: nullToken.end };
    }
    const negated = this.#is('keyword', 'not') && (this.#peek(1).value === 'in' || this.#peek(1).value === 'between')
      && this.#peek(1).kind === 'keyword';
    if (negated) this.#next();
    if (this.#accept('keyword', 'in') !== undefined) {
      this.#expect('op', '(');
      const list = [this.#or()];
      while (this.#accept('op', ',') !== undefined) list.push(this.#or());
      if (!this.#is('op', ')')) throw this.#expected("',' or ')'");
      const close = this.#next();
      return { kind: 'in', operand: left, list, negated, start: left.start, end: close.end };
    }
    if (this.#accept('keyword', 'between') !== undefined) {
      const low = this.#concat();
      this.#expect('keyword', 'and');
      const high = this.#concat();
      return { kind: 'between', operand: left, low, high, negated, start: left.start, end: high.end };
    }
    return left;
  }

  #concat(): Expr {
    return this.#leftAssociative(CONCAT, () => this.#additive());
  }

  #additive(): Expr {
    return this.#leftAssociative(ADDITIVE, () => this.#multiplicative());
  }

  #multiplicative(): Expr {
    return this.#leftAssociative(MULTIPLICATIVE, () => this.#unary());
  }

  /** `operand (op operand)*` for one precedence level, folded to the left: `a - b - c` is `(a - b) - c`. */
  #leftAssociative(ops: BinaryLevel, operand: () => Expr): Expr {
    let left = operand();
    for (let token = this.#peek(); token.kind === ops.kind && ops.values.has(token.value); token = this.#peek()) {
      this.#next();
      const right = operand();
      left = { kind: 'binary', op: token.value as BinaryOp, left, right, opStart: token.start, start: left.start, end: right.end };
    }
    return left;
  }

  #unary(): Expr {
    const minus = this.#accept('op', '-');
    if (minus === undefined) return this.#primary();
    // Folding `-` into a number literal keeps `-2147483648` an int32 rather than negated int64.
    if (this.#is('number')) return this.#number(this.#next(), minus.start, true);
    const operand = this.#unary();
    return { kind: 'unary', op: 'neg', operand, start: minus.start, end: operand.end };
  }

  #primary(): Expr {
    const token = this.#peek();
    switch (token.kind) {
      case 'number':
        return this.#number(this.#next(), token.start, false);
      case 'string':
        this.#next();
        return { kind: 'literal', literalType: 'string', value: token.value, start: token.start, end: token.end };
      case 'quoted':
        this.#next();
        if (token.value === '') throw expressionError('FE_EXPR_SYNTAX', this.#text, token.start, 2, 'expected a column name between the backquotes, found ``');
        return { kind: 'column', name: token.value, start: token.start, end: token.end };
      case 'ident': {
        this.#next();
        if (this.#accept('op', '(') === undefined) return { kind: 'column', name: token.value, start: token.start, end: token.end };
        const args: Expr[] = [];
        if (!this.#is('op', ')')) {
          args.push(this.#or());
          while (this.#accept('op', ',') !== undefined) args.push(this.#or());
        }
        if (!this.#is('op', ')')) throw this.#expected("',' or ')'");
        const close = this.#next();
        return { kind: 'call', name: token.value.toLowerCase(), args, start: token.start, end: close.end };
      }
      case 'keyword':
        if (token.value === 'true' || token.value === 'false') {
          this.#next();
          return { kind: 'literal', literalType: 'bool', value: token.value === 'true', start: token.start, end: token.end };
        }
        if (token.value === 'null') {
          this.#next();
          return { kind: 'literal', literalType: 'null', value: null, start: token.start, end: token.end };
        }
        if (token.value === 'case') return this.#case();
        throw this.#expected('a value, column or function call');
      case 'op':
        if (token.value === '(') {
          this.#next();
          const inner = this.#or();
          this.#expect('op', ')');
          return inner;
        }
        throw this.#expected('a value, column or function call');
      default:
        throw this.#expected('a value, column or function call');
    }
  }

  #case(): Expr {
    const open = this.#next();
    const subject = this.#is('keyword', 'when') ? null : this.#or();
    const whens: Array<{ when: Expr; then: Expr }> = [];
    while (this.#accept('keyword', 'when') !== undefined) {
      let when = this.#or();
      if (subject !== null) when = { kind: 'binary', op: '=', left: subject, right: when, opStart: when.start, start: when.start, end: when.end };
      this.#expect('keyword', 'then');
      whens.push({ when, then: this.#or() });
    }
    if (whens.length === 0) throw this.#expected("'when'");
    const otherwise = this.#accept('keyword', 'else') !== undefined ? this.#or() : null;
    if (!this.#is('keyword', 'end')) throw this.#expected(otherwise === null ? "'when', 'else' or 'end'" : "'end'");
    const close = this.#next();
    return { kind: 'case', whens, otherwise, start: open.start, end: close.end };
  }

  #number(token: Token, start: number, negative: boolean): LiteralExpr {
    const text = negative ? `-${token.value}` : token.value;
    if (/[.eE]/.test(token.value)) {
      return { kind: 'literal', literalType: 'float', value: Number(text), start, end: token.end };
    }
    const big = BigInt(text);
    if (big < INT64_MIN || big > INT64_MAX) {
      throw expressionError('FE_EXPR_SYNTAX', this.#text, start, token.end - start,
        `expected an integer within int64 range, found ${text} (write ${text}.0 for a float)`, { found: text });
    }
    const value = big >= BigInt(INT32_MIN) && big <= BigInt(INT32_MAX) ? Number(big) : big;
    return { kind: 'literal', literalType: 'int', value, start, end: token.end };
  }
}
