import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, checkFrame, encodeFrame } from './spill-frame.js';

function split(frame: Buffer): [Buffer, Uint8Array] {
  return [frame.subarray(0, FRAME_HEADER_BYTES), new Uint8Array(frame.subarray(FRAME_HEADER_BYTES))];
}

describe('spill frames', () => {
  const payload = new TextEncoder().encode('a chunk of bytes');

  it('accepts a frame as written', () => {
    const frame = encodeFrame(payload);
    expect(frame.byteLength).toBe(FRAME_HEADER_BYTES + payload.byteLength);
    const [header, body] = split(frame);
    expect(checkFrame(header, body, frame.byteLength)).toBeUndefined();
    expect(body).toEqual(payload);
  });

  it('names a bad magic, a wrong length, a checksum mismatch and a truncation', () => {
    const badMagic = encodeFrame(payload);
    badMagic[0] = 0;
    expect(checkFrame(...split(badMagic), badMagic.byteLength)).toBe('expected frame magic 0x46455350 but found 0x00455350');

    const badLength = encodeFrame(payload);
    badLength.writeUInt32BE(3, 4);
    expect(checkFrame(...split(badLength), badLength.byteLength)).toBe(`expected a payload of ${payload.byteLength} bytes but the frame header says 3`);

    const flipped = encodeFrame(payload);
    flipped[FRAME_HEADER_BYTES] = (flipped[FRAME_HEADER_BYTES] as number) ^ 1;
    expect(checkFrame(...split(flipped), flipped.byteLength)).toMatch(/^payload checksum mismatch: header says crc32 0x[0-9a-f]{8}, data has 0x[0-9a-f]{8}$/);

    const whole = encodeFrame(payload);
    expect(checkFrame(...split(whole), 5)).toContain('found 5 bytes (file truncated)');
    expect(checkFrame(...split(whole), whole.byteLength - 1)).toContain('(file truncated)');
  });
});
