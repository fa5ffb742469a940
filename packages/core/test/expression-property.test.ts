import { Schema, chunkFromRows } from '@flowengine/sdk';
import type { Column } from '@flowengine/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpression, evaluateRow, filterChunk } from '../src/index.js';
import type { RowObject, RowValue } from '../src/index.js';

// Random expressions over random chunks: the compiled, vectorised evaluator must agree row for
// row with the reference interpreter (evaluateRow), which is written the plain, bigint way.

const schema = Schema.of([
  { name: 'i', type: 'int32' }, { name: 'j', type: 'int32' }, { name: 'b', type: 'int64' }, { name: 'f', type: 'float64' },
  { name: 's', type: 'string' }, { name: 't', type: 'string' }, { name: 'flag', type: 'bool' },
]);

const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });
const int32 = fc.oneof(fc.integer({ min: -4, max: 4 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1));
const int64 = fc.oneof(fc.bigInt({ min: -4n, max: 4n }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 4294967296n, -4294967296n),
  fc.bigInt({ min: -(2n ** 54n), max: 2n ** 54n }));
const float = fc.oneof(fc.integer({ min: -4, max: 4 }).map((x) => x + 0.5), fc.constantFrom(0, -0, 1.5, -2.5), fc.double());
const text = fc.oneof(fc.constantFrom('', 'a', 'ab', 'A', ' a ', '\tb\n', 'É', 'é', 'ß', '😀x', 'x😀', '\uFFFDz', 'Straße', 'ab😀cd'),
  fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'grapheme-ascii', maxLength: 6 }));

const rowArb = fc.record({
  i: nullable(int32), j: nullable(int32), b: nullable(int64), f: nullable(float),
  s: nullable(text), t: nullable(text), flag: nullable(fc.boolean()),
});

type Kind = 'num' | 'int' | 'bool' | 'str';

const lit = {
  int: fc.oneof(fc.integer({ min: -3, max: 3 }).map(String), fc.constantFrom('2147483647', '-2147483648', '9007199254740993', '0')),
  num: fc.constantFrom('0', '1', '-1', '2.5', '-0.5', '3', '1e3', '0.0', '9223372036854775807'),
  str: fc.constantFrom("''", "'a'", "'ab'", "'É'", "'😀'", "' a '", "'it''s'", "'Straße'"),
};

function expr(kind: Kind, depth: number): fc.Arbitrary<string> {
  const leaf: Record<Kind, fc.Arbitrary<string>> = {
    int: fc.oneof(fc.constantFrom('i', 'j', 'b'), lit.int),
    num: fc.oneof(fc.constantFrom('i', 'j', 'b', 'f', 'f', 'null'), lit.num),
    bool: fc.constantFrom('flag', 'true', 'false', 'null', '(flag is null)'),
    str: fc.oneof(fc.constantFrom('s', 't', 's'), lit.str),
  };
  if (depth <= 0) return leaf[kind];
  const sub = (k: Kind) => expr(k, depth - 1);
  const rules: Record<Kind, Array<fc.Arbitrary<string>>> = {
    int: [
      fc.tuple(sub('int'), fc.constantFrom('+', '-', '*', '%'), sub('int')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      sub('int').map((a) => `-(${a})`), sub('int').map((a) => `abs(${a})`), sub('str').map((a) => `length(${a})`),
      fc.tuple(sub('int'), sub('int')).map(([a, b]) => `coalesce(${a}, ${b})`),
    ],
    num: [
      fc.tuple(sub('num'), fc.constantFrom('+', '-', '*', '/', '%'), sub('num')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      sub('num').map((a) => `-(${a})`),
      fc.tuple(fc.constantFrom('abs', 'round', 'floor', 'ceil'), sub('num')).map(([fn, a]) => `${fn}(${a})`),
      fc.tuple(sub('num'), fc.integer({ min: -2, max: 3 })).map(([a, d]) => `round(${a}, ${d})`),
      fc.tuple(sub('num'), sub('num')).map(([a, b]) => `coalesce(${a}, ${b})`),
      fc.tuple(sub('bool'), sub('num'), sub('num')).map(([c, a, b]) => `if(${c}, ${a}, ${b})`),
      fc.tuple(sub('bool'), sub('num'), sub('bool'), sub('num'), sub('num')).map(([c1, a, c2, b, e]) => `case when ${c1} then ${a} when ${c2} then ${b} else ${e} end`),
      sub('int'),
    ],
    bool: [
      fc.tuple(sub('num'), fc.constantFrom('=', '!=', '<>', '<', '<=', '>', '>='), sub('num')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(sub('str'), fc.constantFrom('=', '!=', '<', '<=', '>', '>='), sub('str')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(sub('bool'), fc.constantFrom('and', 'or'), sub('bool')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(sub('bool'), fc.constantFrom('=', '<', '!='), sub('bool')).map(([a, op, b]) => `(${a} ${op} ${b})`),
      sub('bool').map((a) => `(not (${a}))`),
      fc.tuple(fc.oneof(sub('num'), sub('str')), fc.boolean()).map(([a, neg]) => `((${a}) is ${neg ? 'not ' : ''}null)`),
      fc.tuple(sub('num'), fc.boolean(), fc.array(sub('num'), { minLength: 1, maxLength: 3 })).map(([a, neg, list]) => `(${a} ${neg ? 'not ' : ''}in (${list.join(', ')}))`),
      fc.tuple(sub('str'), fc.array(lit.str, { minLength: 1, maxLength: 3 })).map(([a, list]) => `(${a} in (${list.join(', ')}))`),
      fc.tuple(sub('num'), fc.boolean(), sub('num'), sub('num')).map(([a, neg, lo, hi]) => `(${a} ${neg ? 'not ' : ''}between ${lo} and ${hi})`),
      fc.tuple(fc.constantFrom('starts_with', 'ends_with', 'contains'), sub('str'), sub('str')).map(([fn, a, b]) => `${fn}(${a}, ${b})`),
    ],
    str: [
      fc.tuple(fc.constantFrom('lower', 'upper', 'trim'), sub('str')).map(([fn, a]) => `${fn}(${a})`),
      fc.tuple(sub('str'), sub('str')).map(([a, b]) => `(${a} || ${b})`),
      fc.tuple(sub('str'), sub('str'), sub('str')).map(([a, b, c]) => `concat(${a}, ${b}, ${c})`),
      fc.tuple(sub('str'), sub('int')).map(([a, s]) => `substr(${a}, ${s})`),
      fc.tuple(sub('str'), sub('int'), sub('int')).map(([a, s, l]) => `substr(${a}, ${s}, ${l})`),
      fc.tuple(sub('str'), sub('str')).map(([a, b]) => `coalesce(${a}, ${b})`),
      fc.tuple(sub('bool'), sub('str'), sub('str')).map(([c, a, b]) => `if(${c}, ${a}, ${b})`),
    ],
  };
  return fc.oneof({ depthSize: 'small' }, leaf[kind], ...rules[kind]);
}

/** int64 results come back as number when safe; compare everything 64-bit as bigint. */
function normalise(value: unknown, type: string): RowValue {
  if (value === null || value === undefined) return null;
  if (type === 'int64' || type === 'timestamp') return BigInt(value as number | bigint);
  return value as RowValue;
}

function same(a: RowValue, b: RowValue): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

function checkAgreement(text: string, rows: RowObject[]): void {
  const chunk = chunkFromRows(schema, rows as Array<Record<string, unknown>>);
  let compiled;
  try {
    compiled = compileExpression(text, schema);
  } catch (error) {
    // `null + null` has no type to give a column; the checker says so (tested in expression.test.ts).
    fc.pre(!((error as { details?: { found?: unknown } }).details?.found === 'null'));
    throw error;
  }
  const column: Column = compiled.evaluate(chunk);
  expect(column.length).toBe(rows.length);
  rows.forEach((row, r) => {
    const expected = normalise(evaluateRow(compiled.tree, row), compiled.type);
    const actual = normalise(column.get(r), compiled.type);
    if (!same(actual, expected)) {
      throw new Error(`${text}\nrow ${r} ${JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}\nexpected ${String(expected)} found ${String(actual)}`);
    }
    if (!compiled.nullable && actual === null) throw new Error(`${text}: declared not nullable but row ${r} is null`);
  });
}

describe('compiled evaluator vs reference interpreter', () => {
  for (const kind of ['num', 'int', 'bool', 'str'] as const) {
    it(`agrees on random ${kind} expressions over random chunks`, () => {
      fc.assert(fc.property(expr(kind, 3), fc.array(rowArb, { minLength: 0, maxLength: 40 }), (text, rows) => {
        checkAgreement(text, rows);
      }), { numRuns: 300 });
    });
  }

  it('selects exactly the rows where a random predicate is true, and filterChunk keeps them in order', () => {
    fc.assert(fc.property(expr('bool', 3), fc.array(rowArb, { minLength: 0, maxLength: 40 }), (text, rows) => {
      const chunk = chunkFromRows(schema, rows as Array<Record<string, unknown>>);
      const predicate = compileExpression(text, schema, { predicate: true });
      const expected = rows.flatMap((row, r) => (evaluateRow(predicate.tree, row) === true ? [r] : []));
      expect([...predicate.select(chunk)]).toEqual(expected);
      const filtered = filterChunk(chunk, predicate);
      expect(filtered.length).toBe(expected.length);
      expected.forEach((r, k) => {
        for (const field of schema.fields) {
          expect(normalise(filtered.column(field.name).get(k), field.type)).toEqual(normalise((rows[r] as RowObject | undefined)?.[field.name] ?? null, field.type));
        }
      });
    }), { numRuns: 200 });
  });
});
