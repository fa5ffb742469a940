import type { Static, TSchema } from 'typebox';
import type { Chunk } from '../chunk/chunk.js';
import { FlowEngineError } from '../errors/flowengine-error.js';
import type { Schema } from '../schema/schema.js';
import type { PluginContext } from './context.js';
import { SDK_RANGE } from './version.js';

/** The three kinds of plugin. */
export type PluginKind = 'source' | 'transform' | 'sink';

type MaybePromise<T> = T | Promise<T>;

/** One chunk read by a source, tagged with the position to acknowledge once it is durable downstream. */
export interface SourceBatch<Position = unknown> {
  readonly chunk: Chunk;
  readonly position: Position;
}

/** A running source. State lives in the closure `open` returned it from. */
export interface SourceInstance<Position = unknown> {
  /** The schema of every chunk `read` yields. */
  readonly schema: Schema;
  /** Yields chunks in order; ends when the input is exhausted or `ctx.signal` aborts. */
  read(): AsyncIterable<SourceBatch<Position>>;
  /**
   * Every sink has durably written all rows up to `position` (called in position order). It may
   * be called while `read()` is waiting for data, so commit without assuming the read is idle.
   */
  ack?(position: Position): MaybePromise<void>;
  close?(): MaybePromise<void>;
}

/** Zero, one or several chunks out of one transform call. */
export type TransformOutput = Chunk | readonly Chunk[] | undefined | void;

/** A running transform. */
export interface TransformInstance<Config = unknown> {
  transform(chunk: Chunk, ctx: PluginContext<Config>): MaybePromise<TransformOutput>;
  /** Emits what the transform still holds at the end of the input (windows, sorts...). */
  flush?(): MaybePromise<TransformOutput>;
  close?(): MaybePromise<void>;
}

/** A running sink. */
export interface SinkInstance {
  write(chunk: Chunk): MaybePromise<void>;
  /** Makes everything written so far durable; the engine acknowledges source positions after it. */
  flush(): MaybePromise<void>;
  close?(): MaybePromise<void>;
}

/** What an author passes to {@link defineSource}. */
export interface SourceSpec<C extends TSchema, Position = unknown> {
  readonly id: string;
  readonly config: C;
  open(ctx: PluginContext<Static<C>>): MaybePromise<SourceInstance<Position>>;
}

/** What an author passes to {@link defineTransform}. */
export interface TransformSpec<C extends TSchema> {
  readonly id: string;
  readonly config: C;
  /** True when each output depends only on its input chunk: the engine may then run N threads. */
  readonly stateless?: boolean;
  /** The schema of every output chunk for a given input schema; called before any chunk flows. */
  outputSchema(inputSchema: Schema, config: Static<C>): Schema;
  open(ctx: PluginContext<Static<C>>, inputSchema: Schema): MaybePromise<TransformInstance<Static<C>>>;
}

/** What an author passes to {@link defineSink}. */
export interface SinkSpec<C extends TSchema> {
  readonly id: string;
  readonly config: C;
  open(ctx: PluginContext<Static<C>>, inputSchema: Schema): MaybePromise<SinkInstance>;
}

interface DescriptorBase<K extends PluginKind> {
  readonly kind: K;
  /** The SDK range the plugin was built for (checked against the engine's SDK before loading). */
  readonly sdk: string;
}

export type SourceDescriptor<C extends TSchema = TSchema, Position = unknown> = DescriptorBase<'source'> & SourceSpec<C, Position>;
export type TransformDescriptor<C extends TSchema = TSchema> = DescriptorBase<'transform'> & TransformSpec<C> & { readonly stateless: boolean };
export type SinkDescriptor<C extends TSchema = TSchema> = DescriptorBase<'sink'> & SinkSpec<C>;
// `any` config so a descriptor of any concrete config type is assignable (methods are contravariant).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PluginDescriptor = SourceDescriptor<any> | TransformDescriptor<any> | SinkDescriptor<any>;

/** Plugin ids are what pipelines write in `type:`: lower-case words joined by dashes. */
const ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Defines a source plugin. The config type is inferred from the TypeBox schema.
 *
 * @example
 * export default defineSource({
 *   id: 'numbers-source',
 *   config: Type.Object({ count: Type.Integer() }),
 *   open(ctx) {
 *     const schema = Schema.fromDefinition({ fields: [{ name: 'n', type: 'int32' }] });
 *     return { schema, async *read() { yield { chunk: chunkFromRows(schema, [[1]]), position: 1 }; } };
 *   },
 * });
 */
export function defineSource<C extends TSchema, Position = unknown>(spec: SourceSpec<C, Position>): SourceDescriptor<C, Position> {
  check(spec, 'source', ['open']);
  return Object.freeze({ ...spec, kind: 'source' as const, sdk: SDK_RANGE });
}

/** Defines a transform plugin; `stateless: true` lets the engine run it on several threads. */
export function defineTransform<C extends TSchema>(spec: TransformSpec<C>): TransformDescriptor<C> {
  check(spec, 'transform', ['open', 'outputSchema']);
  return Object.freeze({ ...spec, kind: 'transform' as const, sdk: SDK_RANGE, stateless: spec.stateless === true });
}

/** Defines a sink plugin. */
export function defineSink<C extends TSchema>(spec: SinkSpec<C>): SinkDescriptor<C> {
  check(spec, 'sink', ['open']);
  return Object.freeze({ ...spec, kind: 'sink' as const, sdk: SDK_RANGE });
}

/** Whether a module export is a descriptor made by one of the define* helpers. */
export function isPluginDescriptor(value: unknown): value is PluginDescriptor {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, id, sdk, open } = value as Record<string, unknown>;
  return (kind === 'source' || kind === 'transform' || kind === 'sink') && typeof id === 'string' && typeof sdk === 'string' && typeof open === 'function';
}

function check(spec: unknown, kind: PluginKind, functions: readonly string[]): void {
  const where = `define${kind[0]?.toUpperCase()}${kind.slice(1)}`;
  if (typeof spec !== 'object' || spec === null) {
    throw new FlowEngineError('FE_PLUGIN_DEFINITION_INVALID', `${where}: expected an object, found ${spec === null ? 'null' : typeof spec}`);
  }
  const record = spec as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof record.id !== 'string' || !ID_PATTERN.test(record.id)) {
    problems.push(`"id": expected lower-case words joined by dashes (e.g. "csv-source"), found ${JSON.stringify(record.id)}`);
  }
  if (typeof record.config !== 'object' || record.config === null) {
    problems.push('"config": expected a TypeBox schema (e.g. Type.Object({...})), found ' + (record.config === null ? 'null' : typeof record.config));
  }
  for (const name of functions) {
    if (typeof record[name] !== 'function') problems.push(`"${name}": expected a function, found ${typeof record[name]}`);
  }
  if (problems.length > 0) {
    const id = typeof record.id === 'string' ? ` "${record.id}"` : '';
    throw new FlowEngineError('FE_PLUGIN_DEFINITION_INVALID', `${where}${id}: ${problems.join('; ')}`, { details: { kind, problems } });
  }
}
