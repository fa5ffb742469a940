import { readFileSync } from 'node:fs';
import { FlowEngineError, Schema, chunkFromRows, diffErrorDocs } from '@flowengine/sdk';
import type { Chunk } from '@flowengine/sdk';
import { describe, expect, it } from 'vitest';
import { CORE_ERRORS, compileExpression, compileProjection, filterChunk, parseExpression, projectChunk } from '../src/index.js';

const schema = Schema.of([
  { name: 'id', type: 'int32' }, { name: 'amount', type: 'float64' }, { name: 'status', type: 'string' },
  { name: 'big', type: 'int64' }, { name: 'ok', type: 'bool' }, { name: 'odd name', type: 'int32' },
  { name: 'at', type: 'timestamp', unit: 's' },
]);

function thrown(fn: () => unknown): FlowEngineError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlowEngineError);
    return error as FlowEngineError;
  }
  throw new Error('expected an error');
}

function values(chunk: Chunk, text: string): unknown[] {
  const column = compileExpression(text, chunk.schema).evaluate(chunk);
  return Array.from({ length: chunk.length }, (_, i) => column.get(i));
}

const rows = chunkFromRows(schema, [
  { id: 1, amount: 150, status: 'paid', big: 2n ** 60n, ok: true, 'odd name': 7, at: 1000 },
  { id: 2, amount: 50, status: 'paid', big: null, ok: false, 'odd name': null, at: null },
  { id: 3, amount: null, status: 'héllo wörld 😀', big: -(2n ** 53n) - 1n, ok: null, 'odd name': 1, at: 2000 },
  { id: 4, amount: 200, status: null, big: 9007199254740993n, ok: true, 'odd name': 0, at: 3000 },
]);

describe('parseExpression errors', () => {
  it.each([
    ['amount > (1 and 2', 18, "expected ')' at col 18, found the end of the expression"],
    ['(amount > 1 and (id = 2 and)', 28, "expected a value, column or function call at col 28, found ')'"],
    ['id in (1, 2', 12, "expected ',' or ')' at col 12, found the end of the expression"],
    ['id = 1 = 2', 8, 'comparisons do not chain'],
    ["status = 'paid", 10, 'unterminated string'],
    ['status = "paid"', 10, 'strings use single quotes'],
    ['id $ 2', 4, "unexpected character '$'"],
    ['id = 99999999999999999999', 6, 'within int64 range'],
    ['', 1, 'expected an expression'],
    ['case when ok then 1', 20, "expected 'when', 'else' or 'end' at col 20"],
    ['abs(1 2)', 7, "expected ',' or ')' at col 7, found '2'"],
    ['1abc', 2, 'expected an operator after the number'],
    ['``', 1, 'expected a column name between the backquotes'],
  ])('%s → col %i', (text, column, message) => {
    const error = thrown(() => parseExpression(text));
    expect(error.code).toBe('FE_EXPR_SYNTAX');
    expect(error.details.column).toBe(column);
    expect(error.details.offset).toBe(column - 1);
    expect(error.message).toContain(message);
  });

  it('gives the line and column in a multi-line expression, with a caret excerpt', () => {
    const error = thrown(() => parseExpression('amount > 1\n  and (id = 2'));
    expect(error.details).toMatchObject({ line: 2, column: 14, offset: 24 });
    expect(error.message).toContain('line 2 col 14');
    expect(error.details.excerpt).toBe('  and (id = 2\n             ^');
  });

  it("names the expected and the found token: \"expected 'null' at col 15, found 'and'\"", () => {
    expect(thrown(() => parseExpression('amount is not and 1')).message).toBe("expected 'null' at col 15, found 'and'");
    expect(thrown(() => parseExpression('abs(amount + 1 and')).message).toBe('expected a value, column or function call at col 19, found the end of the expression');
  });

  it('treats user text only as data', () => {
    // Would be code if anything were evaluated; here it is an unknown column in a syntax error.
    expect(thrown(() => parseExpression('process.exit(1)')).code).toBe('FE_EXPR_SYNTAX');
    expect(thrown(() => compileExpression('constructor', schema)).code).toBe('FE_EXPR_UNKNOWN_COLUMN');
    expect(thrown(() => compileExpression("status = '\\'); process.exit(1); //'", schema)).code).toBe('FE_EXPR_SYNTAX');
  });
});

describe('compileExpression checks', () => {
  it('rejects an unknown column with a did-you-mean and its position', () => {
    const error = thrown(() => compileExpression('amount > 1 and stauts = 2', schema));
    expect(error.code).toBe('FE_EXPR_UNKNOWN_COLUMN');
    expect(error.message).toContain('unknown column "stauts" (did you mean status?)');
    expect(error.details).toMatchObject({ column: 16, suggestion: 'status' });
    expect(thrown(() => compileExpression('odd_name > 1', schema)).message).toContain('did you mean `odd name`?');
    expect(thrown(() => compileExpression('zzzzzz > 1', schema)).details.suggestion).toBeNull();
  });

  it('rejects an unknown function with a did-you-mean', () => {
    const error = thrown(() => compileExpression('lowr(status)', schema));
    expect(error.code).toBe('FE_EXPR_UNKNOWN_FUNCTION');
    expect(error.message).toContain('did you mean lower?');
  });

  it.each([
    ["status + 1", 1, "operator '+' expects numbers, found string (status)"],
    ["id = 'x'", 4, 'cannot compare int32 (id) with string'],
    ['ok and id', 8, "'and' expects bool, found int32 (id)"],
    ['not amount', 5, "'not' expects bool"],
    ['-status', 1, "unary '-' expects a number"],
    ["status || 1", 11, "'||' expects string, found int32"],
    ["upper(id)", 7, 'upper() argument 1 expects string'],
    ["substr(status, 1.5)", 16, 'substr() argument 2 expects integer'],
    ['substr(status)', 1, 'substr() expects 2 or 3 arguments, found 1'],
    ['coalesce(id, status)', 14, 'coalesce() arguments must share one type: expected int32, found string'],
    ["if(ok, 1, 'x')", 11, 'branches must share one type'],
    ["case when id then 1 end", 11, "'when' expects bool, found int32"],
    ["id in (1, 'x')", 11, "'in' list value string"],
    ['at > 1.5', 4, 'cannot compare timestamp (at) with float64'],
    ['concat()', 1, 'concat() expects at least 1 argument'],
  ])('%s → FE_EXPR_TYPE at col %i', (text, column, message) => {
    const error = thrown(() => compileExpression(text, schema));
    expect(error.code).toBe('FE_EXPR_TYPE');
    expect(error.details.column).toBe(column);
    expect(error.message).toContain(message);
  });

  it('requires a bool for a predicate and a type for a value', () => {
    expect(thrown(() => compileExpression('amount * 2', schema, { predicate: true })).message).toContain('expected a bool condition, found float64');
    expect(thrown(() => compileExpression('null + null', schema)).message).toContain('always null');
    expect(thrown(() => compileExpression('amount', schema).select(rows)).code).toBe('FE_EXPR_TYPE');
    expect([...compileExpression('null', schema, { predicate: true }).select(rows)]).toEqual([]);
    expect([...compileExpression('1 = 1', schema, { predicate: true }).select(rows)]).toEqual([0, 1, 2, 3]);
  });

  it('types int32 arithmetic as int64 (never overflows) and division as float64', () => {
    expect(compileExpression('id + 1', schema).type).toBe('int64');
    expect(compileExpression('id % 4', schema).type).toBe('int32');
    expect(compileExpression('id / 2', schema).type).toBe('float64');
    expect(compileExpression('id * amount', schema).type).toBe('float64');
    expect(compileExpression('coalesce(amount, 0)', schema)).toMatchObject({ type: 'float64', nullable: false });
    expect(compileExpression('id + 1', Schema.of([{ name: 'id', type: 'int32', nullable: false }]))).toMatchObject({ nullable: false });
    const wide = chunkFromRows(schema, [{ id: 2147483647 }, { id: -2147483648 }]);
    expect(values(wide, 'id + id')).toEqual([4294967294, -4294967296]);
    expect(values(wide, 'id * id')).toEqual([4611686014132420609n, 4611686018427387904n]);
    expect(values(wide, '-id')).toEqual([-2147483647, 2147483648]);
  });

  it('refuses a chunk of another schema', () => {
    const other = chunkFromRows(Schema.of([{ name: 'id', type: 'float64' }]), [{ id: 1 }]);
    expect(thrown(() => compileExpression('id > 1', schema).evaluate(other)).code).toBe('FE_EXPR_SCHEMA_MISMATCH');
  });
});

describe('null semantics', () => {
  const tri = chunkFromRows(Schema.of([{ name: 'a', type: 'bool' }, { name: 'b', type: 'bool' }]),
    [true, false, null].flatMap((a) => [true, false, null].map((b) => ({ a, b }))));

  it('follows SQL three-valued logic for and / or / not', () => {
    expect(values(tri, 'a and b')).toEqual([true, false, null, false, false, false, null, false, null]);
    expect(values(tri, 'a or b')).toEqual([true, true, true, true, false, null, true, null, null]);
    expect(values(tri, 'not a')).toEqual([false, false, false, true, true, true, null, null, null]);
    expect(values(tri, 'a is null')).toEqual([false, false, false, false, false, false, true, true, true]);
    expect(values(tri, 'b is not null')).toEqual([true, true, false, true, true, false, true, true, false]);
  });

  it('propagates null through arithmetic, comparison and functions; coalesce and concat stop it', () => {
    expect(values(rows, 'amount + 1')).toEqual([151, 51, null, 201]);
    expect(values(rows, 'amount > 100')).toEqual([true, false, null, true]);
    expect(values(rows, 'upper(status)')).toEqual(['PAID', 'PAID', 'HÉLLO WÖRLD 😀', null]);
    expect(values(rows, "status || '!'")).toEqual(['paid!', 'paid!', 'héllo wörld 😀!', null]);
    expect(values(rows, "concat(status, '!')")).toEqual(['paid!', 'paid!', 'héllo wörld 😀!', '!']);
    expect(values(rows, 'coalesce(amount, -1)')).toEqual([150, 50, -1, 200]);
    expect(values(rows, 'amount = null')).toEqual([null, null, null, null]);
  });

  it('makes division and remainder by zero null', () => {
    const z = chunkFromRows(Schema.of([{ name: 'x', type: 'int32' }, { name: 'y', type: 'int32' }, { name: 'b', type: 'int64' }]),
      [{ x: 7, y: 0, b: 0 }, { x: 7, y: 2, b: 3 }, { x: -7, y: 2, b: 0 }]);
    expect(values(z, 'x / y')).toEqual([null, 3.5, -3.5]);
    expect(values(z, 'x % y')).toEqual([null, 1, -1]);
    expect(values(z, 'x / 0')).toEqual([null, null, null]);
    expect(values(z, 'x % b')).toEqual([null, 1, null]);
    expect(values(z, '1.5 / 0.0 is null')).toEqual([true, true, true]);
  });

  it('makes int64 overflow null instead of wrapping', () => {
    const big = chunkFromRows(Schema.of([{ name: 'b', type: 'int64' }]), [{ b: 2n ** 63n - 1n }, { b: -(2n ** 63n) }, { b: 5 }]);
    expect(values(big, 'b + 1')).toEqual([null, -(2n ** 63n) + 1n, 6]);
    expect(values(big, 'b * 2')).toEqual([null, null, 10]);
    expect(values(big, '-b')).toEqual([-(2n ** 63n) + 1n, null, -5]);
    expect(values(big, 'abs(b)')).toEqual([2n ** 63n - 1n, null, 5]);
  });

  it('gives in (...) with a null in the list SQL semantics', () => {
    expect(values(rows, 'id in (1, null)')).toEqual([true, null, null, null]);
    expect(values(rows, 'id not in (1, null)')).toEqual([false, null, null, null]);
    expect(values(rows, 'id not in (1, 2)')).toEqual([false, false, true, true]);
    expect(values(rows, 'amount between 50 and 150')).toEqual([true, true, null, false]);
    expect(values(rows, 'amount not between 50 and 150')).toEqual([false, false, null, true]);
  });
});

describe('functions and values', () => {
  it('handles strings as code points over UTF-8 bytes', () => {
    expect(values(rows, 'length(status)')).toEqual([4, 4, 13, null]);
    expect(values(rows, 'substr(status, 7, 5)')).toEqual(['', '', 'wörld', null]);
    expect(values(rows, 'substr(status, 0, 2)')).toEqual(['p', 'p', 'h', null]);
    expect(values(rows, 'substr(status, 13)')).toEqual(['', '', '😀', null]);
    expect(values(rows, "contains(status, 'ö')")).toEqual([false, false, true, null]);
    expect(values(rows, "starts_with(status, 'pa') and ends_with(status, 'id')")).toEqual([true, true, false, null]);
    expect(values(rows, "trim('  x ' || status)")).toEqual(['x paid', 'x paid', 'x héllo wörld 😀', null]);
    expect(values(rows, "status > 'paid'")).toEqual([false, false, false, null]);
    // Code point order: U+FFFD sorts before U+1F600 although its UTF-16 unit is larger.
    expect(values(rows, "'\uFFFD' < '😀'")).toEqual([true, true, true, true]);
  });

  it('rounds half away from zero; floor/ceil; int args stay ints', () => {
    const r = chunkFromRows(Schema.of([{ name: 'x', type: 'float64' }]), [{ x: 2.5 }, { x: -2.5 }, { x: 1.2345 }]);
    expect(values(r, 'round(x)')).toEqual([3, -3, 1]);
    expect(values(r, 'round(x, 2)')).toEqual([2.5, -2.5, 1.23]);
    expect(values(r, 'floor(x)')).toEqual([2, -3, 1]);
    expect(values(r, 'ceil(x)')).toEqual([3, -2, 2]);
    expect(compileExpression('round(id)', schema).type).toBe('int32');
  });

  it('evaluates if() and both case forms', () => {
    expect(values(rows, "if(amount > 100, 'big', 'small')")).toEqual(['big', 'small', 'small', 'big']);
    expect(values(rows, "case when amount > 100 then 'big' when amount > 10 then 'mid' end")).toEqual(['big', 'mid', null, 'big']);
    expect(values(rows, "case id when 1 then 'one' when 2 then 'two' else 'many' end")).toEqual(['one', 'two', 'many', 'many']);
  });

  it('compares int64 beyond 2^53 exactly, and timestamps with integers', () => {
    expect(values(rows, 'big > 9007199254740992')).toEqual([true, null, false, true]);
    expect(values(rows, 'big = 9007199254740993')).toEqual([false, null, false, true]);
    expect(values(rows, 'big + 0')).toEqual([2n ** 60n, null, -(2n ** 53n) - 1n, 9007199254740993n]);
    expect(values(rows, 'at >= 2000')).toEqual([false, null, true, true]);
    expect(values(rows, '`odd name` * 2')).toEqual([14, null, 2, 0]);
  });
});

describe('filterChunk and projectChunk', () => {
  it('keeps the rows where the predicate is true, copying nulls, unicode and int64 exactly', () => {
    const kept = filterChunk(rows, compileExpression("id > 2 or status = 'paid' and amount > 100", schema, { predicate: true }));
    expect(kept.schema).toBe(schema);
    expect(Array.from(kept.rows(), (row) => row.toObject())).toEqual([
      { id: 1, amount: 150, status: 'paid', big: 2n ** 60n, ok: true, 'odd name': 7, at: 1000 },
      { id: 3, amount: null, status: 'héllo wörld 😀', big: -(2n ** 53n) - 1n, ok: null, 'odd name': 1, at: 2000 },
      { id: 4, amount: 200, status: null, big: 9007199254740993n, ok: true, 'odd name': 0, at: 3000 },
    ]);
    expect((kept.column('big') as { getBigInt(i: number): bigint | null }).getBigInt(0)).toBe(2n ** 60n);
    expect((kept.column('big') as { getBigInt(i: number): bigint | null }).getBigInt(2)).toBe(9007199254740993n);
    expect(kept.column('status').get(1)).toBe('héllo wörld 😀');
    expect(kept.column('odd name').nullCount).toBe(0);
  });

  it('copies strings of every length exactly: whole words, byte tails and long values', () => {
    // gatherStrings copies short values 4 bytes at a time and long ones (≥ 64 bytes) with set().
    const texts = Array.from({ length: 160 }, (_, n) => (n % 3 === 0 ? 'é😀x'.repeat(n >> 2) : 'abcdefghij'.repeat(8).slice(0, n)));
    const strings = Schema.of([{ name: 'n', type: 'int32' }, { name: 's', type: 'string' }]);
    const chunk = chunkFromRows(strings, texts.map((s, n) => ({ n, s })));
    const kept = filterChunk(chunk, compileExpression('n % 2 = 1 or n > 120', strings, { predicate: true }));
    const expected = texts.filter((_, n) => n % 2 === 1 || n > 120);
    expect(Array.from({ length: kept.length }, (_, i) => kept.column('s').get(i))).toEqual(expected);
  });

  it('returns the input when every row passes, and an empty chunk when none does', () => {
    expect(filterChunk(rows, compileExpression('true', schema, { predicate: true }))).toBe(rows);
    const none = filterChunk(rows, compileExpression('id > 100', schema, { predicate: true }));
    expect(none.length).toBe(0);
    expect(none.schema).toBe(schema);
  });

  it('keeps, renames and computes columns', () => {
    const out = projectChunk(rows, [
      { name: 'key', source: 'id' }, { name: 'gross', expr: 'amount * 1.2' }, { name: 'who', source: 'status' },
      { name: 'big2', expr: 'big * 2' }, { name: 'when', source: 'at' }, { name: 'later', expr: 'coalesce(at, 0)' },
    ]);
    expect(out.schema.toString()).toBe('key: int32?, gross: float64?, who: string?, big2: int64?, when: timestamp[s]?, later: timestamp[s]');
    expect(Array.from({ length: 4 }, (_, i) => out.column('gross').get(i))).toEqual([180, 60, null, 240]);
    expect(Array.from({ length: 4 }, (_, i) => out.column('who').get(i))).toEqual(['paid', 'paid', 'héllo wörld 😀', null]);
    expect(Array.from({ length: 4 }, (_, i) => out.column('big2').get(i))).toEqual([2n ** 61n, null, -(2n ** 54n) - 2n, 18014398509481986n]);
    expect(Array.from({ length: 4 }, (_, i) => out.column('later').get(i))).toEqual([1000, 0, 2000, 3000]);
  });

  it('compiles a projection once and reuses it per chunk', () => {
    const projection = compileProjection(schema, [{ name: 'ok2', expr: 'not ok' }, { name: 'id', source: 'id' }]);
    const out = projection.apply(rows);
    expect(out.schema).toBe(projection.outputSchema);
    expect(Array.from(out.rows(), (row) => row.toObject())).toEqual([
      { ok2: false, id: 1 }, { ok2: true, id: 2 }, { ok2: null, id: 3 }, { ok2: false, id: 4 },
    ]);
  });

  it('rejects unknown sources, duplicate names and bad expressions', () => {
    const unknown = thrown(() => compileProjection(schema, [{ name: 'x', source: 'amout' }]));
    expect(unknown.code).toBe('FE_EXPR_UNKNOWN_COLUMN');
    expect(unknown.message).toContain('did you mean amount?');
    expect(thrown(() => compileProjection(schema, [{ name: 'x', source: 'id' }, { name: 'x', expr: 'id' }])).code).toBe('FE_EXPR_DUPLICATE_OUTPUT');
    expect(thrown(() => compileProjection(schema, [{ name: 'x', expr: 'id +' }])).code).toBe('FE_EXPR_SYNTAX');
  });
});

describe('error catalogue', () => {
  it('documents every FE_EXPR_* code in the README table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const expr = Object.fromEntries(Object.entries(CORE_ERRORS).filter(([code]) => code.startsWith('FE_EXPR_')));
    expect(Object.keys(expr).length).toBeGreaterThanOrEqual(6);
    expect(diffErrorDocs(readme, expr).missingFromDocs).toEqual([]);
  });
});
