/**
 * Scalar semantics shared by the compiled evaluator and the reference interpreter where there is
 * exactly one sensible way to write them (rounding, substr bounds, trimming); everything else the
 * two implement independently so the property test compares two implementations.
 */

/** SQL rounding: halves go away from zero (JS Math.round sends -2.5 to -2). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export function roundTo(x: number, digits: number): number {
  if (digits === 0) return roundHalfAway(x);
  const d = Math.max(-308, Math.min(308, digits));
  const f = 10 ** d;
  return roundHalfAway(x * f) / f;
}

/**
 * 1-based SQL substring bounds over `length` code points: start before 1 eats into the count,
 * a negative count gives ''. Returns [from, to) as 0-based code point indexes.
 */
export function substrBounds(length: number, start: number, count: number | undefined): [number, number] {
  const end = count === undefined ? Infinity : start + count;
  const from = Math.max(start, 1);
  const to = Math.min(end, length + 1);
  return to <= from ? [0, 0] : [from - 1, to - 1];
}

/** ASCII whitespace only: trimming stays a byte operation on UTF-8, never decoding the string. */
export function isAsciiSpace(byte: number): boolean {
  return byte === 32 || (byte >= 9 && byte <= 13);
}
