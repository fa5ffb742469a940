import { Chunk, Schema, type ColumnLayout, type SchemaDefinition } from '@flowengine/sdk';
import { Channel } from '../channel/channel.js';
import type { ChannelSettings } from './plan.js';

/**
 * What travels on an edge: a chunk (or none, for a marker that only carries progress) and the
 * source chunk it came from (`source`, `seq`), which is what acknowledgements are computed from.
 */
export interface Envelope {
  readonly chunk: Chunk | null;
  readonly source?: string | undefined;
  readonly seq?: number | undefined;
}

export type EdgeChannel = Channel<Envelope>;

export function createEdgeChannel(
  name: string,
  settings: ChannelSettings,
  spill: { readonly directory: string; readonly memoryBudgetBytes?: number | undefined } | undefined,
): EdgeChannel {
  return new Channel<Envelope>({
    name,
    bufferSize: settings.bufferSize,
    backpressureThreshold: settings.backpressureThreshold,
    fullMode: settings.fullMode,
    rows: (envelope) => envelope.chunk?.length ?? 0,
    byteLength: (envelope) => envelope.chunk?.byteLength ?? 0,
    ...(spill === undefined ? {} : { spill, serialize: serializeEnvelope, deserialize: deserializeEnvelope }),
  });
}

interface SpilledHeader {
  readonly source?: string | undefined;
  readonly seq?: number | undefined;
  readonly chunk?: { schema: SchemaDefinition; length: number; byteLength: number; layout: readonly ColumnLayout[] };
}

/** [u32 header length][JSON header][the chunk's one buffer]: the columns are written as they are. */
export function serializeEnvelope(envelope: Envelope): Uint8Array {
  const chunk = envelope.chunk;
  const header: SpilledHeader = {
    source: envelope.source,
    seq: envelope.seq,
    ...(chunk === null ? {} : { chunk: { schema: chunk.schema.toDefinition(), length: chunk.length, byteLength: chunk.byteLength, layout: chunk.layout } }),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataBytes = chunk === null ? 0 : chunk.byteLength;
  const out = new Uint8Array(4 + headerBytes.length + dataBytes);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 4);
  if (chunk !== null) out.set(new Uint8Array(chunk.buffer, 0, chunk.byteLength), 4 + headerBytes.length);
  return out;
}

export function deserializeEnvelope(bytes: Uint8Array): Envelope {
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as SpilledHeader;
  if (header.chunk === undefined) return { chunk: null, source: header.source, seq: header.seq };
  const start = 4 + headerLength;
  // Copy into a fresh, 8-byte-aligned buffer: column views need their alignment.
  const buffer = (bytes.buffer as ArrayBuffer).slice(bytes.byteOffset + start, bytes.byteOffset + start + header.chunk.byteLength);
  const schema = Schema.fromDefinition(header.chunk.schema);
  return { chunk: new Chunk(schema, header.chunk.length, buffer, header.chunk.byteLength, header.chunk.layout), source: header.source, seq: header.seq };
}
