const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/**
 * Decodes `bytes[start, end)`. Short ASCII strings (most keys, codes and names in tabular data)
 * are built directly; TextDecoder's per-call cost dominates below a few dozen bytes.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let text = '';
    for (let i = start; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte > 0x7f) return decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/**
 * Writes `text` as UTF-8 at `bytes[at]` and returns the byte count. The caller guarantees room
 * for `text.length * 3` bytes (the UTF-8 worst case per UTF-16 unit). Lone surrogates become U+FFFD.
 */
export function encodeUtf8Into(text: string, bytes: Uint8Array, at: number): number {
  const n = text.length;
  let p = at;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return p - at + encoder.encodeInto(i === 0 ? text : text.slice(i), bytes.subarray(p)).written;
    bytes[p++] = code;
  }
  return n;
}
