import { decodeChunk, encodeChunk, type Chunk, type EncodedChunk } from '@flowengine/sdk';
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

/** One edge of a running pipeline: the channel that carries `from`'s output into `to`. */
export interface PipelineEdge {
  readonly from: string;
  readonly to: string;
  readonly channel: EdgeChannel;
}

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
  /** The chunk's `encodeChunk` message without its buffer, which follows the header (layout as a JSON array). */
  readonly chunk?: Omit<EncodedChunk, 'buffer' | 'layout'> & { readonly layout: number[] };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** [u32 header length][JSON header][the chunk's one buffer]: the columns are written as they are. */
export function serializeEnvelope(envelope: Envelope): Uint8Array {
  let header: SpilledHeader = { source: envelope.source, seq: envelope.seq };
  let data: Uint8Array | undefined;
  if (envelope.chunk !== null) {
    const { buffer, layout, ...chunk } = encodeChunk(envelope.chunk).message;
    header = { ...header, chunk: { ...chunk, layout: Array.from(layout) } };
    data = new Uint8Array(buffer, 0, chunk.byteLength);
  }
  const headerBytes = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(4 + headerBytes.length + (data?.length ?? 0));
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 4);
  if (data !== undefined) out.set(data, 4 + headerBytes.length);
  return out;
}

export function deserializeEnvelope(bytes: Uint8Array): Envelope {
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + headerLength))) as SpilledHeader;
  if (header.chunk === undefined) return { chunk: null, source: header.source, seq: header.seq };
  const start = bytes.byteOffset + 4 + headerLength;
  // Copy into a fresh, 8-byte-aligned buffer: column views need their alignment.
  const buffer = (bytes.buffer as ArrayBuffer).slice(start, start + header.chunk.byteLength);
  // decodeChunk checks the layout and parses each schema once per fingerprint, not once per chunk.
  return { chunk: decodeChunk({ ...header.chunk, layout: Int32Array.from(header.chunk.layout), buffer }), source: header.source, seq: header.seq };
}
