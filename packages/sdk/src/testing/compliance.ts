import type { Chunk } from '../chunk/chunk.js';
import { chunkFromRows } from '../chunk/from-rows.js';
import { FlowEngineError } from '../errors/flowengine-error.js';
import { Schema } from '../schema/schema.js';
import type { HostHandle, HostSink, HostSource, HostTransform } from './host.js';
import { startUnderTest, toChunks } from './run-plugin.js';
import type { RunPluginOptions } from './run-plugin.js';

/** What every compliance suite takes: how to run the plugin, plus kind-specific inputs. */
export interface ComplianceOptions extends RunPluginOptions {
  /** Input the plugin must reject with a FlowEngineError (for the close-after-error rule). */
  readonly failingInput?: RunPluginOptions['input'];
  /**
   * Return rules the input could not exercise in `skipped` instead of failing with
   * FE_TESTING_COMPLIANCE. Off by default: an unchecked rule is not a kept one.
   */
  readonly allowSkipped?: boolean;
}

/** The rules checked, in order; each failure names its rule. */
export interface ComplianceReport {
  readonly passed: string[];
  /**
   * Rules the given input could not exercise (a source that yields fewer than two chunks cannot
   * show ack semantics), each as `rule: why`. They are not in `passed`: give richer input.
   */
  readonly skipped: string[];
}

/** What a rule's check returns when the input gave it nothing to check. */
interface Skip {
  readonly skip: string;
}

/**
 * Checks a source against the contract, through the real host:
 * - every chunk has the schema the source declared, and carries a position;
 * - positions can be acknowledged in order;
 * - it honours abort: close() while a read is pending ends that read (no FE_PLUGIN_TIMEOUT);
 * - no output after close: next() after close() fails with FE_PLUGIN_CLOSED;
 * - ack semantics: reading does not commit, so a source re-opened without an ack starts at the
 *   same position; re-opened after the first position (`ctx.resumeFrom`, what the engine passes
 *   once that position was acknowledged after every sink's flush) it starts at the second.
 * Throws FE_TESTING_COMPLIANCE naming the rule that broke. A rule the source's output cannot
 * exercise (no chunk at all; fewer than two chunks for ack semantics) fails the suite too, unless
 * `allowSkipped` asks for it in `skipped`.
 */
export async function assertSourceCompliance(options: ComplianceOptions & { readonly maxChunks?: number }): Promise<ComplianceReport> {
  const report: ComplianceReport = { passed: [], skipped: [] };
  const source = await start(options, 'source') as HostSource;
  await rule(report, 'chunks match the declared schema and carry positions', async () => {
    const max = options.maxChunks ?? 1;
    for (let i = 0; i < max; i++) {
      const batch = await source.next();
      if (batch === null) return i === 0 ? { skip: 'the source yielded no chunk' } : undefined;
      if (batch.chunk.schema.fingerprint !== source.schema.fingerprint) {
        fail('chunks match the declared schema', `schema ${source.schema.toString()}`, `a chunk with ${batch.chunk.schema.toString()}`);
      }
      if (batch.position === undefined) fail('chunks carry positions', 'a position with every chunk', 'undefined');
      await source.ack(batch.position);
    }
  }, source);
  await rule(report, 'honours abort: close() ends a read in progress', async () => {
    // A read is pending (a live source waits for input) when the engine stops the source: close
    // aborts ctx.signal, and the read must end so close can finish within the timeout.
    const pending = source.next().catch(() => null);
    await source.close();
    await pending;
  });
  await rule(report, 'no output after close', () => rejectsClosed(() => source.next()));
  await ackSemantics(options, report);
  return checked(report, options);
}

/**
 * Checks a transform: outputs match `outputSchema` (skipped when the input yields no output),
 * flush works after the input, close after an error (with `failingInput`: a FlowEngineError with a
 * specific code, then a clean close), and no output after close.
 */
export async function assertTransformCompliance(options: ComplianceOptions): Promise<ComplianceReport> {
  const report: ComplianceReport = { passed: [], skipped: [] };
  const input = toChunks(options.input);
  const probe = emptyLike(input); // made now: the input chunks are transferred away below
  const transform = await start(options, 'transform', input[0]) as HostTransform;
  await rule(report, 'outputs match outputSchema', async () => {
    const outputs: Chunk[] = [];
    for (const chunk of input) outputs.push(...await transform.transform(chunk));
    outputs.push(...await transform.flush());
    for (const chunk of outputs) {
      if (chunk.schema.fingerprint !== transform.outputSchema.fingerprint) {
        fail('outputs match outputSchema', transform.outputSchema.toString(), chunk.schema.toString());
      }
    }
    return outputs.length === 0 ? { skip: 'the input produced no output chunk' } : undefined;
  }, transform);
  await rule(report, 'close() resolves', () => transform.close());
  await rule(report, 'no output after close', () => rejectsClosed(() => transform.transform(probe)));
  if (options.failingInput !== undefined) {
    const failing = toChunks(options.failingInput);
    const again = await start(options, 'transform', failing[0]) as HostTransform;
    await rule(report, 'close after error', async () => {
      await failsCleanly(async () => {
        for (const chunk of failing) await again.transform(chunk);
      });
      await again.close();
    }, again);
  }
  return checked(report, options);
}

/**
 * Checks a sink: write then flush then close succeed in that order, flush may be called with
 * nothing written, close after error (with `failingInput`), and no write after close.
 */
export async function assertSinkCompliance(options: ComplianceOptions): Promise<ComplianceReport> {
  const report: ComplianceReport = { passed: [], skipped: [] };
  const input = toChunks(options.input);
  const probe = emptyLike(input); // made now: the input chunks are transferred away below
  const sink = await start(options, 'sink', input[0]) as HostSink;
  await rule(report, 'flush with nothing written', () => sink.flush(), sink);
  await rule(report, 'write, flush (the durable point), close', async () => {
    for (const chunk of input) await sink.write(chunk);
    await sink.flush();
    await sink.close();
  }, sink);
  await rule(report, 'no write after close', () => rejectsClosed(() => sink.write(probe)));
  if (options.failingInput !== undefined) {
    const failing = toChunks(options.failingInput);
    const again = await start(options, 'sink', failing[0]) as HostSink;
    await rule(report, 'close after error', async () => {
      await failsCleanly(async () => {
        for (const chunk of failing) await again.write(chunk);
        await again.flush();
      });
      await again.close();
    }, again);
  }
  return checked(report, options);
}

async function ackSemantics(options: ComplianceOptions, report: ComplianceReport): Promise<void> {
  const name = 'ack semantics: reading does not commit, resumeFrom resumes after the position';
  const firstPositions = async (count: number, resumeFrom?: unknown): Promise<unknown[]> => {
    const source = await start({ ...options, ...(resumeFrom === undefined ? {} : { resumeFrom }) }, 'source') as HostSource;
    const positions: unknown[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const batch = await source.next();
        if (batch === null) break;
        positions.push(batch.position);
      }
    } finally {
      await source.close();
    }
    return positions;
  };
  await rule(report, name, async () => {
    const first = await firstPositions(2);
    if (first.length < 2) return { skip: 'it needs a source that yields at least two chunks' };
    const again = await firstPositions(1);
    if (JSON.stringify(again[0]) !== JSON.stringify(first[0])) {
      fail(name, `a source re-opened without an ack to start at ${JSON.stringify(first[0])}`, `${JSON.stringify(again[0])} (did reading commit?)`);
    }
    const resumed = await firstPositions(1, first[0]);
    if (JSON.stringify(resumed[0]) !== JSON.stringify(first[1])) {
      fail(name, `a source resumed after ${JSON.stringify(first[0])} to start at ${JSON.stringify(first[1])}`, JSON.stringify(resumed[0]));
    }
  });
}

async function start(options: ComplianceOptions, kind: HostHandle['kind'], first?: Chunk): Promise<HostHandle> {
  // Short calls: a compliant plugin answers well within this, and a hang shows as a broken rule.
  const handle = await startUnderTest({ timeoutSeconds: 10, ...options }, first?.schema);
  if (handle.kind !== kind) {
    await handle.close().catch(() => undefined);
    fail('kind', `a ${kind}`, `a ${handle.kind}`);
  }
  return handle;
}

/** An empty chunk to call a closed instance with: the harness owns no other chunk by then. */
function emptyLike(input: readonly Chunk[]): Chunk {
  return chunkFromRows(input[0]?.schema ?? Schema.of([{ name: 'n', type: 'int32' }]), []);
}

/** The report, or FE_TESTING_COMPLIANCE naming the rules the input left unchecked (unless allowed). */
function checked(report: ComplianceReport, options: ComplianceOptions): ComplianceReport {
  if (report.skipped.length === 0 || options.allowSkipped === true) return report;
  throw new FlowEngineError('FE_TESTING_COMPLIANCE',
    `expected every rule checked, found ${report.skipped.length} the input could not exercise: ${report.skipped.join('; ')} (give richer input, or pass allowSkipped: true)`,
    { details: { skipped: report.skipped } });
}

async function rule(report: ComplianceReport, name: string, check: () => Promise<Skip | void>, cleanup?: HostHandle): Promise<void> {
  try {
    const outcome = await check();
    if (outcome === undefined) report.passed.push(name);
    else report.skipped.push(`${name}: ${outcome.skip}`);
  } catch (error) {
    await cleanup?.close().catch(() => undefined);
    if (error instanceof FlowEngineError && error.code === 'FE_TESTING_COMPLIANCE') throw error;
    const cause = FlowEngineError.from(error);
    throw new FlowEngineError('FE_TESTING_COMPLIANCE', `rule "${name}": expected it to hold, found [${cause.code}] ${cause.message}`, { details: { rule: name }, cause });
  }
}

async function rejectsClosed(call: () => Promise<unknown>): Promise<void> {
  const outcome = await call().then(() => undefined, (error: unknown) => error);
  if (!(outcome instanceof FlowEngineError) || outcome.code !== 'FE_PLUGIN_CLOSED') {
    fail('no output after close', 'FE_PLUGIN_CLOSED', outcome === undefined ? 'a result' : String((outcome as { code?: string }).code ?? outcome));
  }
}

async function failsCleanly(run: () => Promise<void>): Promise<void> {
  const outcome = await run().then(() => undefined, (error: unknown) => error);
  if (outcome === undefined) fail('close after error', 'failingInput to make the plugin fail', 'no failure');
  const code = (outcome as { code?: unknown }).code;
  if (!(outcome instanceof FlowEngineError) || code === 'FE_PLUGIN_UNCAUGHT') {
    fail('errors are FlowEngineErrors with a specific code', 'a FlowEngineError with an FE_<AREA>_<WHAT> code', `${String(code ?? outcome)}`);
  }
}

function fail(name: string, expected: string, found: string): never {
  throw new FlowEngineError('FE_TESTING_COMPLIANCE', `rule "${name}": expected ${expected}, found ${found}`, { details: { rule: name, expected, found } });
}
