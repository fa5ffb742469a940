import type { Chunk } from '../chunk/chunk.js';
import { FlowEngineError } from '../errors/flowengine-error.js';
import type { HostHandle, HostSink, HostSource, HostTransform } from './host.js';
import { startUnderTest, toChunks } from './run-plugin.js';
import type { RunPluginOptions } from './run-plugin.js';

/** What every compliance suite takes: how to run the plugin, plus kind-specific inputs. */
export interface ComplianceOptions extends RunPluginOptions {
  /** Input the plugin must reject with a FlowEngineError (for the close-after-error rule). */
  readonly failingInput?: RunPluginOptions['input'];
}

/** The rules checked, in order; each failure names its rule. */
export interface ComplianceReport {
  readonly passed: string[];
}

/**
 * Checks a source against the contract, through the real host:
 * - every chunk has the schema the source declared, and carries a position;
 * - positions can be acknowledged in order;
 * - it honours abort: close() while a read is pending ends that read (no FE_PLUGIN_TIMEOUT);
 * - no output after close: next() after close() fails with FE_PLUGIN_CLOSED;
 * - ack semantics (when the source yields at least two chunks): reading does not commit, so a
 *   source re-opened without an ack starts at the same position; re-opened after the first
 *   position (`ctx.resumeFrom`, what the engine passes once that position was acknowledged after
 *   every sink's flush) it starts at the second.
 * Throws FE_TESTING_COMPLIANCE naming the rule that broke.
 */
export async function assertSourceCompliance(options: ComplianceOptions & { readonly maxChunks?: number }): Promise<ComplianceReport> {
  const passed: string[] = [];
  const source = await start(options, 'source') as HostSource;
  await rule(passed, 'chunks match the declared schema and carry positions', async () => {
    const max = options.maxChunks ?? 1;
    for (let i = 0; i < max; i++) {
      const batch = await source.next();
      if (batch === null) break;
      if (batch.chunk.schema.fingerprint !== source.schema.fingerprint) {
        fail('chunks match the declared schema', `schema ${source.schema.toString()}`, `a chunk with ${batch.chunk.schema.toString()}`);
      }
      if (batch.position === undefined) fail('chunks carry positions', 'a position with every chunk', 'undefined');
      await source.ack(batch.position);
    }
  }, source);
  await rule(passed, 'honours abort: close() ends a read in progress', async () => {
    // A read is pending (a live source waits for input) when the engine stops the source: close
    // aborts ctx.signal, and the read must end so close can finish within the timeout.
    const pending = source.next().catch(() => null);
    await closes(source);
    await pending;
  });
  await rule(passed, 'no output after close', () => rejectsClosed(() => source.next()));
  await ackSemantics(options, passed);
  return { passed };
}

/**
 * Checks a transform: outputs match `outputSchema`, flush works after the input, close after an
 * error (with `failingInput`: a FlowEngineError with a specific code, then a clean close), and no
 * output after close.
 */
export async function assertTransformCompliance(options: ComplianceOptions): Promise<ComplianceReport> {
  const passed: string[] = [];
  const input = toChunks(options.input);
  const transform = await start(options, 'transform', input[0]) as HostTransform;
  await rule(passed, 'outputs match outputSchema', async () => {
    const outputs: Chunk[] = [];
    for (const chunk of input) outputs.push(...await transform.transform(chunk));
    outputs.push(...await transform.flush());
    for (const chunk of outputs) {
      if (chunk.schema.fingerprint !== transform.outputSchema.fingerprint) {
        fail('outputs match outputSchema', transform.outputSchema.toString(), chunk.schema.toString());
      }
    }
  }, transform);
  await rule(passed, 'close() resolves', () => closes(transform));
  await rule(passed, 'no output after close', () => rejectsClosed(() => transform.transform(toChunks(options.input)[0] as Chunk)));
  if (options.failingInput !== undefined) {
    const failing = toChunks(options.failingInput);
    const again = await start(options, 'transform', failing[0]) as HostTransform;
    await rule(passed, 'close after error', async () => {
      await failsCleanly(async () => {
        for (const chunk of failing) await again.transform(chunk);
      });
      await closes(again);
    }, again);
  }
  return { passed };
}

/**
 * Checks a sink: write then flush then close succeed in that order, flush may be called with
 * nothing written, close after error (with `failingInput`), and no write after close.
 */
export async function assertSinkCompliance(options: ComplianceOptions): Promise<ComplianceReport> {
  const passed: string[] = [];
  const input = toChunks(options.input);
  const sink = await start(options, 'sink', input[0]) as HostSink;
  await rule(passed, 'flush with nothing written', () => sink.flush(), sink);
  await rule(passed, 'write, flush (the durable point), close', async () => {
    for (const chunk of input) await sink.write(chunk);
    await sink.flush();
    await closes(sink);
  }, sink);
  await rule(passed, 'no write after close', () => rejectsClosed(() => sink.write(toChunks(options.input)[0] as Chunk)));
  if (options.failingInput !== undefined) {
    const failing = toChunks(options.failingInput);
    const again = await start(options, 'sink', failing[0]) as HostSink;
    await rule(passed, 'close after error', async () => {
      await failsCleanly(async () => {
        for (const chunk of failing) await again.write(chunk);
        await again.flush();
      });
      await closes(again);
    }, again);
  }
  return { passed };
}

async function ackSemantics(options: ComplianceOptions, passed: string[]): Promise<void> {
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
  await rule(passed, name, async () => {
    const first = await firstPositions(2);
    if (first.length < 2) return;
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
  if (handle.kind !== kind) fail('kind', `a ${kind}`, `a ${handle.kind}`);
  return handle;
}

async function rule(passed: string[], name: string, check: () => Promise<unknown>, cleanup?: HostHandle): Promise<void> {
  try {
    await check();
    passed.push(name);
  } catch (error) {
    await cleanup?.close().catch(() => undefined);
    if (error instanceof FlowEngineError && error.code === 'FE_TESTING_COMPLIANCE') throw error;
    const cause = FlowEngineError.from(error);
    throw new FlowEngineError('FE_TESTING_COMPLIANCE', `rule "${name}": expected it to hold, found [${cause.code}] ${cause.message}`, { details: { rule: name }, cause });
  }
}

async function closes(handle: HostHandle): Promise<void> {
  await handle.close();
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
