import type { LineCounter } from 'yaml';
import type { CoreErrorCode } from '../errors.js';

/** One thing wrong with a pipeline file, at a position. `line` and `col` are 1-based. */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Dotted path of the value (`pipeline.plugins[1].config.where`); `''` for the whole file. */
  readonly path: string;
  readonly message: string;
  readonly code: CoreErrorCode;
}

/** Where a value (and, in a mapping, its key) starts in the text, and how to name it. */
export interface Located {
  readonly offset: number;
  readonly keyOffset?: number;
  readonly display: string;
}

/** JSON pointer of a child: the keys of `positions`, of TypeBox's `instancePath` and of our checks. */
export function childPointer(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

export function childDisplay(display: string, key: string | number, inList: boolean): string {
  if (inList) return `${display}[${key}]`;
  const name = String(key);
  const part = /^[A-Za-z_$][\w$-]*$/.test(name) ? name : JSON.stringify(name);
  return display === '' ? part : /^[A-Za-z_$]/.test(part) ? `${display}.${part}` : `${display}[${part}]`;
}

/** Collects problems, turning pointers into `line:col` through the positions the parser recorded. */
export class ProblemList {
  readonly items: ConfigProblem[] = [];

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly positions: ReadonlyMap<string, Located>,
    private readonly text = '',
  ) {}

  /** A problem about the value at `pointer` (or its key, for unknown and conflicting keys). */
  at(code: CoreErrorCode, pointer: string, message: string, target: 'value' | 'key' = 'value'): void {
    const found = this.locate(pointer);
    const offset = target === 'key' && found.exact ? found.located.keyOffset ?? found.located.offset : found.located.offset;
    this.atOffset(code, offset, found.located.display, message);
  }

  /**
   * A problem at character `index` inside the string value at `pointer` (an expression, a
   * pattern): the column then points at the offending character, past an opening quote.
   */
  inside(code: CoreErrorCode, pointer: string, index: number, message: string): void {
    const found = this.locate(pointer);
    if (!found.exact) return this.at(code, pointer, message);
    const start = found.located.offset;
    const quoted = this.text[start] === '"' || this.text[start] === "'";
    this.atOffset(code, start + (quoted ? 1 : 0) + index, found.located.display, message);
  }

  atOffset(code: CoreErrorCode, offset: number, path: string, message: string): void {
    const { line, col } = this.lines.linePos(offset);
    this.items.push({ file: this.file, line, col, path, message, code });
  }

  /** The 1-based line and column of a value (or its nearest located ancestor). */
  positionOf(pointer: string): { line: number; col: number } {
    return this.lines.linePos(this.locate(pointer).located.offset);
  }

  /** The line of a value, to point from one problem to the place it conflicts with. */
  lineOf(pointer: string): number {
    return this.lines.linePos(this.locate(pointer).located.offset).line;
  }

  /**
   * Problems in file order, each once. A value holding an unset `${VAR}` reports only that: its
   * type or range would be the placeholder's, not the user's mistake.
   */
  sorted(): ConfigProblem[] {
    const seen = new Set<string>();
    const unset = new Set(this.items.filter((p) => p.code === 'FE_CONFIG_ENV_UNSET').map((p) => p.path));
    return this.items
      .filter((p) => {
        if (p.code !== 'FE_CONFIG_ENV_UNSET' && unset.has(p.path)) return false;
        const key = `${p.line}:${p.col}:${p.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort((a, b) => a.line - b.line || a.col - b.col);
  }

  // A missing key has no position of its own: point at the nearest ancestor that has one.
  private locate(pointer: string): { located: Located; exact: boolean } {
    let current = pointer;
    for (;;) {
      const located = this.positions.get(current);
      if (located !== undefined) return { located, exact: current === pointer };
      if (current === '') return { located: { offset: 0, display: '' }, exact: false };
      current = current.slice(0, current.lastIndexOf('/'));
    }
  }
}

/** Display path of a pointer without a recorded position (numeric segments shown as indexes). */
export function displayOf(pointer: string): string {
  let display = '';
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    display = /^\d+$/.test(key) ? childDisplay(display, key, true) : childDisplay(display, key, false);
  }
  return display;
}

/** `file:line:col: path: message`, the one line a user reads per problem. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.path === '' ? '' : `${problem.path}: `;
  return `${problem.file}:${problem.line}:${problem.col}: ${where}${problem.message}`;
}
