import type { TSchema } from 'typebox';
import type { Validator } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { Settings } from '@flowengine/sdk/typebox';
import { didYouMean, suggestion } from './did-you-mean.js';
import { childPointer, type ProblemList } from './problems.js';

// TypeBox stops collecting at 8 errors by default; a config report must list them all. The cap
// still guards against a pathological file.
const MAX_ERRORS = 500;

type SchemaError = TLocalizedValidationError;

/**
 * Validates `value` (found at `basePointer` in the file) and adds one problem per real mistake:
 * unknown keys with "did you mean", missing keys, wrong types and values with what was expected
 * and what was found. `label` names whose schema it is (`csv-source config`) for plugin configs.
 */
export function addSchemaProblems(
  problems: ProblemList, schema: TSchema, validator: Validator, value: unknown, basePointer: string, label = '',
): void {
  if (validator.Check(value)) return;
  const previous = Settings.Get().maxErrors;
  let errors: SchemaError[];
  try {
    Settings.Set({ maxErrors: MAX_ERRORS });
    errors = validator.Errors(value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
  const suffix = label === '' ? '' : ` in ${label}`;
  for (const error of resolveUnions(errors, schema, value)) {
    const pointer = basePointer + error.instancePath;
    const found = valueAt(value, error.instancePath);
    const nodeSchema = schemaAt(schema, error.schemaPath);
    switch (error.keyword) {
      case 'additionalProperties': {
        const known = Object.keys((nodeSchema as { properties?: object } | undefined)?.properties ?? {});
        for (const key of (error.params as { additionalProperties: string[] }).additionalProperties) {
          problems.at('FE_CONFIG_UNKNOWN_KEY', childPointer(pointer, key), `unknown key "${key}"${suffix}${suggestion(key, known)}`, 'key');
        }
        break;
      }
      case 'required': {
        const properties = (nodeSchema as { properties?: Record<string, { description?: string }> } | undefined)?.properties ?? {};
        for (const key of (error.params as { requiredProperties: string[] }).requiredProperties) {
          const about = properties[key]?.description;
          problems.at('FE_CONFIG_MISSING_KEY', pointer, `missing required key "${key}"${suffix}${about === undefined ? '' : ` (${about})`}`, 'key');
        }
        break;
      }
      default:
        problems.at('FE_CONFIG_WRONG_VALUE', pointer, `${expectation(error)}${suffix}, found ${describe(found)}${enumHint(error, found)}`);
    }
  }
}

/** What the failed keyword wanted, in words. */
function expectation(error: SchemaError | UnionError): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': return `expected ${article(String(params['type']))}`;
    case 'enum': return `expected one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const': return `expected ${JSON.stringify(params['allowedValue'])}`;
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return `expected a number ${String(params['comparison'])} ${String(params['limit'])}`;
    case 'minLength': return `expected a string of at least ${String(params['limit'])} character(s)`;
    case 'maxLength': return `expected a string of at most ${String(params['limit'])} character(s)`;
    case 'minItems': return `expected at least ${String(params['limit'])} item(s)`;
    case 'maxItems': return `expected at most ${String(params['limit'])} item(s)`;
    case 'pattern': return `expected a string matching ${String(params['pattern'])}`;
    case 'union': return `expected ${(error as UnionError).branches.map((branch) => describeSchema(branch)).join(' or ')}`;
    default: return `expected a value passing "${error.keyword}" (${error.message})`;
  }
}

function enumHint(error: SchemaError | UnionError, found: unknown): string {
  if (typeof found !== 'string') return '';
  const params = error.params as Record<string, unknown>;
  const allowed = error.keyword === 'enum' ? params['allowedValues'] as unknown[]
    : error.keyword === 'union' ? (error as UnionError).branches.flatMap((b) => constsOf(b)) : [];
  const words = allowed.filter((v): v is string => typeof v === 'string');
  return didYouMean(found, words);
}

interface UnionError {
  keyword: 'union';
  instancePath: string;
  schemaPath: string;
  params: object;
  message: string;
  branches: TSchema[];
}

/**
 * An `anyOf` failure arrives as one error per branch plus the union's own. When the value's JSON type
 * picks exactly one branch (a list given for `string | string[]`), that branch's errors are the real
 * ones; otherwise one "expected A or B" error replaces them all.
 */
function resolveUnions(errors: SchemaError[], root: TSchema, value: unknown): Array<SchemaError | UnionError> {
  const unions = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  let remaining: SchemaError[] = errors.filter((e) => !(e.keyword === 'boolean' && e.schemaPath.endsWith('/additionalProperties')));
  const out: Array<SchemaError | UnionError> = [];
  for (const union of unions) {
    if (!remaining.includes(union)) continue;
    const prefix = `${union.schemaPath}/${union.keyword}/`;
    const inside = remaining.filter((e) => e.schemaPath.startsWith(prefix));
    remaining = remaining.filter((e) => e !== union && !e.schemaPath.startsWith(prefix));
    const branches = ((schemaAt(root, union.schemaPath) as Record<string, unknown> | undefined)?.[union.keyword] ?? []) as TSchema[];
    const found = valueAt(value, union.instancePath);
    const fitting = branches.map((branch, index) => ({ branch, index })).filter(({ branch }) => typeFits(branch, found));
    const only = fitting.length === 1 ? fitting[0] : undefined;
    if (only !== undefined) {
      const branchPrefix = `${prefix}${only.index}`;
      remaining.push(...inside.filter((e) => e.schemaPath === branchPrefix || e.schemaPath.startsWith(`${branchPrefix}/`)));
    } else {
      out.push({ keyword: 'union', instancePath: union.instancePath, schemaPath: union.schemaPath, params: {}, message: union.message, branches });
    }
  }
  return [...out, ...remaining.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf')];
}

function typeFits(schema: TSchema, value: unknown): boolean {
  const type = (schema as { type?: unknown }).type;
  if (type === undefined) return false;
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => t === jsonType(value) || (t === 'number' && jsonType(value) === 'integer'));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function constsOf(schema: TSchema): unknown[] {
  const s = schema as { const?: unknown; enum?: unknown[] };
  if (s.const !== undefined) return [s.const];
  return s.enum ?? [];
}

function describeSchema(schema: TSchema): string {
  const s = schema as { const?: unknown; enum?: unknown[]; type?: unknown; items?: TSchema };
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum !== undefined) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (s.type === 'array') return s.items === undefined ? 'a list' : `a list of ${plural(describeSchema(s.items))}`;
  if (typeof s.type === 'string') return article(s.type);
  return 'a value of another shape';
}

function plural(phrase: string): string {
  return phrase.replace(/^an? (\w+)/, '$1s');
}

function article(type: string): string {
  const word = { object: 'mapping', array: 'list', boolean: 'boolean (true/false)' }[type] ?? type;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** A found value, short: `string "abc"`, `number 5`, `a list`, `a mapping`, `null`. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function segments(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function valueAt(value: unknown, pointer: string): unknown {
  let current = value;
  for (const key of segments(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function schemaAt(root: TSchema, schemaPath: string): TSchema | undefined {
  return valueAt(root, schemaPath.replace(/^#/, '')) as TSchema | undefined;
}
