import { FlowEngineError } from '@flowengine/sdk';

export type StageKind = 'source' | 'transform' | 'sink';

/** Where a stage was declared, so graph errors point into the YAML. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface GraphStageInput {
  readonly name: string;
  readonly kind: StageKind;
  readonly inputs: readonly string[];
  readonly where?: SourceLocation | undefined;
}

/** One thing wrong with the graph, about one stage (whose `where` locates it). */
export interface GraphProblem {
  readonly stage: string;
  readonly message: string;
}

export interface PipelineGraph {
  /** Stage names in an order where every stage comes after all of its inputs. */
  readonly order: readonly string[];
  /** For each stage, the stages that read its output (fan-out). */
  readonly consumers: ReadonlyMap<string, readonly string[]>;
  /** For each stage, the sources whose rows can reach it (used to route acknowledgements). */
  readonly upstreamSources: ReadonlyMap<string, readonly string[]>;
  /** For each source, the sinks its rows can reach: all of them must flush before an ack. */
  readonly sinksOfSource: ReadonlyMap<string, readonly string[]>;
}

/**
 * Checks the shape of a pipeline (inputs exist, sources have none, every transform and sink has
 * one, no cycles, every source reaches a sink) and computes the orders the executor needs.
 * All problems are reported together in one FE_GRAPH_INVALID error.
 */
export function buildPipelineGraph(stages: readonly GraphStageInput[]): PipelineGraph {
  const byName = new Map(stages.map((stage) => [stage.name, stage]));
  const { graph, problems } = analyseGraph(stages);
  if (problems.length > 0) {
    const lines = problems.map((problem) => {
      const where = byName.get(problem.stage)?.where;
      return `${where ? `${where.file}:${where.line}:${where.col}: ` : ''}${problem.message}`;
    });
    throw new FlowEngineError('FE_GRAPH_INVALID', `the pipeline graph is invalid:\n  ${lines.join('\n  ')}`, { details: { problems } });
  }
  return graph;
}

/** {@link buildPipelineGraph} without the throw: the config loader reports the problems at their YAML positions. */
export function analyseGraph(stages: readonly GraphStageInput[]): { graph: PipelineGraph; problems: GraphProblem[] } {
  const byName = new Map(stages.map((stage) => [stage.name, stage]));
  const problems: GraphProblem[] = [];

  for (const stage of stages) {
    if (stage.kind === 'source' && stage.inputs.length > 0) {
      problems.push({ stage: stage.name, message: `stage "${stage.name}" is a source and cannot have an input; found input ${stage.inputs.join(', ')}` });
    }
    if (stage.kind !== 'source' && stage.inputs.length === 0) {
      problems.push({ stage: stage.name, message: `${stage.kind} "${stage.name}" has no input; add \`input: <stage name>\`` });
    }
    for (const input of stage.inputs) {
      const upstream = byName.get(input);
      if (upstream === undefined) problems.push({ stage: stage.name, message: `stage "${stage.name}" reads from "${input}", which is not a stage of this pipeline` });
      else if (upstream.kind === 'sink') problems.push({ stage: stage.name, message: `stage "${stage.name}" reads from "${input}", a sink; sinks have no output` });
    }
  }

  const order = topologicalOrder(stages, byName, problems);
  const consumers = new Map<string, string[]>(stages.map((stage) => [stage.name, []]));
  for (const stage of stages) for (const input of stage.inputs) consumers.get(input)?.push(stage.name);

  const upstreamSources = new Map<string, string[]>();
  for (const name of order) {
    const stage = byName.get(name) as GraphStageInput;
    const sources = stage.kind === 'source' ? [name] : [...new Set(stage.inputs.flatMap((input) => upstreamSources.get(input) ?? []))];
    upstreamSources.set(name, sources);
  }

  const sinksOfSource = new Map<string, string[]>();
  for (const stage of stages) if (stage.kind === 'source') sinksOfSource.set(stage.name, []);
  for (const stage of stages) {
    if (stage.kind !== 'sink') continue;
    for (const source of upstreamSources.get(stage.name) ?? []) sinksOfSource.get(source)?.push(stage.name);
  }
  // Reachability is meaningless around a cycle; report the cycle alone.
  const cyclic = problems.some((problem) => problem.message.startsWith('stages form a cycle'));
  for (const [source, sinks] of cyclic ? [] : sinksOfSource) {
    const stage = byName.get(source) as GraphStageInput;
    if (sinks.length === 0 && order.includes(source)) problems.push({ stage: stage.name, message: `source "${source}" reaches no sink; its rows would go nowhere (add a sink, e.g. type: null-sink)` });
  }

  return { graph: { order, consumers, upstreamSources, sinksOfSource }, problems };
}

function topologicalOrder(
  stages: readonly GraphStageInput[],
  byName: ReadonlyMap<string, GraphStageInput>,
  problems: GraphProblem[],
): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const visit = (stage: GraphStageInput, path: string[]): void => {
    const seen = state.get(stage.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...path.slice(path.indexOf(stage.name)), stage.name];
      problems.push({ stage: stage.name, message: `stages form a cycle: ${cycle.join(' -> ')}; a pipeline must be acyclic` });
      return;
    }
    state.set(stage.name, 'visiting');
    for (const input of stage.inputs) {
      const upstream = byName.get(input);
      if (upstream !== undefined) visit(upstream, [...path, stage.name]);
    }
    state.set(stage.name, 'done');
    order.push(stage.name);
  };
  for (const stage of stages) visit(stage, []);
  return order;
}
