import { isAsciiSpace, substrBounds } from './scalar.js';
import { bitmapBytes, isValid } from './vector.js';
import type { BoolVec, NumVec, StrVec } from './vector.js';

/**
 * String kernels over UTF-8 bytes. Comparison, search, trimming, length, concatenation and substr
 * never decode: UTF-8 byte order is code point order, and valid UTF-8 needles only match at
 * character boundaries. Only lower/upper decode, and only rows that are not pure ASCII.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** Grows a byte buffer while string results are appended row by row. */
class StrOut {
  offsets: Int32Array;
  bytes: Uint8Array;
  length = 0;

  constructor(n: number, estimate: number) {
    this.offsets = new Int32Array(n + 1);
    this.bytes = new Uint8Array(Math.max(16, estimate));
  }

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  push(source: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    this.bytes.set(source.subarray(start, end), this.length);
    this.length += end - start;
  }

  end(i: number): void {
    this.offsets[i + 1] = this.length;
  }

  finish(valid: Uint8Array | null): StrVec {
    return { kind: 'str', offsets: this.offsets, bytes: this.bytes.subarray(0, this.length), valid };
  }
}

/** -1, 0 or 1 by unsigned byte order. */
export function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const m = la < lb ? la : lb;
  for (let k = 0; k < m; k++) {
    const d = (a[as + k] as number) - (b[bs + k] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return la === lb ? 0 : la < lb ? -1 : 1;
}

export function encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Per-row ordering of two string columns as -1/0/1 bytes mapped by `test` to 1/0. */
export function compareStrings(n: number, a: StrVec, b: StrVec, test: (c: number) => boolean, out: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const c = compareBytes(a.bytes, a.offsets[i] as number, a.offsets[i + 1] as number, b.bytes, b.offsets[i] as number, b.offsets[i + 1] as number);
    out[i] = +test(c);
  }
}

/** Equality with a constant: length first, then bytes. */
export function equalsConst(n: number, a: StrVec, needle: Uint8Array, out: Uint8Array): void {
  const len = needle.length;
  const { offsets, bytes } = a;
  for (let i = 0; i < n; i++) {
    const s = offsets[i] as number;
    if ((offsets[i + 1] as number) - s !== len) {
      out[i] = 0;
      continue;
    }
    let k = 0;
    while (k < len && bytes[s + k] === needle[k]) k++;
    out[i] = +(k === len);
  }
}

export function compareConst(n: number, a: StrVec, needle: Uint8Array, constOnLeft: boolean, test: (c: number) => boolean, out: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const c = compareBytes(a.bytes, a.offsets[i] as number, a.offsets[i + 1] as number, needle, 0, needle.length);
    out[i] = +test(constOnLeft ? -c : c);
  }
}

function matchAt(bytes: Uint8Array, at: number, needle: Uint8Array, ns: number, ne: number): boolean {
  for (let k = 0; k < ne - ns; k++) if (bytes[at + k] !== needle[ns + k]) return false;
  return true;
}

/** starts_with / ends_with / contains of two string vectors (a constant is broadcast first). */
export function search(kind: 'starts_with' | 'ends_with' | 'contains', n: number, a: StrVec, b: StrVec, valid: Uint8Array | null): BoolVec {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = a.offsets[i] as number;
    const e = a.offsets[i + 1] as number;
    const ns = b.offsets[i] as number;
    const ne = b.offsets[i + 1] as number;
    const len = ne - ns;
    if (len > e - s) continue;
    if (kind === 'starts_with') out[i] = +matchAt(a.bytes, s, b.bytes, ns, ne);
    else if (kind === 'ends_with') out[i] = +matchAt(a.bytes, e - len, b.bytes, ns, ne);
    else {
      for (let at = s; at + len <= e; at++) {
        if (matchAt(a.bytes, at, b.bytes, ns, ne)) {
          out[i] = 1;
          break;
        }
      }
    }
  }
  return { kind: 'bool', values: out, valid };
}

/** Code points: every byte that is not a UTF-8 continuation byte starts one. */
export function length(n: number, a: StrVec): NumVec {
  const out = new Int32Array(n);
  const { offsets, bytes } = a;
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let k = offsets[i] as number; k < (offsets[i + 1] as number); k++) if (((bytes[k] as number) & 0xc0) !== 0x80) count++;
    out[i] = count;
  }
  return { kind: 'i32', values: out, valid: a.valid };
}

export function trim(n: number, a: StrVec): StrVec {
  const out = new StrOut(n, a.bytes.length);
  for (let i = 0; i < n; i++) {
    let s = a.offsets[i] as number;
    let e = a.offsets[i + 1] as number;
    while (s < e && isAsciiSpace(a.bytes[s] as number)) s++;
    while (e > s && isAsciiSpace(a.bytes[e - 1] as number)) e--;
    out.push(a.bytes, s, e);
    out.end(i);
  }
  return out.finish(a.valid);
}

export function changeCase(upper: boolean, n: number, a: StrVec): StrVec {
  const out = new StrOut(n, a.bytes.length);
  const shift = upper ? -32 : 32;
  const from = upper ? 97 : 65;
  for (let i = 0; i < n; i++) {
    const s = a.offsets[i] as number;
    const e = a.offsets[i + 1] as number;
    let ascii = true;
    for (let k = s; k < e; k++) if ((a.bytes[k] as number) > 0x7f) { ascii = false; break; }
    if (ascii) {
      out.reserve(e - s);
      for (let k = s; k < e; k++) {
        const c = a.bytes[k] as number;
        out.bytes[out.length++] = c >= from && c < from + 26 ? c + shift : c;
      }
    } else {
      const text = decoder.decode(a.bytes.subarray(s, e));
      const bytes = encoder.encode(upper ? text.toUpperCase() : text.toLowerCase());
      out.push(bytes, 0, bytes.length);
    }
    out.end(i);
  }
  return out.finish(a.valid);
}

/** `||` (null if any side is null) and concat() (nulls count as ''), over any number of parts. */
export function concat(n: number, parts: readonly StrVec[], valid: Uint8Array | null, skipNulls: boolean): StrVec {
  let estimate = 0;
  for (const part of parts) estimate += part.bytes.length;
  const out = new StrOut(n, estimate);
  for (let i = 0; i < n; i++) {
    if (skipNulls || isValid(valid, i)) {
      for (const part of parts) {
        if (skipNulls && !isValid(part.valid, i)) continue;
        out.push(part.bytes, part.offsets[i] as number, part.offsets[i + 1] as number);
      }
    }
    out.end(i);
  }
  return out.finish(skipNulls ? null : valid);
}

/** Byte index of code point `count` from `start` (clamped to `end`). */
function advance(bytes: Uint8Array, start: number, end: number, count: number): number {
  let at = start;
  let seen = 0;
  while (at < end) {
    if (((bytes[at] as number) & 0xc0) !== 0x80) {
      if (seen === count) return at;
      seen++;
    }
    at++;
  }
  return end;
}

export function substr(n: number, a: StrVec, start: (i: number) => number, count: ((i: number) => number) | undefined, valid: Uint8Array | null): StrVec {
  const out = new StrOut(n, a.bytes.length);
  for (let i = 0; i < n; i++) {
    if (isValid(valid, i)) {
      const s = a.offsets[i] as number;
      const e = a.offsets[i + 1] as number;
      let points = 0;
      for (let k = s; k < e; k++) if (((a.bytes[k] as number) & 0xc0) !== 0x80) points++;
      const [from, to] = substrBounds(points, start(i), count === undefined ? undefined : count(i));
      const bs = advance(a.bytes, s, e, from);
      out.push(a.bytes, bs, advance(a.bytes, bs, e, to - from));
    }
    out.end(i);
  }
  return out.finish(valid);
}

export function emptyValid(n: number): Uint8Array {
  return new Uint8Array(bitmapBytes(n));
}
