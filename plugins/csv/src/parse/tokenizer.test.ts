import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import {
  CsvTokenizer, FIELD_ESCAPED, FIELD_QUOTED, ROW_FIELD_TOO_LARGE, ROW_INVALID_QUOTE, ROW_INVALID_UTF8,
  ROW_OK, ROW_UNCLOSED_QUOTE, unescapeField, type TokenizerOptions,
} from './tokenizer.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
const RFC: TokenizerOptions = { delimiter: 44, quote: 34, escape: 34, maxFieldBytes: 1 << 20, validateUtf8: true, stripBom: true };

interface Row { fields: string[]; line: number; error: number; errorAt: { line: number; column: number } | null; next: number }

/** Tokenizes `bytes` fed in the given read sizes (cycled), decoding every field. */
function tokenize(bytes: Uint8Array, reads: number[] = [bytes.length || 1], options: TokenizerOptions = RFC): Row[] {
  const rows: Row[] = [];
  const scratch = new Uint8Array(bytes.length + 1);
  const tokenizer = new CsvTokenizer(options, {
    onRow(t) {
      const fields: string[] = [];
      for (let f = 0; f < t.fieldCount; f++) {
        const start = t.fields[f * 3] as number;
        const end = t.fields[f * 3 + 1] as number;
        const flags = t.fields[f * 3 + 2] as number;
        if (flags & FIELD_ESCAPED) {
          const n = unescapeField(t.buf, start, end, options.quote, options.escape, scratch);
          fields.push(decoder.decode(scratch.subarray(0, n)));
        } else {
          fields.push(t.rowError === ROW_INVALID_UTF8 ? '' : decoder.decode(t.buf.subarray(start, end)));
        }
        if (flags & ~(FIELD_QUOTED | FIELD_ESCAPED)) throw new Error('unknown flag');
      }
      rows.push({ fields, line: t.rowLine, error: t.rowError, errorAt: t.rowError === ROW_OK ? null : t.locate(t.rowErrorOffset), next: t.rowNextOffset });
    },
  });
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const size = Math.max(1, reads[k++ % reads.length] as number);
    // A fresh copy per read: the tokenizer must not keep pointing into a caller's buffer.
    tokenizer.feed(bytes.slice(at, at + size));
    at += size;
  }
  tokenizer.finish();
  return rows;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

const cell = fc.string({
  unit: fc.oneof(
    fc.constantFrom(',', '"', '\n', '\r', '\r\n', ' ', ';', 'a', 'é', '€', '😀', '\u2028'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
});
const table = fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 12 }));
const reads = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 });

describe('CsvTokenizer', () => {
  it('reads exactly what csv-parse reads from csv-stringify output, whatever the read sizes', () => {
    fc.assert(
      fc.property(table, reads, fc.boolean(), fc.boolean(), (rows, sizes, crlf, quoteAll) => {
        // csv-stringify quotes a lone CR only when asked to; RFC 4180 wants every CR and LF quoted.
        const text = stringify(rows, { record_delimiter: crlf ? 'windows' : 'unix', quoted: quoteAll, quoted_match: /[\r\n]/ });
        const expected = parse(text, { relax_column_count: true }) as string[][];
        const actual = tokenize(utf8(text), sizes);
        expect(actual.map((r) => r.error)).toEqual(actual.map(() => ROW_OK));
        expect(actual.map((r) => r.fields)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('reads the last row without a final newline, and CR, LF and CRLF endings alike', () => {
    expect(tokenize(utf8('a,b\rc,d\r\ne,f\ng,h')).map((r) => r.fields)).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f'], ['g', 'h']]);
    expect(tokenize(utf8('a,b,\n')).map((r) => r.fields)).toEqual([['a', 'b', '']]);
    expect(tokenize(utf8('"x"')).map((r) => r.fields)).toEqual([['x']]);
    expect(tokenize(utf8('a\r'), [1]).map((r) => r.fields)).toEqual([['a']]);
  });

  it('strips a byte order mark even when it is split across reads', () => {
    const rows = tokenize(utf8('\ufeffid,name\n1,x\n'), [1]);
    expect(rows.map((r) => r.fields)).toEqual([['id', 'name'], ['1', 'x']]);
  });

  it('gives each row the byte offset where the next one starts', () => {
    const rows = tokenize(utf8('a,b\r\n"c\nd",e\nf,g'), [2]);
    expect(rows.map((r) => r.next)).toEqual([5, 13, 16]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('resolves a distinct escape character like csv-parse does', () => {
    const options = { ...RFC, escape: 92 };
    const text = '"a\\"b","c\\\\d","e\\x"\n';
    const expected = parse(text, { escape: '\\' }) as string[][];
    expect(tokenize(utf8(text), [1], options).map((r) => r.fields)).toEqual(expected);
  });

  it('reports an unclosed quote at the line and column where it opened', () => {
    const rows = tokenize(utf8('a,b\nc,d\ne,"f\ng,h\n'), [3]);
    expect(rows.at(-1)).toMatchObject({ error: ROW_UNCLOSED_QUOTE, errorAt: { line: 3, column: 3 }, line: 3 });
  });

  it('reports a quote inside an unquoted field and text after a closing quote, then goes on', () => {
    const rows = tokenize(utf8('a,b"c\n"x"y,z\nok,1\n'));
    expect(rows.map((r) => [r.error, r.errorAt])).toEqual([
      [ROW_INVALID_QUOTE, { line: 1, column: 4 }],
      [ROW_INVALID_QUOTE, { line: 2, column: 4 }],
      [ROW_OK, null],
    ]);
  });

  it('marks a field longer than maxFieldBytes', () => {
    const rows = tokenize(utf8('ab,cdef\nx,y\n'), [1], { ...RFC, maxFieldBytes: 3 });
    expect(rows.map((r) => [r.error, r.errorAt])).toEqual([[ROW_FIELD_TOO_LARGE, { line: 1, column: 4 }], [ROW_OK, null]]);
  });

  it('marks the row holding invalid UTF-8 at the exact byte, never substituting U+FFFD', () => {
    const bytes = Uint8Array.from([...utf8('a,é\n'), 0x62, 0xff, 0x2c, 0x63, 0x0a, ...utf8('d,😀\n'), 0xed, 0xa0, 0x80, 0x0a]);
    for (const size of [1, 2, 3, 100]) {
      const rows = tokenize(bytes, [size]);
      expect(rows.map((r) => [r.error, r.errorAt])).toEqual([
        [ROW_OK, null],
        [ROW_INVALID_UTF8, { line: 2, column: 2 }],
        [ROW_OK, null],
        [ROW_INVALID_UTF8, { line: 4, column: 1 }],
      ]);
    }
  });

  it('counts columns in code points, so a multi-byte prefix does not shift them', () => {
    const rows = tokenize(utf8('😀é,x"y\n'));
    expect(rows[0]?.errorAt).toEqual({ line: 1, column: 5 });
  });
});
