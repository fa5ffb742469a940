import { FlowEngineError } from '@flowengine/sdk';

/** 1-based line and column of `offset` in `text` (expressions from YAML block scalars span lines). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * The line of `text` holding `offset`, and under it a caret at that column: what a CLI prints
 * below the message so the user sees where in the expression the problem is.
 */
export function caretExcerpt(text: string, offset: number, length = 1): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEndAt = text.indexOf('\n', offset);
  const lineEnd = lineEndAt === -1 ? text.length : lineEndAt;
  const line = text.slice(lineStart, lineEnd);
  const width = Math.max(1, Math.min(length, lineEnd - offset));
  return `${line}\n${' '.repeat(offset - lineStart)}${'^'.repeat(width)}`;
}

/** "col 17", or "line 2 col 5" when the expression spans lines. */
export function describePosition(text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return text.includes('\n') ? `line ${line} col ${column}` : `col ${column}`;
}

/**
 * An FE_EXPR_* error pointing at `offset..offset+length` of `text`. `details` carries `offset`,
 * `line`, `column`, `length`, the expression and a caret excerpt. `{at}` in `what` marks where the
 * position goes ("expected ')' {at}, found 'and'"); otherwise it is appended so callers (the config loader)
 * can map it into the YAML file.
 */
export function expressionError(code: string, text: string, offset: number, length: number, what: string,
  details: Record<string, unknown> = {}): FlowEngineError {
  const { line, column } = lineColumn(text, offset);
  const at = `at ${describePosition(text, offset)}`;
  return new FlowEngineError(code, what.includes('{at}') ? what.replace('{at}', at) : `${what} ${at}`, {
    details: { ...details, expression: text, offset, length, line, column, excerpt: caretExcerpt(text, offset, length) },
  });
}
