import type { Chunk } from '@flowengine/sdk';
import type { ComparisonOp } from './ast.js';
import { int32Widening, int64Arith, int64Compare, numArith, numCompare } from './kernels.js';
import type { Shape } from './kernels.js';
import { evaluateRow } from './reference.js';
import { roundHalfAway, roundTo } from './scalar.js';
import * as str from './strings.js';
import type { TypedExpr, ValueType } from './typed.js';
import {
  andValid, bitmapBytes, broadcast, clearBit, columnToVec, copyValid, i64, isValid, toVec,
} from './vector.js';
import type { BoolVec, Const, I64Vec, NumVec, StrVec, Val, Vec } from './vector.js';

/** Evaluates one node over the first `n` rows of a chunk. */
export type NodeFn = (chunk: Chunk, n: number) => Val;

const TWO_32 = 4294967296;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const TESTS: Readonly<Record<ComparisonOp, (c: number) => boolean>> = {
  '=': (c) => c === 0, '!=': (c) => c !== 0, '<': (c) => c < 0, '<=': (c) => c <= 0, '>': (c) => c > 0, '>=': (c) => c >= 0,
};

/**
 * Turns a checked tree into nested closures, each running one tight loop over typed arrays per
 * chunk. Built once per (expression, schema); subtrees without columns are folded to constants.
 */
export function compileNode(expr: TypedExpr): NodeFn {
  if (expr.kind !== 'literal' && !hasColumn(expr)) {
    const value = evaluateRow(expr, {});
    return () => ({ kind: 'const', value });
  }
  switch (expr.kind) {
    case 'literal': {
      const value: Const = { kind: 'const', value: expr.value };
      return () => value;
    }
    case 'column': {
      const index = expr.index;
      return (chunk, n) => columnToVec(chunk.columns[index] as Parameters<typeof columnToVec>[0], n);
    }
    case 'cast': return compileCast(expr.type, expr.operand);
    case 'neg': {
      if (expr.type === 'float64') {
        const operand = compileNode(expr.operand);
        return (chunk, n) => {
          const a = operand(chunk, n) as NumVec;
          const out = new Float64Array(n);
          const v = a.values;
          for (let i = 0; i < n; i++) out[i] = -(v[i] as number);
          return { kind: 'f64', values: out, valid: a.valid };
        };
      }
      return compileArith({ kind: 'arith', op: '-', type: expr.type, nullable: true, left: { kind: 'literal', type: expr.type, nullable: false, value: 0n }, right: expr.operand });
    }
    case 'not': {
      const operand = compileNode(expr.operand);
      return (chunk, n) => {
        const a = operand(chunk, n) as BoolVec;
        const out = new Uint8Array(n);
        const v = a.values;
        for (let i = 0; i < n; i++) out[i] = 1 - (v[i] as number);
        return { kind: 'bool', values: out, valid: a.valid };
      };
    }
    case 'arith': return compileArith(expr);
    case 'compare': return compileCompare(expr);
    case 'and': case 'or': return compileLogic(expr.kind, compileNode(expr.left), compileNode(expr.right));
    case 'isNull': {
      const operand = compileNode(expr.operand);
      const negated = expr.negated;
      return (chunk, n) => {
        const a = operand(chunk, n) as Vec;
        const out = new Uint8Array(n);
        const valid = a.valid;
        if (valid === null) out.fill(negated ? 1 : 0);
        else for (let i = 0; i < n; i++) out[i] = +((((valid[i >> 3] as number) >> (i & 7)) & 1) === (negated ? 1 : 0));
        return { kind: 'bool', values: out, valid: null };
      };
    }
    case 'in': {
      // `x in (a, b)` is `x = a or x = b` under three-valued logic; `not in` its negation.
      const alternatives = expr.list.map((item): TypedExpr => ({ kind: 'compare', type: 'bool', op: '=', nullable: true, left: expr.operand, right: item }));
      let combined = alternatives[0] as TypedExpr;
      for (const next of alternatives.slice(1)) combined = { kind: 'or', type: 'bool', nullable: true, left: combined, right: next };
      return compileNode(expr.negated ? { kind: 'not', type: 'bool', nullable: true, operand: combined } : combined);
    }
    case 'case': return compileCase(expr);
    case 'call': return compileCall(expr);
  }
}

function hasColumn(expr: TypedExpr): boolean {
  switch (expr.kind) {
    case 'literal': return false;
    case 'column': return true;
    case 'cast': case 'neg': case 'not': case 'isNull': return hasColumn(expr.operand);
    case 'arith': case 'compare': case 'and': case 'or': return hasColumn(expr.left) || hasColumn(expr.right);
    case 'in': return hasColumn(expr.operand) || expr.list.some(hasColumn);
    case 'call': return expr.args.some(hasColumn);
    case 'case': return expr.whens.some((w) => hasColumn(w.when) || hasColumn(w.then)) || hasColumn(expr.otherwise);
  }
}

function kindOf(val: Val): string {
  return val.kind === 'const' ? 'c' : val.kind;
}

function shapeOf(a: Val, b: Val): Shape {
  return a.kind === 'const' ? 'cv' : b.kind === 'const' ? 'vc' : 'vv';
}

function operand(val: Val): unknown {
  return val.kind === 'const' ? val.value : (val as NumVec).values;
}

function validOf(a: Val, b: Val, n: number): Uint8Array | null {
  return andValid(a.kind === 'const' ? null : a.valid, b.kind === 'const' ? null : b.valid, n);
}

function isNullConst(val: Val): boolean {
  return val.kind === 'const' && val.value === null;
}

/** (signed high word, unsigned low word) of an int64 constant, or of the word array of a vector. */
function hiLo(val: Val): [unknown, number] {
  if (val.kind !== 'const') return [(val as I64Vec).words, 0];
  const v = val.value as bigint;
  return [Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asUintN(32, v))];
}

function bigAt(val: Val): (i: number) => bigint {
  if (val.kind === 'const') {
    const v = val.value as bigint;
    return () => v;
  }
  const values = (val as I64Vec).values;
  return (i) => values[i] as bigint;
}

function compileCast(type: ValueType, operandExpr: TypedExpr): NodeFn {
  const operandFn = compileNode(operandExpr);
  const from = operandExpr.type;
  return (chunk, n) => {
    const a = operandFn(chunk, n) as Vec;
    if (type === 'float64') {
      const out = new Float64Array(n);
      if (a.kind === 'i64') {
        const w = a.words;
        for (let i = 0; i < n; i++) out[i] = (w[2 * i + 1] as number) * TWO_32 + ((w[2 * i] as number) >>> 0);
      } else {
        const v = (a as NumVec).values;
        for (let i = 0; i < n; i++) out[i] = v[i] as number;
      }
      return { kind: 'f64', values: out, valid: a.valid };
    }
    if ((type === 'int64' || type === 'timestamp') && from === 'int32') {
      const out = new BigInt64Array(n);
      const words = new Int32Array(out.buffer);
      const v = (a as NumVec).values;
      for (let i = 0; i < n; i++) {
        const x = v[i] as number;
        words[2 * i] = x;
        words[2 * i + 1] = x < 0 ? -1 : 0;
      }
      return i64(out, a.valid);
    }
    return a; // int64 <-> timestamp share their representation
  };
}

function allNull(type: ValueType, n: number): Vec {
  return broadcast(null, type, n);
}

function compileArith(expr: Extract<TypedExpr, { kind: 'arith' }>): NodeFn {
  const left = compileNode(expr.left);
  const right = compileNode(expr.right);
  const { op, type } = expr;
  const operandType = expr.left.type;
  return (chunk, n) => {
    const a = left(chunk, n);
    const b = right(chunk, n);
    if (isNullConst(a) || isNullConst(b)) return allNull(type, n);
    const shape = shapeOf(a, b);
    let valid = validOf(a, b, n);
    let result: Vec;
    if (operandType === 'int32' && op !== '%') {
      const out = new BigInt64Array(n);
      int32Widening(op as '+' | '-' | '*', shape)(n, operand(a), operand(b), new Int32Array(out.buffer), out);
      result = i64(out, valid);
    } else if (operandType === 'int64') {
      const out = new BigInt64Array(n);
      const words = new Int32Array(out.buffer);
      const [aw, al] = hiLo(a);
      const [bw, bl] = hiLo(b);
      const x = bigAt(a);
      const y = bigAt(b);
      let overflow: Uint8Array | null = null;
      const slow = (i: number): void => {
        const yi = y(i);
        if (op === '%' && yi === 0n) return; // nulled with the other zero divisors below
        const xi = x(i);
        const r = op === '+' ? xi + yi : op === '-' ? xi - yi : op === '*' ? xi * yi : xi % yi;
        if (r < INT64_MIN || r > INT64_MAX) {
          overflow ??= copyValid(valid, n);
          clearBit(overflow, i);
        } else out[i] = r;
      };
      int64Arith(op as '+' | '-' | '*' | '%', shape)(n, aw, al, bw, bl, words, slow);
      if (overflow !== null) valid = overflow;
      result = i64(out, valid);
    } else {
      const out = type === 'int32' ? new Int32Array(n) : new Float64Array(n);
      numArith(op, shape, kindOf(a) + kindOf(b))(n, operand(a), operand(b), out);
      result = { kind: type === 'int32' ? 'i32' : 'f64', values: out, valid } as NumVec;
    }
    if (op === '/' || op === '%') return nullZeroDivisors(result, b, n);
    return result;
  };
}

/** Division or remainder by zero is null (documented), not Infinity/NaN and not an error. */
function nullZeroDivisors(result: Vec, divisor: Val, n: number): Vec {
  if (divisor.kind === 'const') {
    const zero = divisor.value === 0 || divisor.value === 0n;
    return zero ? { ...result, valid: new Uint8Array(bitmapBytes(n)) } as Vec : result;
  }
  let valid: Uint8Array | null = null;
  if (divisor.kind === 'i64') {
    const w = divisor.words;
    for (let i = 0; i < n; i++) {
      if (w[2 * i] === 0 && w[2 * i + 1] === 0) {
        valid ??= copyValid(result.valid, n);
        clearBit(valid, i);
      }
    }
  } else {
    const v = (divisor as NumVec).values;
    for (let i = 0; i < n; i++) {
      if (v[i] === 0) {
        valid ??= copyValid(result.valid, n);
        clearBit(valid, i);
      }
    }
  }
  return valid === null ? result : { ...result, valid } as Vec;
}

function compileCompare(expr: Extract<TypedExpr, { kind: 'compare' }>): NodeFn {
  const left = compileNode(expr.left);
  const right = compileNode(expr.right);
  const { op } = expr;
  const type = expr.left.type;
  return (chunk, n) => {
    const a = left(chunk, n);
    const b = right(chunk, n);
    if (isNullConst(a) || isNullConst(b)) return allNull('bool', n);
    const out = new Uint8Array(n);
    const shape = shapeOf(a, b);
    if (type === 'int64' || type === 'timestamp') {
      const [aw, al] = hiLo(a);
      const [bw, bl] = hiLo(b);
      int64Compare(op, shape)(n, aw, al, bw, bl, out);
    } else if (type === 'string') {
      if (shape === 'vv') str.compareStrings(n, a as StrVec, b as StrVec, TESTS[op], out);
      else {
        const vec = (shape === 'vc' ? a : b) as StrVec;
        const needle = str.encode(((shape === 'vc' ? b : a) as Const).value as string);
        if (op === '=' || op === '!=') {
          str.equalsConst(n, vec, needle, out);
          if (op === '!=') for (let i = 0; i < n; i++) out[i] = 1 - (out[i] as number);
        } else str.compareConst(n, vec, needle, shape === 'cv', TESTS[op], out);
      }
    } else {
      const av = a.kind === 'const' && typeof a.value === 'boolean' ? { kind: 'const', value: Number(a.value) } as Const : a;
      const bv = b.kind === 'const' && typeof b.value === 'boolean' ? { kind: 'const', value: Number(b.value) } as Const : b;
      numCompare(op, shape, kindOf(a) + kindOf(b))(n, operand(av), operand(bv), out);
    }
    return { kind: 'bool', values: out, valid: validOf(a, b, n) };
  };
}

/** Three-valued and/or: false and null = false, true or null = true, otherwise null wins. */
function compileLogic(kind: 'and' | 'or', left: NodeFn, right: NodeFn): NodeFn {
  const dominant = kind === 'and' ? 0 : 1;
  return (chunk, n) => {
    const a = toVec(left(chunk, n), 'bool', n) as BoolVec;
    const b = toVec(right(chunk, n), 'bool', n) as BoolVec;
    const out = new Uint8Array(n);
    const x = a.values;
    const y = b.values;
    if (a.valid === null && b.valid === null) {
      if (kind === 'and') for (let i = 0; i < n; i++) out[i] = (x[i] as number) & (y[i] as number);
      else for (let i = 0; i < n; i++) out[i] = (x[i] as number) | (y[i] as number);
      return { kind: 'bool', values: out, valid: null };
    }
    const valid = new Uint8Array(bitmapBytes(n));
    for (let i = 0; i < n; i++) {
      const va = isValid(a.valid, i);
      const vb = isValid(b.valid, i);
      if ((va && x[i] === dominant) || (vb && y[i] === dominant)) out[i] = dominant;
      else if (va && vb) out[i] = 1 - dominant;
      else continue;
      valid[i >> 3] = (valid[i >> 3] as number) | (1 << (i & 7));
    }
    return { kind: 'bool', values: out, valid };
  };
}

/** Per-row choice among same-typed vectors: `from[i]` is the source of row i, -1 for null. */
function pick(type: ValueType, n: number, sources: readonly Vec[], from: Int32Array): Vec {
  const valid = new Uint8Array(bitmapBytes(n));
  for (let i = 0; i < n; i++) {
    const s = from[i] as number;
    if (s >= 0 && isValid((sources[s] as Vec).valid, i)) valid[i >> 3] = (valid[i >> 3] as number) | (1 << (i & 7));
  }
  if (type === 'string') {
    const parts = sources as readonly StrVec[];
    const chosen = parts.map((part, s) => ({ ...part, valid: maskFor(from, s, n) }));
    return { ...str.concat(n, chosen, null, true), valid };
  }
  if (type === 'int64' || type === 'timestamp') {
    const out = new BigInt64Array(n);
    const words = new Int32Array(out.buffer);
    for (let i = 0; i < n; i++) {
      const s = from[i] as number;
      if (s < 0) continue;
      const w = (sources[s] as I64Vec).words;
      words[2 * i] = w[2 * i] as number;
      words[2 * i + 1] = w[2 * i + 1] as number;
    }
    return i64(out, valid);
  }
  const out = type === 'int32' ? new Int32Array(n) : type === 'float64' ? new Float64Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = from[i] as number;
    if (s >= 0) out[i] = (sources[s] as NumVec | BoolVec).values[i] as number;
  }
  const kind = type === 'int32' ? 'i32' : type === 'float64' ? 'f64' : 'bool';
  return { kind, values: out, valid } as Vec;
}

function maskFor(from: Int32Array, s: number, n: number): Uint8Array {
  const mask = new Uint8Array(bitmapBytes(n));
  for (let i = 0; i < n; i++) if (from[i] === s) mask[i >> 3] = (mask[i >> 3] as number) | (1 << (i & 7));
  return mask;
}

function compileCase(expr: Extract<TypedExpr, { kind: 'case' }>): NodeFn {
  const conditions = expr.whens.map((w) => compileNode(w.when));
  const results = [...expr.whens.map((w) => compileNode(w.then)), compileNode(expr.otherwise)];
  const type = expr.type === 'null' ? 'bool' : expr.type;
  return (chunk, n) => {
    const from = new Int32Array(n).fill(conditions.length);
    const decided = new Uint8Array(n);
    conditions.forEach((condition, s) => {
      const c = toVec(condition(chunk, n), 'bool', n) as BoolVec;
      for (let i = 0; i < n; i++) {
        if (decided[i] === 0 && c.values[i] === 1 && isValid(c.valid, i)) {
          from[i] = s;
          decided[i] = 1;
        }
      }
    });
    return pick(type, n, results.map((r) => toVec(r(chunk, n), type, n)), from);
  };
}

function compileCall(expr: Extract<TypedExpr, { kind: 'call' }>): NodeFn {
  const args = expr.args.map(compileNode);
  const types = expr.args.map((arg) => arg.type);
  const type = expr.type === 'null' ? 'bool' : expr.type;
  const vecs = (chunk: Chunk, n: number): Vec[] => args.map((arg, i) => toVec(arg(chunk, n), types[i] as ValueType, n));
  switch (expr.fn) {
    case 'lower': case 'upper':
      return (chunk, n) => str.changeCase(expr.fn === 'upper', n, vecs(chunk, n)[0] as StrVec);
    case 'trim':
      return (chunk, n) => str.trim(n, vecs(chunk, n)[0] as StrVec);
    case 'length':
      return (chunk, n) => str.length(n, vecs(chunk, n)[0] as StrVec);
    case 'starts_with': case 'ends_with': case 'contains': {
      const fn = expr.fn;
      return (chunk, n) => {
        const [a, b] = vecs(chunk, n) as [StrVec, StrVec];
        return str.search(fn, n, a, b, andValid(a.valid, b.valid, n));
      };
    }
    case '||': case 'concat': {
      const skipNulls = expr.fn === 'concat';
      return (chunk, n) => {
        const parts = vecs(chunk, n) as StrVec[];
        const valid = parts.reduce<Uint8Array | null>((acc, part) => andValid(acc, part.valid, n), null);
        return str.concat(n, parts, valid, skipNulls);
      };
    }
    case 'substr':
      return (chunk, n) => {
        const [s, start, count] = vecs(chunk, n) as [StrVec, I64Vec, I64Vec | undefined];
        let valid = andValid(s.valid, start.valid, n);
        if (count !== undefined) valid = andValid(valid, count.valid, n);
        const at = (v: I64Vec) => (i: number) => clampedNumber(v.words, i);
        return str.substr(n, s, at(start), count === undefined ? undefined : at(count), valid);
      };
    case 'coalesce':
      return (chunk, n) => {
        const sources = vecs(chunk, n);
        const from = new Int32Array(n).fill(-1);
        for (let i = 0; i < n; i++) {
          for (let s = 0; s < sources.length; s++) {
            if (isValid((sources[s] as Vec).valid, i)) {
              from[i] = s;
              break;
            }
          }
        }
        return pick(type, n, sources, from);
      };
    case 'abs':
      if (type === 'float64') return mapFloat(args[0] as NodeFn, Math.abs);
      return compileNode({ kind: 'case', type, nullable: true,
        whens: [{ when: { kind: 'compare', type: 'bool', op: '<', nullable: true, left: expr.args[0] as TypedExpr, right: { kind: 'literal', type, nullable: false, value: 0n } },
          then: { kind: 'neg', type, nullable: true, operand: expr.args[0] as TypedExpr } }],
        otherwise: expr.args[0] as TypedExpr });
    case 'round': case 'floor': case 'ceil': {
      if (type !== 'float64') return args[0] as NodeFn; // integers are already whole
      if (expr.args.length === 1) return mapFloat(args[0] as NodeFn, expr.fn === 'round' ? roundHalfAway : expr.fn === 'floor' ? Math.floor : Math.ceil);
      return (chunk, n) => {
        const [x, d] = vecs(chunk, n) as [NumVec, I64Vec];
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = roundTo(x.values[i] as number, clampedNumber(d.words, i));
        return { kind: 'f64', values: out, valid: andValid(x.valid, d.valid, n) };
      };
    }
  }
}

function mapFloat(arg: NodeFn, fn: (x: number) => number): NodeFn {
  return (chunk, n) => {
    const a = arg(chunk, n) as NumVec;
    const out = new Float64Array(n);
    const v = a.values;
    for (let i = 0; i < n; i++) out[i] = fn(v[i] as number);
    return { kind: 'f64', values: out, valid: a.valid };
  };
}

/** An int64 as a number, clamped to ±2^53 (positions and counts beyond that mean "everything"). */
function clampedNumber(words: Int32Array, i: number): number {
  const hi = words[2 * i + 1] as number;
  if (hi >= 2097152) return 2 ** 53;
  if (hi < -2097152) return -(2 ** 53);
  return hi * TWO_32 + ((words[2 * i] as number) >>> 0);
}
