/**
 * Offsets (relative to `bytes`) where an ill-formed UTF-8 sequence starts, per the Unicode
 * standard's table of well-formed byte sequences: no overlongs, no surrogates, nothing past
 * U+10FFFF, no truncated sequence. Used only after `isUtf8` said no, so speed matters little.
 */
export function findInvalidUtf8(bytes: Uint8Array): number[] {
  const bad: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      bad.push(i);
      i++;
    } else {
      i += length;
    }
  }
  return bad;
}

/** Length of the well-formed sequence at `i`, or 0 when it is ill-formed. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  const b1 = bytes[i + 1];
  if (b1 === undefined) return 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) return isTail(b1) ? 2 : 0;
  const b2 = bytes[i + 2];
  if (b2 === undefined || !isTail(b2)) return 0;
  if (b0 === 0xe0) return b1 >= 0xa0 && b1 <= 0xbf ? 3 : 0;
  if (b0 === 0xed) return b1 >= 0x80 && b1 <= 0x9f ? 3 : 0;
  if (b0 >= 0xe1 && b0 <= 0xef) return isTail(b1) ? 3 : 0;
  const b3 = bytes[i + 3];
  if (b3 === undefined || !isTail(b3)) return 0;
  if (b0 === 0xf0) return b1 >= 0x90 && b1 <= 0xbf ? 4 : 0;
  if (b0 === 0xf4) return b1 >= 0x80 && b1 <= 0x8f ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return isTail(b1) ? 4 : 0;
  return 0;
}

function isTail(b: number): boolean {
  return (b & 0xc0) === 0x80;
}
