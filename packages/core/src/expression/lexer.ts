import { expressionError } from './position.js';

export type TokenKind = 'number' | 'string' | 'ident' | 'quoted' | 'keyword' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** For keywords lower-cased; for strings and quoted identifiers the unescaped content. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'true', 'false', 'in', 'between', 'case', 'when', 'then', 'else', 'end']);

// Longest first, so `<=` wins over `<`.
const OPERATORS = ['<>', '!=', '<=', '>=', '||', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', ','];

/** Splits an expression into tokens; a character that starts no token is an FE_EXPR_SYNTAX error. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const match = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i)) as RegExpExecArray;
      i += match[0].length;
      if (/[A-Za-z_]/.test(text[i] ?? '')) {
        throw expressionError('FE_EXPR_SYNTAX', text, i, 1, `expected an operator after the number, found '${text[i]}'`,
          { expected: 'operator', found: text[i] });
      }
      tokens.push({ kind: 'number', value: match[0], start, end: i });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      i += match[0].length;
      const lower = match[0].toLowerCase();
      tokens.push(KEYWORDS.has(lower) ? { kind: 'keyword', value: lower, start, end: i } : { kind: 'ident', value: match[0], start, end: i });
      continue;
    }
    if (c === "'" || c === '`') {
      const { value, end } = readQuoted(text, i, c);
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', value, start, end });
      i = end;
      continue;
    }
    const op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
    if (op === undefined) {
      const hint = c === '"' ? " (strings use single quotes; backquote `names` with spaces)" : '';
      throw expressionError('FE_EXPR_SYNTAX', text, i, 1, `unexpected character '${c}'${hint}`, { found: c });
    }
    i += op.length;
    tokens.push({ kind: 'op', value: op === '<>' ? '!=' : op, start, end: i });
  }
  tokens.push({ kind: 'eof', value: '', start: text.length, end: text.length });
  return tokens;
}

/** SQL quoting: the quote character doubled stands for itself (`'it''s'`, `` `a``b` ``). */
function readQuoted(text: string, open: number, quote: string): { value: string; end: number } {
  let value = '';
  let i = open + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === quote) {
      if (text[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += c;
    i++;
  }
  const what = quote === "'" ? 'string' : 'quoted name';
  throw expressionError('FE_EXPR_SYNTAX', text, open, text.length - open, `unterminated ${what}: expected a closing ${quote} before the end`,
    { expected: quote, found: 'end of expression' });
}
