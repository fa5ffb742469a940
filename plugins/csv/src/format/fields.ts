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
  if (needsQuotes(bytes, start, end, style)) {
    out.byte(style.quote);
    writeEscaped(out, bytes, start, end, style);
    out.byte(style.quote);
    return;
  }
  out.copy(bytes, start, end);
}

function startsFormula(b: number): boolean {
  return b === 61 || b === 43 || b === 45 || b === 64 || b === TAB || b === CR; // = + - @
}

function needsQuotes(bytes: Uint8Array, start: number, end: number, style: FieldStyle): boolean {
  if (end === start) return true; // "" is an empty string; an empty field is null
  const { delimiter, quote, escape } = style;
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    if (c === delimiter || c === quote || c === LF || c === CR || c === escape) return true;
  }
  const nullBytes = style.nullBytes;
  if (end - start !== nullBytes.length) return false;
  for (let i = 0; i < nullBytes.length; i++) if (bytes[start + i] !== nullBytes[i]) return false;
  return true;
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
