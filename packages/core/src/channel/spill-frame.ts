import { crc32 } from 'node:zlib';

/** "FESP" read as a big-endian u32: marks the start of every spilled frame. */
export const FRAME_MAGIC = 0x46455350;
/** magic (u32) + payload length (u32) + CRC32 of the payload (u32), all big-endian. */
export const FRAME_HEADER_BYTES = 12;

/** Wraps a payload in a frame: one contiguous buffer, so one positional write persists it. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength);
  frame.writeUInt32BE(FRAME_MAGIC, 0);
  frame.writeUInt32BE(payload.byteLength, 4);
  frame.writeUInt32BE(crc32(payload), 8);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Checks a frame read back from disk: its header and payload arrive in separate buffers so the
 * payload can own its ArrayBuffer (a chunk decodes from it without a copy). Returns undefined when
 * the frame is sound, otherwise a sentence saying what is wrong; the caller adds file and offset.
 */
export function checkFrame(header: Buffer, payload: Uint8Array, bytesRead: number): string | undefined {
  const expected = FRAME_HEADER_BYTES + payload.byteLength;
  if (bytesRead < FRAME_HEADER_BYTES) {
    return `expected a ${FRAME_HEADER_BYTES}-byte frame header but found ${bytesRead} bytes (file truncated)`;
  }
  const magic = header.readUInt32BE(0);
  if (magic !== FRAME_MAGIC) {
    return `expected frame magic 0x${hex(FRAME_MAGIC)} but found 0x${hex(magic)}`;
  }
  const length = header.readUInt32BE(4);
  if (length !== payload.byteLength) {
    return `expected a payload of ${payload.byteLength} bytes but the frame header says ${length}`;
  }
  if (bytesRead < expected) return `expected ${expected} bytes but found ${bytesRead} (file truncated)`;
  const stored = header.readUInt32BE(8);
  const actual = crc32(payload);
  if (actual !== stored) return `payload checksum mismatch: header says crc32 0x${hex(stored)}, data has 0x${hex(actual)}`;
  return undefined;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
