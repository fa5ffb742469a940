import { analyseGraph } from '../graph/pipeline-graph.js';
import { childPointer, type ConfigProblem, type ProblemList } from './problems.js';
import type { PipelineConfig } from './types.js';

const PLUGINS = '/pipeline/plugins';

/** Where each instance is declared (its list item), by instance name. */
export function instanceLocations(file: string, config: PipelineConfig, problems: ProblemList): Map<string, { file: string; line: number; col: number }> {
  return new Map(config.plugins.map((plugin, index) => [plugin.name, { file, ...problems.positionOf(childPointer(PLUGINS, index)) }]));
}

/**
 * The shape of the graph (cycles, inputs of the wrong kind, a source reaching no sink) as config
 * problems, each at the instance's `input:` (or its entry when it has none), so `validate` reports
 * them with the rest, before any worker starts.
 */
export function checkGraph(config: PipelineConfig, problems: ProblemList): ConfigProblem[] {
  const index = new Map(config.plugins.map((plugin, i) => [plugin.name, i]));
  const before = problems.items.length;
  for (const problem of analyseGraph(config.plugins.map((plugin) => ({ name: plugin.name, kind: plugin.kind, inputs: plugin.input }))).problems) {
    problems.at('FE_CONFIG_GRAPH', `${childPointer(PLUGINS, index.get(problem.stage) ?? 0)}/input`, problem.message);
  }
  return problems.items.slice(before);
}
