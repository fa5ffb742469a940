import { isNullText } from '../null-value.js';
import type { ByteWriter } from './byte-writer.js';

const LF = 10;
const CR = 13;
const TAB = 9;
const APOSTROPHE = 39;

/** How the sink writes text fields. */
export interface FieldStyle {
  readonly delimiter: number;
  readonly quote: number;
  readonly escape: number;
  /** Prefix cells that a spreadsheet would run as a formula with `'` (and quote them). */
  readonly escapeFormulae: boolean;
  /** The bytes written for null; a string equal to them is quoted so it reads back as a string. */
  readonly nullBytes: Uint8Array;
}

/** Writes UTF-8 `bytes[start, end)` as one field, quoted only when it has to be. */
export function writeTextField(out: ByteWriter, bytes: Uint8Array, start: number, end: number, style: FieldStyle): void {
  if (style.escapeFormulae && end > start && startsFormula(bytes[start] as number)) {
    out.byte(style.quote);
    out.byte(APOSTROPHE);
    writeEscaped(out, bytes, start, end, style);
    out.byte(style.quote);
    return;
  }
  // Copy and look for bytes that force quoting in one pass; the rare quoted case writes again.
  const n = end - start;
  out.ensure(n);
  const target = out.bytes;
  const at = out.length;
  const { delimiter, quote, escape } = style;
  let plain = n > 0;
  for (let i = 0; i < n; i++) {
    const c = bytes[start + i] as number;
    if (c === delimiter || c === quote || c === LF || c === CR || c === escape) {
      plain = false;
      break;
    }
    target[at + i] = c;
  }
  if (plain && !isNullText(bytes, start, end, style.nullBytes)) {
    out.length = at + n;
    return;
  }
  out.byte(quote);
  writeEscaped(out, bytes, start, end, style);
  out.byte(quote);
}

function startsFormula(b: number): boolean {
  return b === 61 || b === 43 || b === 45 || b === 64 || b === TAB || b === CR; // = + - @
}

function writeEscaped(out: ByteWriter, bytes: Uint8Array, start: number, end: number, style: FieldStyle): void {
  const { quote, escape } = style;
  let from = start;
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    if (c === quote || c === escape) {
      out.copy(bytes, from, i);
      out.byte(escape);
      from = i;
    }
  }
  out.copy(bytes, from, end);
}
