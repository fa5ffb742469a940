import { FlowEngineError } from '@flowengine/sdk';

/** The bytes that shape a CSV file, resolved once from the config strings. */
export interface Dialect {
  readonly delimiter: number;
  /** -1 when quoting is off (`quote: ""`). */
  readonly quote: number;
  readonly escape: number;
}

/**
 * Turns `delimiter`, `quote` and `escape` into single ASCII bytes. Multi-byte delimiters are not
 * supported: a single byte lets the scanner compare bytes without ever decoding UTF-8.
 */
export function resolveDialect(options: { delimiter?: string | undefined; quote?: string | undefined; escape?: string | undefined }, where: string): Dialect {
  const delimiter = asciiByte(options.delimiter ?? ',', 'delimiter', where, false);
  const quote = asciiByte(options.quote ?? '"', 'quote', where, true);
  const escape = options.escape === undefined ? quote : asciiByte(options.escape, 'escape', where, false);
  if (delimiter === quote || delimiter === escape) {
    throw new FlowEngineError('FE_CSV_CONFIG', `${where}: expected "delimiter" to differ from "quote" and "escape", found ${JSON.stringify(options.delimiter ?? ',')} for both`,
      { details: { delimiter: options.delimiter, quote: options.quote, escape: options.escape } });
  }
  if (delimiter === 10 || delimiter === 13 || quote === 10 || quote === 13) {
    throw new FlowEngineError('FE_CSV_CONFIG', `${where}: expected "delimiter" and "quote" not to be a line break`, { details: {} });
  }
  return { delimiter, quote, escape };
}

function asciiByte(value: string, name: string, where: string, mayBeEmpty: boolean): number {
  if (value === '' && mayBeEmpty) return -1;
  const code = value.length === 1 ? value.charCodeAt(0) : -1;
  if (code < 1 || code > 127) {
    throw new FlowEngineError('FE_CSV_CONFIG',
      `${where}: expected "${name}" to be one ASCII character${mayBeEmpty ? ' (or "" for none)' : ''}, found ${JSON.stringify(value)}`,
      { details: { option: name, found: value } });
  }
  return code;
}
