/** Whether `bytes[start, end)` is exactly the configured `nullValue` text. */
export function isNullText(bytes: Uint8Array, start: number, end: number, nullBytes: Uint8Array): boolean {
  if (end - start !== nullBytes.length) return false;
  for (let i = 0; i < nullBytes.length; i++) if (bytes[start + i] !== nullBytes[i]) return false;
  return true;
}
