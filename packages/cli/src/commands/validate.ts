import { checkPipelineConfig, formatProblem, readPipelineSource } from '@flowengine/core';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { pipelinePlugins } from '../pipeline.js';

/** `flowengine validate <file>`: every problem with its position, or "valid"; runs nothing. */
export async function validateCommand(options: { file: string; profile?: string | undefined; json?: boolean }, output: Output): Promise<number> {
  const source = readPipelineSource(options.file);
  const plugins = await pipelinePlugins(source, process.cwd());
  const check = checkPipelineConfig(source, { plugins, ...(options.profile === undefined ? {} : { profile: options.profile }) });
  if (options.json === true) {
    output.out(JSON.stringify(check.ok ? { valid: true, pipeline: check.loaded.redacted } : { valid: false, problems: check.problems }));
    return check.ok ? EXIT.ok : EXIT.usage;
  }
  if (check.ok) {
    const config = check.loaded.config;
    output.out(`${options.file}: valid — pipeline "${config.name}", ${config.plugins.length} plugin instance(s): ${config.plugins.map((p) => `${p.name} (${p.type})`).join(', ')}`);
    return EXIT.ok;
  }
  output.err(`${options.file}: ${check.problems.length} problem(s):`);
  for (const problem of check.problems) output.err(`  ${formatProblem(problem)}`);
  return EXIT.usage;
}
