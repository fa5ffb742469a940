import { FlowEngineError } from '@flowengine/sdk';
import { describe, expect, it } from 'vitest';
import { buildPipelineGraph, type GraphStageInput } from '../src/index.js';
import { runYaml } from './fixtures/plugins/harness.js';

const at = (line: number) => ({ file: 'p.yml', line, col: 7 });
const src = (name: string, inputs: string[] = [], line = 1): GraphStageInput => ({ name, kind: 'source', inputs, where: at(line) });
const tx = (name: string, inputs: string[], line = 1): GraphStageInput => ({ name, kind: 'transform', inputs, where: at(line) });
const sink = (name: string, inputs: string[], line = 1): GraphStageInput => ({ name, kind: 'sink', inputs, where: at(line) });

function graphError(stages: GraphStageInput[]): FlowEngineError {
  try {
    buildPipelineGraph(stages);
  } catch (error) {
    if (error instanceof FlowEngineError) return error;
    throw error;
  }
  throw new Error('expected buildPipelineGraph to throw');
}

describe('pipeline graph', () => {
  it('orders stages after their inputs and routes sources to the sinks they reach', () => {
    const graph = buildPipelineGraph([sink('out', ['b']), tx('b', ['a', 'c']), src('a'), src('c'), sink('audit', ['a'])]);
    const order = graph.order;
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('b'));
    expect(order.indexOf('c')).toBeLessThan(order.indexOf('b'));
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('out'));
    expect(graph.consumers.get('a')).toEqual(['b', 'audit']);
    expect(graph.sinksOfSource.get('a')).toEqual(['out', 'audit']);
    expect(graph.sinksOfSource.get('c')).toEqual(['out']);
    expect(graph.upstreamSources.get('out')).toEqual(['a', 'c']);
  });

  it('reports a cycle with its path and position', () => {
    const error = graphError([src('s'), tx('a', ['s', 'b'], 3), tx('b', ['a'], 5), sink('out', ['b'], 7)]);
    expect(error.code).toBe('FE_GRAPH_INVALID');
    expect(error.message).toMatch(/p\.yml:\d+:7: stages form a cycle: (a -> b -> a|b -> a -> b); a pipeline must be acyclic/);
  });

  it('reports an unknown input, naming the stage and the missing name', () => {
    const error = graphError([src('s'), sink('out', ['nope'], 4)]);
    expect(error.message).toContain('p.yml:4:7: stage "out" reads from "nope", which is not a stage of this pipeline');
  });

  it('reports a sink with no input and a source with an input', () => {
    const error = graphError([src('s', [], 1), sink('out', ['s'], 2), sink('lonely', [], 3), src('fed', ['s'], 4), sink('out2', ['fed'], 5)]);
    expect(error.message).toContain('p.yml:3:7: sink "lonely" has no input; add `input: <stage name>`');
    expect(error.message).toContain('p.yml:4:7: stage "fed" is a source and cannot have an input; found input s');
  });

  it('reports a source that reaches no sink, and reading from a sink', () => {
    const error = graphError([src('s'), sink('out', ['s']), src('orphan', [], 9), tx('t', ['out'], 11), sink('end', ['t'])]);
    expect(error.message).toContain('p.yml:9:7: source "orphan" reaches no sink');
    expect(error.message).toContain('p.yml:11:7: stage "t" reads from "out", a sink; sinks have no output');
  });

  it('reports every problem at once in details.problems', () => {
    const error = graphError([src('s', ['x']), sink('out', [])]);
    expect((error.details as { problems: string[] }).problems.length).toBeGreaterThanOrEqual(3);
  });

  it('a cycle written in YAML is a config error pointing at the file position, before any worker starts', async () => {
    const run = runYaml({ yaml: `
pipeline:
  name: loop
  plugins:
    - { name: src, type: counting-source, config: { count: 10 } }
    - { name: a, type: reject-every, input: [src, b], config: { every: 2 } }
    - { name: b, type: reject-every, input: a, config: { every: 3 } }
    - { name: out, type: null-sink, input: b }
` });
    const error = await run.then(() => undefined, (thrown: unknown) => thrown as FlowEngineError);
    expect(error?.code).toBe('FE_CONFIG_INVALID');
    // Like every config error: file:line:col, here the `input:` of the instance that closes the cycle.
    expect(error?.message).toMatch(/test\.yml:6:\d+: pipeline\.plugins\[1\]\.input: stages form a cycle: a -> b -> a/);
    expect(error?.details['problems']).toHaveLength(1);
  });
});
