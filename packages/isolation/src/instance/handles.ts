import { Schema } from '@flowengine/sdk';
import type { Chunk } from '@flowengine/sdk';
import type { Supervisor } from './supervisor.js';
import type { SinkHandle, SourceHandle, TransformHandle } from './types.js';

/** A source handle: one lane; a restart resumes after the last acknowledged position. */
export function sourceHandle(supervisor: Supervisor, schemaDefinition: unknown): SourceHandle {
  const { name, mode } = supervisor.options;
  return {
    kind: 'source',
    name,
    mode,
    schema: Schema.fromDefinition(schemaDefinition, `instance "${name}" source schema`),
    next: () => supervisor.withRestart(0, 'read', async () => {
      const result = await supervisor.call(0, { op: 'next' }, [], 'read');
      if (result.batch === null || result.batch === undefined) return null;
      const chunk = supervisor.codec.decode(result.batch.chunk);
      supervisor.counters.rowsOut += chunk.length;
      return { chunk, position: result.batch.position };
    }),
    ack: async (position) => {
      // Recorded before the plugin hears of it: the rows are durable whatever the plugin's ack does.
      supervisor.acknowledged(position);
      await supervisor.withRestart(0, 'ack', async () => {
        await supervisor.call(0, { op: 'ack', position }, [], 'ack');
      });
    },
    close: (outcome) => supervisor.close(outcome),
    stats: () => supervisor.stats(),
  };
}

/**
 * A transform handle over one or more lanes. Each call goes to the least busy lane; a private copy
 * of the input is kept only when a restart could need to send it again.
 */
export function transformHandle(supervisor: Supervisor, schemaDefinition: unknown): TransformHandle {
  const { name, mode } = supervisor.options;
  const retry = (supervisor.options.restart?.maxRetries ?? 0) > 0;
  return {
    kind: 'transform',
    name,
    mode,
    outputSchema: Schema.fromDefinition(schemaDefinition, `instance "${name}" output schema`),
    transform: async (chunk: Chunk) => {
      supervisor.counters.rowsIn += chunk.length;
      const lane = supervisor.pickLane();
      const encoded = supervisor.codec.encode(chunk);
      const kept = retry ? supervisor.codec.copy(encoded.wire) : undefined;
      let attempt = 0;
      const out = await supervisor.withRestart(lane, 'transform', async () => {
        const { wire, transfer } = attempt++ === 0 || kept === undefined ? encoded : supervisor.codec.copy(kept.wire);
        return supervisor.call(lane, { op: 'transform', chunk: wire }, transfer, 'transform');
      });
      return decodeAll(supervisor, out.chunks);
    },
    flush: async () => {
      const outputs: Chunk[] = [];
      for (let lane = 0; lane < supervisor.laneCount; lane++) {
        const out = await supervisor.withRestart(lane, 'flush', () => supervisor.call(lane, { op: 'flush' }, [], 'flush'));
        outputs.push(...decodeAll(supervisor, out.chunks));
      }
      return outputs;
    },
    close: (outcome) => supervisor.close(outcome),
    stats: () => supervisor.stats(),
  };
}

/**
 * A sink handle. With a restart policy it keeps copies of the chunks written since the last
 * successful flush and writes them again into a restarted instance, so nothing between two
 * durable points is lost (a sink may see those rows twice: at-least-once).
 */
export function sinkHandle(supervisor: Supervisor): SinkHandle {
  const { name, mode } = supervisor.options;
  const retry = (supervisor.options.restart?.maxRetries ?? 0) > 0;
  const unflushed: unknown[] = [];
  supervisor.afterRestart = async (lane) => {
    for (const kept of unflushed) {
      const { wire, transfer } = supervisor.codec.copy(kept);
      await supervisor.call(lane, { op: 'write', chunk: wire }, transfer, 'write');
    }
  };
  return {
    kind: 'sink',
    name,
    mode,
    write: async (chunk: Chunk) => {
      supervisor.counters.rowsIn += chunk.length;
      const encoded = supervisor.codec.encode(chunk);
      const kept = retry ? supervisor.codec.copy(encoded.wire).wire : undefined;
      let attempt = 0;
      await supervisor.withRestart(0, 'write', async () => {
        const { wire, transfer } = attempt++ === 0 || kept === undefined ? encoded : supervisor.codec.copy(kept);
        await supervisor.call(0, { op: 'write', chunk: wire }, transfer, 'write');
      });
      if (kept !== undefined) unflushed.push(kept);
    },
    flush: async () => {
      await supervisor.withRestart(0, 'flush', () => supervisor.call(0, { op: 'flush' }, [], 'flush'));
      unflushed.length = 0;
    },
    close: (outcome) => supervisor.close(outcome),
    stats: () => supervisor.stats(),
  };
}

function decodeAll(supervisor: Supervisor, chunks: readonly unknown[] | undefined): Chunk[] {
  const out = (chunks ?? []).map((wire) => supervisor.codec.decode(wire));
  for (const chunk of out) supervisor.counters.rowsOut += chunk.length;
  return out;
}
