import type { PluginCatalog } from './catalog.js';
import { secretPaths, effectivePluginSchema } from './plugin-schema.js';
import type { PipelineConfig } from './types.js';

export const REDACTED = '***';

/** Adds the values of config options their plugin's schema marks `{ secret: true }`. */
export function collectSchemaSecrets(config: PipelineConfig, catalog: PluginCatalog, secrets: Set<string>): void {
  for (const plugin of config.plugins) {
    const entry = catalog.get(plugin.type);
    if (entry === undefined) continue;
    for (const path of secretPaths(effectivePluginSchema(entry).schema)) {
      for (const value of valuesAt(plugin.config, path)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') secrets.add(String(value));
      }
    }
  }
}

function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return [value];
  const [head, ...rest] = path;
  if (head === '*') return Array.isArray(value) ? value.flatMap((item) => valuesAt(item, rest)) : [];
  if (typeof value !== 'object' || value === null) return [];
  return valuesAt((value as Record<string, unknown>)[head as string], rest);
}

/**
 * A function that replaces every secret value inside any text with `***`. Longer secrets go first,
 * so a secret containing another is not left half shown. Empty strings are never secrets.
 */
export function makeRedactor(secrets: ReadonlySet<string>): (text: string) => string {
  const list = [...secrets].filter((s) => s !== '').sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  const pattern = new RegExp(list.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}

/** A copy of any data with every secret (whole or inside a string) shown as `***`. */
export function redactValue<T>(value: T, secrets: ReadonlySet<string>, redact: (text: string) => string): T {
  if (typeof value === 'string') return (secrets.has(value) ? REDACTED : redact(value)) as T;
  if (typeof value === 'number' || typeof value === 'bigint') return (secrets.has(String(value)) ? REDACTED : value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactValue(item, secrets, redact)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactValue(item, secrets, redact);
    return out as T;
  }
  return value;
}
