import type { TSchema } from 'typebox';
import type { PluginCatalog } from './catalog.js';
import { PipelineFile } from './file-schema.js';
import { effectivePluginSchema } from './plugin-schema.js';

/**
 * JSON Schema (draft-07) of a whole pipeline file, each installed plugin's config schema included
 * through `if: { type: const } then: { config }`, for editors (yaml-language-server) and
 * `flowengine schema`. `${VAR}` placeholders are not known to an editor: a value that reads one
 * (`bufferSize: ${BUF}`) shows as a type mismatch there, never at load time.
 */
export function pipelineJsonSchema(catalog: PluginCatalog): Record<string, unknown> {
  const file = plain(PipelineFile) as Record<string, any>;
  const ids = catalog.ids();
  const instance = file['properties']['pipeline']['properties']['plugins']['items'];
  if (ids.length > 0) instance['properties']['type'] = { ...instance['properties']['type'], enum: ids };
  instance['allOf'] = ids.flatMap((id) => {
    const entry = catalog.get(id);
    if (entry === undefined) return [];
    return [{
      if: { properties: { type: { const: id } }, required: ['type'] },
      then: { properties: { config: { ...(plain(effectivePluginSchema(entry).schema) as object), description: `Options of ${id} (${entry.kind}).` } } },
    }];
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'FlowEngine pipeline',
    ...file,
  };
}

// TypeBox types are JSON Schema already; a JSON round trip drops anything that is not data.
function plain(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema));
}
