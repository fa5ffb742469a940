/**
 * Column kernels generated from fixed templates.
 *
 * Why code generation, and why it is safe: a comparison or arithmetic loop must have its operator
 * inlined to run at hundreds of millions of values per second, and a distinct function object
 * per (operator, operand shape, array kinds) keeps each loop monomorphic for V8. The generated
 * source is assembled ONLY from the string constants in this module: operators are looked up in
 * the `*_SNIPPETS` tables by a key the type checker produced, operand accessors are chosen from
 * two constants, and every value — literals from the user's expression included — is passed to
 * the kernel as an argument at run time. No text of the user's expression ever reaches `Function`.
 */
import type { ArithmeticOp, ComparisonOp } from './ast.js';

export type Shape = 'vv' | 'vc' | 'cv';

const COMPARE_SNIPPETS: Readonly<Record<ComparisonOp, string>> = {
  '=': '===', '!=': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
};

const ARITH_SNIPPETS: Readonly<Record<ArithmeticOp, string>> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%',
};

const cache = new Map<string, Function>();

function generated(key: string, params: readonly string[], body: string): Function {
  let fn = cache.get(key);
  if (fn === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the module comment: template-only source.
    fn = new Function(...params, body) as Function;
    cache.set(key, fn);
  }
  return fn;
}

function access(shape: Shape, side: 'a' | 'b'): string {
  const constant = side === 'a' ? shape === 'cv' : shape === 'vc';
  return constant ? side : `${side}[i]`;
}

/**
 * `out[i] = +(a OP b)` over number-valued arrays (Int32Array, Float64Array, byte bools). Written as
 * `+(…)`, not `… ? 1 : 0`: V8 compiles the ternary to a branch, and on real data (a filter keeping
 * about half the rows) the mispredictions made the loop 5x slower (5.4 vs 0.9 ns a value here).
 */
export type NumCompareKernel = (n: number, a: unknown, b: unknown, out: Uint8Array) => void;

export function numCompare(op: ComparisonOp, shape: Shape, kinds: string): NumCompareKernel {
  const snippet = COMPARE_SNIPPETS[op];
  return generated(`numCompare${op}${shape}${kinds}`, ['n', 'a', 'b', 'out'],
    `for (let i = 0; i < n; i++) { out[i] = +(${access(shape, 'a')} ${snippet} ${access(shape, 'b')}); }`) as NumCompareKernel;
}

/** `out[i] = a OP b` where out has the type of the operation (float64 or int32 for `%`). */
export type NumArithKernel = (n: number, a: unknown, b: unknown, out: Int32Array | Float64Array) => void;

export function numArith(op: ArithmeticOp, shape: Shape, kinds: string): NumArithKernel {
  const snippet = ARITH_SNIPPETS[op];
  return generated(`numArith${op}${shape}${kinds}`, ['n', 'a', 'b', 'out'],
    `for (let i = 0; i < n; i++) { out[i] = ${access(shape, 'a')} ${snippet} ${access(shape, 'b')}; }`) as NumArithKernel;
}

/**
 * int32 (+ - *) int32 into int64 words. Sums and differences are exact in doubles; a product past
 * 2^53 takes the bigint path (exact, |a*b| < 2^62).
 */
export type WideningKernel = (n: number, a: unknown, b: unknown, words: Int32Array, big: BigInt64Array) => void;

export function int32Widening(op: '+' | '-' | '*', shape: Shape): WideningKernel {
  const snippet = ARITH_SNIPPETS[op];
  return generated(`int32Widening${op}${shape}`, ['n', 'a', 'b', 'words', 'big'],
    `for (let i = 0; i < n; i++) {
      const x = ${access(shape, 'a')}; const y = ${access(shape, 'b')};
      const r = x ${snippet} y;
      if (r >= -9007199254740991 && r <= 9007199254740991) {
        const hi = Math.floor(r / 4294967296);
        words[2 * i] = (r - hi * 4294967296) | 0; words[2 * i + 1] = hi;
      } else big[i] = BigInt(x) ${snippet} BigInt(y);
    }`) as WideningKernel;
}

/**
 * int64 (+ - * %) int64 over the 32-bit words: when both operands and the result are within
 * ±2^53 the double result is exact; otherwise `slow(i)` does it in bigint and nulls overflow.
 * A constant operand arrives as (hi, lo) numbers in place of the word array.
 */
export type Int64ArithKernel = (n: number, aw: unknown, al: number, bw: unknown, bl: number, out: Int32Array, slow: (i: number) => void) => void;

export function int64Arith(op: '+' | '-' | '*' | '%', shape: Shape): Int64ArithKernel {
  const snippet = ARITH_SNIPPETS[op];
  const hi = (side: 'a' | 'b') => (access(shape, side) === side ? `${side}w` : `${side}w[2 * i + 1]`);
  const lo = (side: 'a' | 'b') => (access(shape, side) === side ? `${side}l` : `(${side}w[2 * i] >>> 0)`);
  return generated(`int64Arith${op}${shape}`, ['n', 'aw', 'al', 'bw', 'bl', 'out', 'slow'],
    `for (let i = 0; i < n; i++) {
      const xh = ${hi('a')}; const yh = ${hi('b')};
      if (xh >= -2097152 && xh < 2097152 && yh >= -2097152 && yh < 2097152) {
        const x = xh * 4294967296 + ${lo('a')}; const y = yh * 4294967296 + ${lo('b')};
        const r = x ${snippet} y;
        if (r >= -9007199254740991 && r <= 9007199254740991) {
          const h = Math.floor(r / 4294967296);
          out[2 * i] = (r - h * 4294967296) | 0; out[2 * i + 1] = h;
          continue;
        }
      }
      slow(i);
    }`) as Int64ArithKernel;
}

/** int64 comparison on (signed high word, unsigned low word) pairs: no bigint, no rounding. */
export type Int64CompareKernel = (n: number, aw: unknown, al: number, bw: unknown, bl: number, out: Uint8Array) => void;

export function int64Compare(op: ComparisonOp, shape: Shape): Int64CompareKernel {
  const snippet = COMPARE_SNIPPETS[op];
  const hi = (side: 'a' | 'b') => (access(shape, side) === side ? `${side}w` : `${side}w[2 * i + 1]`);
  const lo = (side: 'a' | 'b') => (access(shape, side) === side ? `${side}l` : `(${side}w[2 * i] >>> 0)`);
  return generated(`int64Compare${op}${shape}`, ['n', 'aw', 'al', 'bw', 'bl', 'out'],
    `for (let i = 0; i < n; i++) {
      const xh = ${hi('a')}; const yh = ${hi('b')};
      out[i] = +(xh !== yh ? xh ${snippet} yh : ${lo('a')} ${snippet} ${lo('b')});
    }`) as Int64CompareKernel;
}
