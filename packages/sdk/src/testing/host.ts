import type { Chunk } from '../chunk/chunk.js';
import { FlowEngineError } from '../errors/flowengine-error.js';
import type { RejectedRow, ErrorPolicy } from '../plugin/context.js';
import type { PluginKind } from '../plugin/define.js';
import type { Schema } from '../schema/schema.js';

/**
 * The part of `@flowengine/isolation` the harness uses, typed structurally: the SDK must not depend
 * on the isolation package at build time (dependencies point sdk <- isolation), so the harness
 * imports it at run time and checks it against these shapes.
 */
export interface HostStats {
  readonly calls: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly rejected: number;
  readonly restarts: number;
  readonly heapUsedBytes: number;
  readonly peakHeapBytes: number;
  readonly externalBytes: number;
}

interface HandleBase {
  close(): Promise<void>;
  stats(): HostStats;
}
export interface HostSource extends HandleBase {
  readonly kind: 'source';
  readonly schema: Schema;
  next(): Promise<{ chunk: Chunk; position: unknown } | null>;
  ack(position: unknown): Promise<void>;
}
export interface HostTransform extends HandleBase {
  readonly kind: 'transform';
  readonly outputSchema: Schema;
  transform(chunk: Chunk): Promise<Chunk[]>;
  flush(): Promise<Chunk[]>;
}
export interface HostSink extends HandleBase {
  readonly kind: 'sink';
  write(chunk: Chunk): Promise<void>;
  flush(): Promise<void>;
}
export type HostHandle = HostSource | HostTransform | HostSink;

export interface HostInstanceOptions {
  name: string;
  plugin: { id: string; kind: PluginKind; modulePath: string; packageDir?: string | undefined; firstParty: boolean };
  config: unknown;
  mode?: 'worker' | 'inline' | 'process' | undefined;
  memoryLimitMB?: number | undefined;
  timeoutSeconds?: number | undefined;
  restart?: { maxRetries: number; backoffMs: number } | undefined;
  errors?: ErrorPolicy | undefined;
  onReject?(row: RejectedRow): void;
  inputSchema?: Schema | undefined;
  declaredSchema?: Schema | undefined;
  resumeFrom?: unknown;
  grants?: { read?: string[]; write?: string[]; env?: string[] } | undefined;
}

interface IsolationModule {
  startInstance(options: HostInstanceOptions): Promise<HostHandle>;
}

// A variable, not a literal: the host is an optional peer found at run time, never bundled or typed in.
const ISOLATION = '@flowengine/isolation';

/** Loads `@flowengine/isolation` (an optional peer dependency of the SDK, needed only by the harness). */
export async function loadHost(): Promise<IsolationModule> {
  let module: Partial<IsolationModule>;
  try {
    module = await import(ISOLATION) as Partial<IsolationModule>;
  } catch (cause) {
    throw new FlowEngineError('FE_TESTING_HOST_MISSING',
      `@flowengine/sdk/testing runs plugins through @flowengine/isolation, which could not be imported: ${(cause as Error).message}; install it as a dev dependency (npm install -D @flowengine/isolation)`,
      { cause });
  }
  if (typeof module.startInstance !== 'function') {
    throw new FlowEngineError('FE_TESTING_HOST_MISSING',
      '@flowengine/sdk/testing: expected @flowengine/isolation to export startInstance, found none; install the version the SDK names as its peer dependency');
  }
  return module as IsolationModule;
}
