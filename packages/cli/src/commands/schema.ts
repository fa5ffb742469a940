import { writeFileSync } from 'node:fs';
import { pipelineJsonSchema } from '@flowengine/core';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { projectPlugins } from '../pipeline.js';

/**
 * `flowengine schema [--out file]`: a JSON Schema of pipeline files, installed plugins' configs
 * included. Point yaml-language-server at it: `# yaml-language-server: $schema=./flowengine.schema.json`.
 */
export async function schemaCommand(options: { out?: string | undefined }, output: Output): Promise<number> {
  const schema = JSON.stringify(pipelineJsonSchema(await projectPlugins(process.cwd())), null, 2);
  if (options.out === undefined) output.out(schema);
  else {
    writeFileSync(options.out, `${schema}\n`);
    output.err(`wrote ${options.out}`);
  }
  return EXIT.ok;
}
