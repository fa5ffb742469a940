import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowEngineError } from '@flowengine/sdk';
import { assertSinkCompliance, assertSourceCompliance, assertTransformCompliance, runPlugin } from '@flowengine/sdk/testing';
import { fixturePackage, modulePath, numberChunk, numbers } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'flowengine-harness-test-'));
const rows = { schema: numbers, rows: [{ n: 1 }, { n: 2 }, [3]], chunkSize: 2 };

describe('runPlugin', () => {
  it('runs a transform from its package manifest in a worker, with row literals', async () => {
    const result = await runPlugin({ plugin: { packageDir: fixturePackage, id: 'faulty-transform' }, config: { behaviour: 'reject' }, input: rows, errors: 'deadLetter' });
    expect(result.error).toBeUndefined();
    expect(result.rows).toEqual([{ n: 2 }]);
    expect(result.rejected.map((row) => row.code)).toEqual(['FE_FIXTURE_ODD', 'FE_FIXTURE_ODD']);
    expect(result.stats).toMatchObject({ rowsIn: 3, rowsOut: 1, rejected: 2 });
  });

  it('reads a source to its end, acknowledging positions', async () => {
    const ackLog = join(scratch, 'acks');
    const result = await runPlugin({ plugin: { modulePath, id: 'counter-source', kind: 'source' }, config: { chunks: 3, rows: 1, ackLog } });
    expect(result.rows).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(result.positions).toEqual([0, 1, 2]);
    expect(readFileSync(ackLog, 'utf8')).toBe('0\n1\n2\n');
  });

  it('returns the failure instead of throwing', async () => {
    const result = await runPlugin({ plugin: { modulePath, id: 'faulty-transform', kind: 'transform' }, config: { behaviour: 'throw' }, input: rows, mode: 'inline' });
    expect(result.error?.code).toBe('FE_FIXTURE_BROKEN');
    expect(result.rows).toEqual([]);
  });

  it('reports an id the manifest does not declare', async () => {
    const result = await runPlugin({ plugin: { packageDir: fixturePackage, id: 'nope' } });
    expect(result.error?.code).toBe('FE_TESTING_PLUGIN_NOT_FOUND');
    expect(result.error?.message).toContain('"counter-source"');
  });
});

describe('compliance suites', () => {
  it('pass for plugins that keep the contract', async () => {
    const source = await assertSourceCompliance({ plugin: { modulePath, id: 'counter-source', kind: 'source' }, config: { chunks: 2, live: true }, maxChunks: 2 });
    expect(source.passed).toContain('honours abort: close() ends a read in progress');
    expect(source.passed).toContain('ack semantics: reading does not commit, resumeFrom resumes after the position');
    const transform = await assertTransformCompliance({
      plugin: { modulePath, id: 'faulty-transform', kind: 'transform' }, config: { behaviour: 'reject' }, input: { schema: numbers, rows: [[2], [4]] },
      failingInput: rows, mode: 'inline',
    });
    expect(transform.passed).toContain('close after error');
    const sink = await assertSinkCompliance({ plugin: { modulePath, id: 'file-sink', kind: 'sink' }, config: { path: join(scratch, 'sink.jsonl') }, input: rows, mode: 'inline' });
    expect(sink.passed).toEqual(['flush with nothing written', 'write, flush (the durable point), close', 'no write after close']);
  });

  it('fail for a rule the input could not exercise; with allowSkipped they report it as skipped, never as passed', async () => {
    const options = { plugin: { modulePath, id: 'counter-source', kind: 'source' }, config: { chunks: 1 }, mode: 'inline' } as const;
    const unchecked = 'ack semantics: reading does not commit, resumeFrom resumes after the position: it needs a source that yields at least two chunks';
    await expect(assertSourceCompliance(options)).rejects.toMatchObject({
      code: 'FE_TESTING_COMPLIANCE', message: expect.stringContaining(`found 1 the input could not exercise: ${unchecked}`),
    });
    const source = await assertSourceCompliance({ ...options, allowSkipped: true });
    expect(source.passed.some((rule) => rule.startsWith('ack semantics'))).toBe(false);
    expect(source.skipped).toEqual([unchecked]);
  });

  it('probe "no output after close" with a fresh chunk when the input chunks were transferred (worker mode)', async () => {
    const transform = await assertTransformCompliance({
      plugin: { modulePath, id: 'faulty-transform', kind: 'transform' }, config: { behaviour: 'reject' }, input: [numberChunk([2, 4])],
    });
    expect(transform.passed).toContain('no output after close');
    const sink = await assertSinkCompliance({ plugin: { modulePath, id: 'file-sink', kind: 'sink' }, config: { path: join(scratch, 'sink-chunks.jsonl') }, input: [numberChunk([1])] });
    expect(sink.passed).toContain('no write after close');
  });

  it('catch a source that ignores abort', async () => {
    const error = await assertSourceCompliance({ plugin: { modulePath, id: 'stubborn-source', kind: 'source' }, timeoutSeconds: 0.5, maxChunks: 1 })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FlowEngineError);
    expect((error as FlowEngineError).code).toBe('FE_TESTING_COMPLIANCE');
    expect((error as FlowEngineError).message).toContain('honours abort');
    expect((error as FlowEngineError).message).toContain('FE_PLUGIN_TIMEOUT');
  });

  it('catch a source that commits on read', async () => {
    const error = await assertSourceCompliance({ plugin: { modulePath, id: 'eager-source', kind: 'source' }, mode: 'inline' })
      .catch((thrown: unknown) => thrown);
    expect((error as FlowEngineError).code).toBe('FE_TESTING_COMPLIANCE');
    expect((error as FlowEngineError).message).toContain('did reading commit?');
  });

  it('catch a transform whose output does not match outputSchema', async () => {
    const error = await assertTransformCompliance({ plugin: { modulePath, id: 'faulty-transform', kind: 'transform' }, config: { behaviour: 'wrong-schema' }, input: rows, mode: 'inline' })
      .catch((thrown: unknown) => thrown);
    expect((error as FlowEngineError).code).toBe('FE_TESTING_COMPLIANCE');
    expect((error as FlowEngineError).message).toContain('outputs match outputSchema');
  });

  it('catch an error that is not a FlowEngineError (close after error rule)', async () => {
    const error = await assertTransformCompliance({
      plugin: { modulePath, id: 'faulty-transform', kind: 'transform' }, config: { behaviour: 'throw-plain' }, input: { schema: numbers, rows: [] }, failingInput: rows, mode: 'inline',
    }).catch((thrown: unknown) => thrown);
    expect((error as FlowEngineError).code).toBe('FE_TESTING_COMPLIANCE');
    expect((error as FlowEngineError).message).toContain('FE_PLUGIN_UNCAUGHT');
  });
});
