import { isAbsolute, join, resolve } from 'node:path';
import type { Chunk } from '../chunk/chunk.js';
import { chunkFromRows } from '../chunk/from-rows.js';
import { FlowEngineError } from '../errors/flowengine-error.js';
import type { ErrorPolicy, RejectedRow } from '../plugin/context.js';
import type { PluginKind } from '../plugin/define.js';
import { readManifest } from '../plugin/manifest.js';
import { Schema } from '../schema/schema.js';
import type { SchemaDefinition } from '../schema/schema.js';
import { loadHost } from './host.js';
import type { HostHandle, HostInstanceOptions, HostStats } from './host.js';

/** Which plugin to run: a module path (+ id), or an installed/local package directory (+ id). */
export type PluginUnderTest =
  | { readonly modulePath: string; readonly id: string; readonly kind: PluginKind; readonly packageDir?: string }
  | { readonly packageDir: string; readonly id: string };

/** Rows given as records or value arrays, with their schema: the harness builds the chunks. */
export interface RowInput {
  readonly schema: Schema | SchemaDefinition;
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>> | readonly unknown[]>;
  /** Rows per chunk (default: all in one chunk). */
  readonly chunkSize?: number;
}

export interface RunPluginOptions {
  readonly plugin: PluginUnderTest;
  readonly config?: unknown;
  /** Default `worker`: the same isolation the engine uses for first-party plugins. */
  readonly mode?: 'worker' | 'inline' | 'process';
  /** Transform/sink input: chunks (the harness takes ownership) or rows. */
  readonly input?: readonly Chunk[] | RowInput;
  readonly name?: string;
  readonly errors?: ErrorPolicy;
  readonly memoryLimitMB?: number;
  readonly timeoutSeconds?: number;
  readonly restart?: { maxRetries: number; backoffMs: number };
  readonly declaredSchema?: Schema | SchemaDefinition;
  readonly grants?: { read?: string[]; write?: string[]; env?: string[] };
  /** Source: stop after this many chunks (default: read to the end). */
  readonly maxChunks?: number;
  /** Source: acknowledge each position after reading it (default true). */
  readonly ack?: boolean;
  /** Source: the position to resume after (`ctx.resumeFrom`). */
  readonly resumeFrom?: unknown;
}

export interface RunPluginResult {
  /** The source schema or the transform's output schema. */
  readonly schema: Schema | undefined;
  /** Chunks a source read or a transform produced (flush output included). */
  readonly chunks: Chunk[];
  /** The same, as plain records. */
  readonly rows: Record<string, unknown>[];
  /** Source positions, in order. */
  readonly positions: unknown[];
  /** The first failure (open, a call, flush or close), if any; the run stops there. */
  readonly error: FlowEngineError | undefined;
  /** Rows rejected under `errors: deadLetter` (under `skip` only `stats.rejected` counts them). */
  readonly rejected: RejectedRow[];
  readonly stats: HostStats | undefined;
}

/**
 * Runs a plugin through the real isolation host (a worker thread by default): opens it, feeds it
 * the input (or reads a source to its end), flushes, closes, and returns what came out, the first
 * error, rejected rows and stats. Never throws for a plugin failure: it is in `result.error`.
 *
 * @example
 * const result = await runPlugin({
 *   plugin: { packageDir: new URL('..', import.meta.url).pathname, id: 'upper' },
 *   input: { schema: { fields: [{ name: 'name', type: 'string' }] }, rows: [{ name: 'ada' }] },
 * });
 * expect(result.rows).toEqual([{ name: 'ADA' }]);
 */
export async function runPlugin(options: RunPluginOptions): Promise<RunPluginResult> {
  const rejected: RejectedRow[] = [];
  const input = toChunks(options.input);
  const handle = await startUnderTest(options, input[0]?.schema, (row) => rejected.push(row)).catch((error: unknown) => FlowEngineError.from(error));
  if (handle instanceof FlowEngineError) return { schema: undefined, chunks: [], rows: [], positions: [], error: handle, rejected, stats: undefined };
  const chunks: Chunk[] = [];
  const positions: unknown[] = [];
  let error: FlowEngineError | undefined;
  try {
    if (handle.kind === 'source') {
      const max = options.maxChunks ?? Number.POSITIVE_INFINITY;
      while (chunks.length < max) {
        const batch = await handle.next();
        if (batch === null) break;
        chunks.push(batch.chunk);
        positions.push(batch.position);
        if (options.ack !== false) await handle.ack(batch.position);
      }
    } else if (handle.kind === 'transform') {
      for (const chunk of input) chunks.push(...await handle.transform(chunk));
      chunks.push(...await handle.flush());
    } else {
      for (const chunk of input) await handle.write(chunk);
      await handle.flush();
    }
  } catch (thrown) {
    error = FlowEngineError.from(thrown);
  }
  try {
    await handle.close();
  } catch (thrown) {
    error ??= FlowEngineError.from(thrown);
  }
  const schema = handle.kind === 'source' ? handle.schema : handle.kind === 'transform' ? handle.outputSchema : undefined;
  return { schema, chunks, rows: chunks.flatMap((chunk) => Array.from(chunk.rows(), (row) => row.toObject())), positions, error, rejected, stats: handle.stats() };
}

/** Starts the plugin in the host without driving it; the compliance suites use this. */
export async function startUnderTest(options: RunPluginOptions, inputSchema: Schema | undefined, onReject?: (row: RejectedRow) => void): Promise<HostHandle> {
  const host = await loadHost();
  const plugin = resolvePlugin(options.plugin);
  const declared = options.declaredSchema;
  const instance: HostInstanceOptions = {
    name: options.name ?? plugin.id,
    plugin: { ...plugin, firstParty: true },
    config: options.config ?? {},
    mode: options.mode ?? 'worker',
    memoryLimitMB: options.memoryLimitMB,
    timeoutSeconds: options.timeoutSeconds,
    restart: options.restart,
    errors: options.errors,
    onReject,
    inputSchema,
    declaredSchema: declared === undefined || declared instanceof Schema ? declared : Schema.fromDefinition(declared),
    grants: options.grants,
    resumeFrom: options.resumeFrom,
  };
  return host.startInstance(instance);
}

function resolvePlugin(plugin: PluginUnderTest): { id: string; kind: PluginKind; modulePath: string; packageDir?: string } {
  if ('modulePath' in plugin) return { ...plugin, modulePath: resolve(plugin.modulePath) };
  const manifest = readManifest(plugin.packageDir);
  const entry = manifest.plugins.find((candidate) => candidate.id === plugin.id);
  if (entry === undefined) {
    throw new FlowEngineError('FE_TESTING_PLUGIN_NOT_FOUND',
      `${manifest.packageName}: no plugin "${plugin.id}" in its manifest; it declares ${manifest.plugins.map((candidate) => `"${candidate.id}"`).join(', ')}`);
  }
  const packageDir = resolve(plugin.packageDir);
  return { id: entry.id, kind: entry.kind, modulePath: isAbsolute(entry.entry) ? entry.entry : join(packageDir, entry.entry), packageDir };
}

/** Chunks given as-is, or built from rows in `chunkSize` slices. */
export function toChunks(input: RunPluginOptions['input']): Chunk[] {
  if (input === undefined) return [];
  if (Array.isArray(input)) return [...input as readonly Chunk[]];
  const rowInput = input as RowInput;
  const schema = rowInput.schema instanceof Schema ? rowInput.schema : Schema.fromDefinition(rowInput.schema);
  const size = rowInput.chunkSize ?? Math.max(rowInput.rows.length, 1);
  const chunks: Chunk[] = [];
  for (let start = 0; start < rowInput.rows.length; start += size) chunks.push(chunkFromRows(schema, rowInput.rows.slice(start, start + size)));
  if (chunks.length === 0) chunks.push(chunkFromRows(schema, []));
  return chunks;
}
