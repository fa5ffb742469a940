import { FlowEngineError } from '@flowengine/sdk';
import type { PluginConfigIssue } from '../config/catalog.js';
import { parseExpression } from '../expression/parser.js';

/** A syntax error in an expression, as a config issue pointing at the character it is about. */
function expressionIssues(text: unknown, path: readonly (string | number)[]): PluginConfigIssue[] {
  if (typeof text !== 'string') return [];
  try {
    parseExpression(text);
    return [];
  } catch (error) {
    if (!(error instanceof FlowEngineError)) throw error;
    const offset = error.details['offset'];
    return [{ path, message: error.message, index: typeof offset === 'number' ? offset : undefined }];
  }
}

/** `filter`: `where` must parse (columns and types are checked once the input schema is known). */
export function checkFilterConfig(config: Readonly<Record<string, unknown>>): PluginConfigIssue[] {
  return expressionIssues(config['where'], ['where']);
}

/** `select`: every computed column's `expr` must parse. */
export function checkSelectConfig(config: Readonly<Record<string, unknown>>): PluginConfigIssue[] {
  const columns = config['columns'];
  if (!Array.isArray(columns)) return [];
  return columns.flatMap((column: unknown, i) => (typeof column === 'object' && column !== null ? expressionIssues((column as { expr?: unknown }).expr, ['columns', i, 'expr']) : []));
}
