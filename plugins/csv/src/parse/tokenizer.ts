import { isUtf8 } from 'node:buffer';
import { findInvalidUtf8 } from './utf8.js';

const LF = 10;
const CR = 13;
const EMPTY = new Uint8Array(0);

// Scanner states. A state is kept between feeds so any byte may end a read.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** In a quoted field, just after a quote: the field's end, or (when escape === quote) half of a doubled quote. */
const QUOTE_SEEN = 3;
/** In a quoted field, just after an escape character that differs from the quote. */
const ESCAPE_SEEN = 4;
/** Just after a CR that ends a row: the terminator is CRLF if the next byte is LF. */
const CR_SEEN = 5;
const BOM_CHECK = 6;

/** Field flag: the field was quoted; start/end exclude the quotes. */
export const FIELD_QUOTED = 1;
/** Field flag: the quoted content holds escape sequences, so its bytes need {@link unescapeField}. */
export const FIELD_ESCAPED = 2;

/** Why a row is malformed; 0 when it is not. The first problem in a row wins. */
export const ROW_OK = 0;
export const ROW_UNCLOSED_QUOTE = 1;
export const ROW_INVALID_QUOTE = 2;
export const ROW_FIELD_TOO_LARGE = 3;
export const ROW_INVALID_UTF8 = 4;

export interface TokenizerOptions {
  /** Byte that separates fields (ASCII). */
  readonly delimiter: number;
  /** Byte that opens and closes a quoted field, or -1 for none. */
  readonly quote: number;
  /** Byte that escapes a quote inside a quoted field; equal to `quote` for RFC 4180 doubling. */
  readonly escape: number;
  /** Fields with more bytes than this mark their row {@link ROW_FIELD_TOO_LARGE}. */
  readonly maxFieldBytes: number;
  /** Validate UTF-8 strictly; an invalid sequence marks its row {@link ROW_INVALID_UTF8}. */
  readonly validateUtf8: boolean;
  /** Strip a UTF-8 byte order mark at offset 0. */
  readonly stripBom: boolean;
}

/** Receives each complete row while its bytes are still in `tokenizer.buf`. */
export interface RowHandler {
  onRow(tokenizer: CsvTokenizer): void;
  /**
   * Optional fast path, offered at the start of each row: take the row starting at `buf[pos]`
   * whole if it is simple enough (the handler decides what that means), reading no byte at or
   * past `limit`, and return the offset just after its LF or CRLF; or return -1, having changed
   * nothing, and the tokenizer scans the row itself and calls {@link onRow}. `base` is the
   * absolute offset of `buf[0]`. A taken row never reaches `onRow`.
   */
  takeSimpleRow?(buf: Uint8Array, pos: number, limit: number, base: number): number;
}

/**
 * A streaming RFC 4180 tokenizer over bytes. Feed it byte slices of any size; it calls the
 * handler once per complete row with the field boundaries in {@link CsvTokenizer.fields}
 * (triples of start, end, flags relative to {@link CsvTokenizer.buf}), so no strings or
 * per-row objects are made. Quotes, CRLF and multi-byte characters may be split across feeds.
 *
 * Rows end at LF, CRLF or CR outside quotes. A row's bytes stay valid only during `onRow`.
 */
export class CsvTokenizer {
  /** Bytes being scanned; the current row lies in `[rowStart, rowEnd)`. */
  buf: Uint8Array = EMPTY;
  /** Field triples `start, end, flags` of the current row, relative to `buf`. */
  fields = new Int32Array(64 * 3);
  fieldCount = 0;
  /** The row's first byte in `buf`. */
  rowStart = 0;
  /** The row's end in `buf`, before its terminator. */
  rowEnd = 0;
  /** Absolute byte offset just after the row's terminator: where the next row starts. */
  rowNextOffset = 0;
  /** 1-based line on which the row starts. Lines break at LF, CRLF and CR, inside quotes too. */
  rowLine = 1;
  rowError = ROW_OK;
  /** Absolute byte offset of the row's first problem. */
  rowErrorOffset = 0;
  /** Absolute offset of `buf[0]`. */
  base = 0;
  /** Rows delivered so far. */
  rows = 0;

  /** Per byte: nonzero when it can end an unquoted run (delimiter, quote, CR, LF). */
  private readonly special = new Uint8Array(256);
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly escape: number;
  private readonly maxFieldBytes: number;
  private readonly validateUtf8: boolean;
  private len = 0;
  private pos = 0;
  private state: number;
  private fieldStart = 0;
  private fieldFlags = 0;
  /** Offset in `buf` of the quote that opened the current quoted field. */
  private quoteOpen = 0;
  private line = 1;
  private owned: Uint8Array = EMPTY;
  private validated = 0;
  /** While bridging two reads: stop scanning after the first complete row. */
  private stopAfterRow = false;
  private halted = false;
  private readonly badUtf8: number[] = [];
  private readonly offersSimpleRows: boolean;

  constructor(options: TokenizerOptions, private readonly handler: RowHandler) {
    this.offersSimpleRows = handler.takeSimpleRow !== undefined;
    this.delimiter = options.delimiter;
    this.quote = options.quote;
    this.escape = options.escape;
    this.maxFieldBytes = options.maxFieldBytes;
    this.validateUtf8 = options.validateUtf8;
    this.state = options.stripBom ? BOM_CHECK : FIELD_START;
    for (const b of [options.delimiter, options.quote, LF, CR]) if (b >= 0) this.special[b] = 1;
  }

  /** Bytes of an incomplete row held back until the next feed. */
  get pendingBytes(): number {
    return this.len - this.rowStart;
  }

  /** Scans `chunk`; the tokenizer keeps no reference to it after returning. */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.len === this.rowStart && this.state !== CR_SEEN && this.state !== BOM_CHECK) {
      // Nothing pending: scan the caller's bytes in place, copy only the incomplete tail.
      this.base += this.len;
      this.buf = chunk;
      this.len = chunk.length;
      this.pos = 0;
      this.rowStart = 0;
      this.validated = 0;
    } else if (!this.bridge(chunk)) {
      return;
    }
    this.scan(false);
    this.keepTail();
  }

  /**
   * Completes the pending row by copying only as much of `chunk` as it needs behind it, then
   * points the scanner at `chunk` itself for the rest, so a read is not copied as a whole just
   * because the previous one ended mid-row. Returns false when all of `chunk` went into the
   * pending row, which has then been scanned in the owned buffer.
   */
  private bridge(chunk: Uint8Array): boolean {
    const before = this.len;
    let taken = 0;
    let step = 512;
    this.stopAfterRow = true;
    try {
      while (taken < chunk.length) {
        const n = Math.min(step, chunk.length - taken);
        this.append(chunk.subarray(taken, taken + n));
        taken += n;
        this.halted = false;
        this.scan(false);
        if (this.halted) break;
        step *= 4;
      }
    } finally {
      this.stopAfterRow = false;
    }
    if (!this.halted || taken === chunk.length) {
      if (this.halted) {
        this.halted = false;
        this.scan(false);
      }
      this.keepTail();
      return false;
    }
    this.halted = false;
    // Scanning stopped right after a row, at FIELD_START: no field state to carry over.
    const next = this.pos - before;
    this.validated = Math.max(0, this.validated - before);
    this.base += before;
    this.buf = chunk;
    this.len = chunk.length;
    this.pos = next;
    this.rowStart = next;
    return true;
  }

  /** Ends the input: delivers a last row without a terminator, or an unclosed quote. */
  finish(): void {
    this.scan(true);
    this.keepTail();
  }

  /** 1-based line and column (in characters) of an absolute offset inside the current row. */
  locate(offset: number): { line: number; column: number } {
    const buf = this.buf;
    const end = Math.min(offset - this.base, this.len);
    let line = this.rowLine;
    let lineStart = this.rowStart;
    for (let i = this.rowStart; i < end; i++) {
      const c = buf[i];
      if (c === CR || (c === LF && (i === 0 || buf[i - 1] !== CR))) line++;
      if (c === CR || c === LF) lineStart = i + 1;
    }
    let column = 1;
    for (let i = lineStart; i < end; i++) if (((buf[i] as number) & 0xc0) !== 0x80) column++;
    return { line, column };
  }

  private append(chunk: Uint8Array): void {
    if (this.buf !== this.owned) {
      // The pending bytes still live in the caller's previous chunk; keepTail moved them already.
      throw new Error('tokenizer invariant: pending bytes not owned');
    }
    const need = this.len + chunk.length;
    if (need > this.owned.length) {
      const grown = new Uint8Array(Math.max(need, this.owned.length * 2, 65536));
      grown.set(this.owned.subarray(0, this.len));
      this.owned = grown;
      this.buf = grown;
    }
    this.owned.set(chunk, this.len);
    this.len = need;
  }

  /** Moves the incomplete row to the start of an owned buffer, so the next feed can append. */
  private keepTail(): void {
    const shift = this.rowStart;
    const tail = this.len - shift;
    if (tail === 0 && this.state !== CR_SEEN && this.state !== BOM_CHECK) {
      this.base += this.len;
      this.buf = this.owned;
      this.len = 0;
      this.pos = 0;
      this.rowStart = 0;
      this.validated = 0;
      return;
    }
    if (this.buf === this.owned && shift === 0) return;
    if (this.buf === this.owned) {
      this.owned.copyWithin(0, shift, this.len);
    } else {
      if (this.owned.length < tail) this.owned = new Uint8Array(Math.max(tail * 2, 65536));
      this.owned.set(this.buf.subarray(shift, this.len));
      this.buf = this.owned;
    }
    this.base += shift;
    this.len = tail;
    this.pos -= shift;
    this.rowStart = 0;
    this.fieldStart -= shift;
    this.quoteOpen -= shift;
    this.validated = Math.max(0, this.validated - shift);
    const fields = this.fields;
    for (let i = 0; i < this.fieldCount * 3; i += 3) {
      fields[i] = (fields[i] as number) - shift;
      fields[i + 1] = (fields[i + 1] as number) - shift;
    }
  }

  private checkUtf8(final: boolean): void {
    const buf = this.buf;
    let end = this.len;
    if (!final) {
      // Leave a multi-byte sequence cut by the end of this read for the next feed.
      let i = end - 1;
      while (i >= this.validated && i > end - 4 && ((buf[i] as number) & 0xc0) === 0x80) i--;
      if (i >= this.validated && i >= 0) {
        const lead = buf[i] as number;
        const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
        if (lead >= 0xc0 && end - i < need) end = i;
      }
    }
    if (end <= this.validated) return;
    const region = buf.subarray(this.validated, end);
    if (!isUtf8(region)) {
      for (const bad of findInvalidUtf8(region)) this.badUtf8.push(this.base + this.validated + bad);
    }
    this.validated = end;
  }

  private scan(final: boolean): void {
    if (this.validateUtf8) this.checkUtf8(final);
    const buf = this.buf;
    const len = this.len;
    const delimiter = this.delimiter;
    const quote = this.quote;
    const escape = this.escape;
    const special = this.special;
    let pos = this.pos;
    let state = this.state;
    let c = 0;

    for (;;) {
      if (state === FIELD_START) {
        if (pos >= len || this.halted) break;
        // At a row's start, unless a row must be seen alone (bridging two reads) or an invalid
        // UTF-8 byte waits to be reported with its row. A row longer than maxFieldBytes is left to
        // the scan below, so a taken row cannot hold a field over the limit.
        if (this.fieldCount === 0 && this.offersSimpleRows && !this.stopAfterRow && this.badUtf8.length === 0) {
          const limit = len - pos > this.maxFieldBytes ? pos + this.maxFieldBytes + 1 : len;
          const next = (this.handler as Required<RowHandler>).takeSimpleRow(buf, pos, limit, this.base);
          if (next >= 0) {
            pos = next;
            this.tookRow(next);
            continue;
          }
        }
        if (buf[pos] === quote) {
          state = QUOTED;
          this.quoteOpen = pos;
          pos++;
          this.fieldStart = pos;
          this.fieldFlags = FIELD_QUOTED;
        } else {
          state = UNQUOTED;
          this.fieldStart = pos;
          this.fieldFlags = 0;
        }
      }
      if (state === UNQUOTED) {
        // One table load per byte instead of four compares: this loop is where most bytes go.
        while (pos < len && special[buf[pos] as number] === 0) pos++;
        if (pos >= len) break;
        c = buf[pos] as number;
        if (c === quote) {
          // RFC 4180: a quote may only open a field; csv-parse rejects this too.
          this.markRow(ROW_INVALID_QUOTE, this.base + pos);
          pos++;
          continue;
        }
        this.endField(pos);
        if (c === delimiter) {
          pos++;
          // Most fields start unquoted right after a delimiter: stay in UNQUOTED instead of a
          // round through FIELD_START (its halt check cannot fire: only a row end halts).
          if (pos < len && buf[pos] !== quote) {
            this.fieldStart = pos;
            this.fieldFlags = 0;
            continue;
          }
          state = FIELD_START;
        } else if (c === LF) {
          pos++;
          this.line++;
          this.endRow(pos - 1, pos);
          state = FIELD_START;
        } else {
          pos++;
          this.line++;
          state = CR_SEEN;
        }
        continue;
      }
      if (state === QUOTED) {
        while (pos < len) {
          c = buf[pos] as number;
          if (c === quote || c === escape) break;
          if (c === LF) {
            if (buf[pos - 1] !== CR) this.line++;
          } else if (c === CR) {
            this.line++;
          }
          pos++;
        }
        if (pos >= len) break;
        pos++;
        state = c === quote ? QUOTE_SEEN : ESCAPE_SEEN;
        continue;
      }
      if (state === QUOTE_SEEN) {
        if (pos >= len) break;
        c = buf[pos] as number;
        if (c === quote && escape === quote) {
          this.fieldFlags |= FIELD_ESCAPED;
          pos++;
          state = QUOTED;
          continue;
        }
        if (c !== delimiter && c !== LF && c !== CR) {
          // Something after the closing quote: keep scanning the field as unquoted, reject the row.
          this.markRow(ROW_INVALID_QUOTE, this.base + pos);
          state = UNQUOTED;
          continue;
        }
        this.endField(pos - 1);
        pos++;
        if (c === delimiter) {
          state = FIELD_START;
        } else if (c === LF) {
          this.line++;
          this.endRow(pos - 1, pos);
          state = FIELD_START;
        } else {
          this.line++;
          state = CR_SEEN;
        }
        continue;
      }
      if (state === ESCAPE_SEEN) {
        if (pos >= len) break;
        // Like csv-parse, an escape makes any next byte literal; only a quote or escape must be skipped here.
        c = buf[pos] as number;
        this.fieldFlags |= FIELD_ESCAPED;
        if (c === quote || c === escape) pos++;
        state = QUOTED;
        continue;
      }
      if (state === CR_SEEN) {
        if (pos >= len) {
          if (!final) break;
          this.endRow(pos - 1, pos);
          state = FIELD_START;
          break;
        }
        if (buf[pos] === LF) {
          pos++;
          this.endRow(pos - 2, pos);
        } else {
          this.endRow(pos - 1, pos);
        }
        state = FIELD_START;
        continue;
      }
      // BOM_CHECK
      if (len - pos < 3 && !final) break;
      if (buf[pos] === 0xef && buf[pos + 1] === 0xbb && buf[pos + 2] === 0xbf && len - pos >= 3) {
        pos += 3;
        this.rowStart = pos;
      }
      state = FIELD_START;
    }

    this.pos = pos;
    this.state = state;
    if (final) this.finishRow(pos);
  }

  /** At end of input, closes whatever the scanner was in the middle of. */
  private finishRow(pos: number): void {
    const state = this.state;
    if (state === FIELD_START) {
      // "a,b," ends with an empty field; nothing pending means the input ended with a newline.
      if (this.fieldCount === 0) return;
      this.fieldStart = pos;
      this.fieldFlags = 0;
      this.endField(pos);
    } else if (state === UNQUOTED) {
      this.endField(pos);
    } else if (state === QUOTE_SEEN) {
      this.endField(pos - 1);
    } else if (state === QUOTED || state === ESCAPE_SEEN) {
      this.markRow(ROW_UNCLOSED_QUOTE, this.base + this.quoteOpen);
      this.endField(pos);
    } else {
      return;
    }
    this.endRow(pos, pos);
    this.state = FIELD_START;
  }

  private markRow(code: number, offset: number): void {
    if (this.rowError !== ROW_OK) return;
    this.rowError = code;
    this.rowErrorOffset = offset;
  }

  private endField(end: number): void {
    const start = this.fieldStart;
    if (end - start > this.maxFieldBytes) this.markRow(ROW_FIELD_TOO_LARGE, this.base + start);
    let fields = this.fields;
    const at = this.fieldCount * 3;
    if (at + 3 > fields.length) {
      const grown = new Int32Array(fields.length * 2);
      grown.set(fields);
      this.fields = fields = grown;
    }
    fields[at] = start;
    fields[at + 1] = end;
    fields[at + 2] = this.fieldFlags;
    this.fieldCount++;
  }

  /**
   * The bookkeeping of {@link endRow} for a row the handler took whole, ending just before `next`.
   * (`rowEnd` is left alone: only `onRow` and the rejects it makes read it.)
   */
  private tookRow(next: number): void {
    this.line++;
    this.rowNextOffset = this.base + next;
    this.rows++;
    this.rowStart = next;
    this.rowLine = this.line;
  }

  private endRow(end: number, next: number): void {
    this.rowEnd = end;
    this.rowNextOffset = this.base + next;
    const bad = this.badUtf8;
    if (bad.length > 0 && (bad[0] as number) < this.rowNextOffset) {
      this.markRow(ROW_INVALID_UTF8, bad[0] as number);
      while (bad.length > 0 && (bad[0] as number) < this.rowNextOffset) bad.shift();
    }
    this.rows++;
    this.halted = this.stopAfterRow;
    this.handler.onRow(this);
    this.fieldCount = 0;
    this.rowError = ROW_OK;
    this.rowStart = next;
    this.rowLine = this.line;
  }
}

/**
 * Copies a quoted field's content into `out` with escape sequences resolved: `""` → `"`, or with
 * a distinct escape such as `\`, the escape is dropped and the next byte kept (as csv-parse does).
 * Returns the length written.
 */
export function unescapeField(buf: Uint8Array, start: number, end: number, quote: number, escape: number, out: Uint8Array): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c === escape && i + 1 < end) {
      out[n++] = buf[++i] as number;
      continue;
    }
    out[n++] = c;
  }
  return n;
}
