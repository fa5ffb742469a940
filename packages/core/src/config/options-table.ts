import type { TSchema } from 'typebox';
import { PipelineFile } from './file-schema.js';

interface SchemaNode {
  type?: string;
  enum?: unknown[];
  anyOf?: SchemaNode[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  required?: string[];
  default?: unknown;
  description?: string;
}

// Sections that repeat another one are listed once, with a pointer, instead of row by row.
const SUMMARISED: Record<string, string> = {
  'pipeline.schema': 'Seed-guide spelling: the schema of the one source without its own `schema`.',
  schema: 'Seed-guide spelling of `pipeline.schema`.',
  channels: 'Seed-guide spelling of `settings.channels`.',
  isolation: 'Seed-guide spelling of `settings.isolation`.',
  memoryPools: 'Seed-guide spelling of `settings.memoryPools`.',
  'profiles.<name>': 'An overlay of `settings` (same keys, all optional), deep-merged by `--profile <name>`.',
};

/**
 * The Markdown table of every option of a config schema: by default the pipeline file's, generated
 * from the TypeBox schema the loader validates with, so README.md cannot describe an option the
 * loader does not have (a test checks); given a plugin's config schema, that plugin's options
 * (`flowengine plugins info`).
 */
export function configOptionsTable(schema: TSchema = PipelineFile): string {
  const rows: string[] = ['| option | type | default | description |', '| --- | --- | --- | --- |'];
  walk(schema as SchemaNode, '', true, rows, schema === PipelineFile ? SUMMARISED : {});
  return rows.join('\n');
}

function walk(node: SchemaNode, path: string, required: boolean, rows: string[], summaries: Readonly<Record<string, string>>): void {
  const summary = summaries[path];
  if (summary !== undefined) {
    rows.push(row(path, typeOf(node), node, summary, required));
    return;
  }
  if (node.properties !== undefined) {
    for (const [key, child] of Object.entries(node.properties)) {
      walk(child, path === '' ? key : `${path}.${key}`, node.required?.includes(key) ?? false, rows, summaries);
    }
    return;
  }
  const values = node.patternProperties === undefined ? undefined : Object.values(node.patternProperties)[0];
  if (values !== undefined && values.properties !== undefined) {
    walk(values, `${path}.<name>`, false, rows, summaries);
    return;
  }
  if (node.type === 'array' && node.items?.properties !== undefined) {
    walk(node.items, `${path}[]`, false, rows, summaries);
    return;
  }
  // A root that is not an object of options (a plugin taking any config) has no rows.
  if (path !== '') rows.push(row(path, typeOf(node), node, node.description ?? '', required));
}

function row(path: string, type: string, node: SchemaNode, description: string, required: boolean): string {
  const fallback = node.default === undefined ? (required ? '(required)' : '') : `\`${JSON.stringify(node.default)}\``;
  return `| \`${path}\` | ${type.replaceAll('|', '\\|')} | ${fallback} | ${description.replaceAll('|', '\\|')} |`;
}

function typeOf(node: SchemaNode): string {
  if (node.enum !== undefined) return node.enum.map((v) => `\`${String(v)}\``).join(' | ');
  if (node.anyOf !== undefined) return node.anyOf.map(typeOf).join(' | ');
  if (node.type === 'array') return node.items === undefined ? 'list' : `${typeOf(node.items)}[]`;
  if (node.type === 'object') return 'mapping';
  return node.type ?? 'any';
}
