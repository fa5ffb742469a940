import { roundHalfAway, roundTo, substrBounds } from './scalar.js';
import type { TypedExpr } from './typed.js';

/** A row as plain values: int32/float64 `number`, int64/timestamp `bigint`, bool, string, null. */
export type RowValue = number | bigint | string | boolean | null;
export type RowObject = Readonly<Record<string, RowValue | undefined>>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The language's semantics written the plain way: one row object at a time, with bigint for every
 * 64-bit integer. Slow and obviously right; the property tests hold the compiled evaluator to it.
 */
export function evaluateRow(expr: TypedExpr, row: RowObject): RowValue {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'column':
      return row[expr.name] ?? null;
    case 'cast': {
      const v = evaluateRow(expr.operand, row);
      if (v === null) return null;
      if (expr.type === 'float64') return Number(v);
      if (expr.type === 'int64' || expr.type === 'timestamp') return BigInt(v as number | bigint);
      return v;
    }
    case 'neg': {
      const v = evaluateRow(expr.operand, row);
      if (v === null) return null;
      return typeof v === 'bigint' ? checked(-v) : -(v as number);
    }
    case 'not': {
      const v = evaluateRow(expr.operand, row);
      return v === null ? null : !v;
    }
    case 'arith':
      return arith(expr.op, expr.type, evaluateRow(expr.left, row), evaluateRow(expr.right, row));
    case 'compare': {
      const a = evaluateRow(expr.left, row);
      const b = evaluateRow(expr.right, row);
      if (a === null || b === null) return null;
      const c = compare(a, b);
      if (Number.isNaN(c)) return expr.op === '!=';
      switch (expr.op) {
        case '=': return c === 0;
        case '!=': return c !== 0;
        case '<': return c < 0;
        case '<=': return c <= 0;
        case '>': return c > 0;
        case '>=': return c >= 0;
      }
    }
    // falls through: unreachable, the switch above returns for every operator
    case 'and': {
      const a = evaluateRow(expr.left, row);
      const b = evaluateRow(expr.right, row);
      if (a === false || b === false) return false;
      return a === null || b === null ? null : true;
    }
    case 'or': {
      const a = evaluateRow(expr.left, row);
      const b = evaluateRow(expr.right, row);
      if (a === true || b === true) return true;
      return a === null || b === null ? null : false;
    }
    case 'isNull':
      return (evaluateRow(expr.operand, row) === null) !== expr.negated;
    case 'in': {
      const v = evaluateRow(expr.operand, row);
      if (v === null) return null;
      let sawNull = false;
      for (const item of expr.list) {
        const w = evaluateRow(item, row);
        if (w === null) sawNull = true;
        else if (compare(v, w) === 0) return !expr.negated;
      }
      return sawNull ? null : expr.negated;
    }
    case 'case': {
      for (const { when, then } of expr.whens) {
        if (evaluateRow(when, row) === true) return evaluateRow(then, row);
      }
      return evaluateRow(expr.otherwise, row);
    }
    case 'call':
      return call(expr, row);
  }
}

function checked(v: bigint): bigint | null {
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

function arith(op: string, type: string, a: RowValue, b: RowValue): RowValue {
  if (a === null || b === null) return null;
  if (op === '/') return (b as number) === 0 ? null : (a as number) / (b as number);
  if (typeof a === 'bigint' || type === 'int64') {
    const x = BigInt(a as number | bigint);
    const y = BigInt(b as number | bigint);
    switch (op) {
      case '+': return checked(x + y);
      case '-': return checked(x - y);
      case '*': return checked(x * y);
      default: return y === 0n ? null : x % y;
    }
  }
  const x = a as number;
  const y = b as number;
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    // int32 % keeps no negative zero: an Int32Array cannot hold one.
    default: return y === 0 ? null : type === 'int32' ? (x % y) + 0 : x % y;
  }
}

/** Orders strings by code point (= UTF-8 byte order), not by JS's UTF-16 units. */
function compare(a: RowValue, b: RowValue): number {
  if (typeof a === 'string') {
    const x = Array.from(a, (ch) => ch.codePointAt(0) as number);
    const y = Array.from(b as string, (ch) => ch.codePointAt(0) as number);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    }
    return x.length - y.length;
  }
  if (typeof a === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'bigint') return a < (b as bigint) ? -1 : a > (b as bigint) ? 1 : 0;
  const x = a as number;
  const y = b as number;
  return x < y ? -1 : x > y ? 1 : x === y ? 0 : Number.NaN;
}

function call(expr: Extract<TypedExpr, { kind: 'call' }>, row: RowObject): RowValue {
  const args = expr.args.map((arg) => evaluateRow(arg, row));
  if (expr.fn === 'concat') return args.map((arg) => arg ?? '').join('');
  if (expr.fn === 'coalesce') return args.find((arg) => arg !== null) ?? null;
  if (args.some((arg) => arg === null)) return null;
  const s = args[0] as string;
  switch (expr.fn) {
    case '||': return s + (args[1] as string);
    case 'lower': return s.toLowerCase();
    case 'upper': return s.toUpperCase();
    case 'trim': return s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
    case 'length': return Array.from(s).length;
    case 'starts_with': return s.startsWith(args[1] as string);
    case 'ends_with': return s.endsWith(args[1] as string);
    case 'contains': return s.includes(args[1] as string);
    case 'substr': {
      const points = Array.from(s);
      const [from, to] = substrBounds(points.length, clampNumber(args[1] as bigint), args.length > 2 ? clampNumber(args[2] as bigint) : undefined);
      return points.slice(from, to).join('');
    }
    case 'abs': {
      const v = args[0] as number | bigint;
      return typeof v === 'bigint' ? checked(v < 0n ? -v : v) : Math.abs(v);
    }
    case 'round':
      if (args.length === 2) return roundTo(args[0] as number, clampNumber(args[1] as bigint));
      return typeof args[0] === 'number' && expr.type === 'float64' ? roundHalfAway(args[0]) : args[0] as RowValue;
    case 'floor':
      return expr.type === 'float64' ? Math.floor(args[0] as number) : args[0] as RowValue;
    case 'ceil':
      return expr.type === 'float64' ? Math.ceil(args[0] as number) : args[0] as RowValue;
    default:
      return null;
  }
}

/** int64 positions and counts beyond any string's length behave like ±2^53. */
function clampNumber(v: bigint): number {
  return v > 2n ** 53n ? 2 ** 53 : v < -(2n ** 53n) ? -(2 ** 53) : Number(v);
}
