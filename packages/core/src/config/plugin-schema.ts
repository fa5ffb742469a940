import type { TSchema } from 'typebox';
import type { Validator } from 'typebox/compile';
import { Compile, Type } from '@flowengine/sdk/typebox';
import type { PluginCatalogEntry } from './catalog.js';

/** The schema a plugin's `config:` is checked against, and its compiled validator. */
export interface EffectivePluginSchema {
  readonly schema: TSchema;
  readonly validator: Validator;
  /** `chunkSize` is the engine's (seed shape) rather than the plugin's own option. */
  readonly engineChunkSize: boolean;
}

const CHUNK_SIZE = Type.Integer({ minimum: 1, description: 'Rows per chunk (engine option, seed-guide spelling).' });
const cache = new WeakMap<TSchema, EffectivePluginSchema>();

/**
 * A plugin's schema as the loader applies it: objects that do not say otherwise reject unknown keys
 * (a typo in a plugin option is a problem, not a silently ignored key; a plugin that wants open
 * config says `additionalProperties: true`), and `chunkSize` is accepted even when the plugin does
 * not declare it, because the seed guide writes it there.
 */
export function effectivePluginSchema(entry: PluginCatalogEntry): EffectivePluginSchema {
  const known = cache.get(entry.config);
  if (known !== undefined) return known;
  const strict = strictify(entry.config);
  const properties = (strict as { properties?: Record<string, TSchema> }).properties;
  const engineChunkSize = isObjectSchema(strict) && properties?.['chunkSize'] === undefined;
  const schema = engineChunkSize ? withProperty(strict, 'chunkSize', CHUNK_SIZE) : strict;
  const effective = { schema, validator: Compile(schema), engineChunkSize };
  cache.set(entry.config, effective);
  return effective;
}

function isObjectSchema(schema: TSchema): boolean {
  return (schema as { type?: unknown }).type === 'object' && (schema as { properties?: unknown }).properties !== undefined;
}

// Copy with every own property (TypeBox keeps some non-enumerable), so the copy is still a TypeBox type.
function copy(schema: TSchema): Record<string, unknown> {
  return Object.create(Object.getPrototypeOf(schema) as object, Object.getOwnPropertyDescriptors(schema)) as Record<string, unknown>;
}

function set(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function withProperty(schema: TSchema, key: string, property: TSchema): TSchema {
  const out = copy(schema);
  set(out, 'properties', { ...(schema as { properties?: object }).properties, [key]: property });
  return out as TSchema;
}

function strictify(schema: TSchema): TSchema {
  if (schema === null || typeof schema !== 'object') return schema;
  const source = schema as Record<string, unknown>;
  const out = copy(schema);
  if (source['properties'] !== undefined && typeof source['properties'] === 'object') {
    const properties: Record<string, TSchema> = {};
    for (const [key, value] of Object.entries(source['properties'] as Record<string, TSchema>)) properties[key] = strictify(value);
    set(out, 'properties', properties);
    if (source['additionalProperties'] === undefined && source['patternProperties'] === undefined) set(out, 'additionalProperties', false);
  }
  if (source['items'] !== undefined && typeof source['items'] === 'object' && !Array.isArray(source['items'])) {
    set(out, 'items', strictify(source['items'] as TSchema));
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    // allOf is left alone: closing one member of an intersection would reject the others' keys.
    if (Array.isArray(source[key])) set(out, key, (source[key] as TSchema[]).map(strictify));
  }
  return out as TSchema;
}

/**
 * Paths (lists of keys, `*` for any list item) of values a schema marks `{ secret: true }`. Follows
 * `properties` and `items`; a secret under a union must be marked in each branch's own object.
 */
export function secretPaths(schema: TSchema, prefix: string[] = []): string[][] {
  const s = schema as { secret?: unknown; properties?: Record<string, TSchema>; items?: TSchema; anyOf?: TSchema[]; oneOf?: TSchema[] };
  if (s.secret === true) return [prefix];
  const found: string[][] = [];
  for (const [key, value] of Object.entries(s.properties ?? {})) found.push(...secretPaths(value, [...prefix, key]));
  if (s.items !== undefined && !Array.isArray(s.items)) found.push(...secretPaths(s.items, [...prefix, '*']));
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) found.push(...secretPaths(branch, prefix));
  return found;
}
