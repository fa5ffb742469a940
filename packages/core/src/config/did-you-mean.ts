import { closestMatch } from '@flowengine/sdk';

/** `; did you mean "x"?` when a candidate is close enough to be the likely intent, else `''`. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const best = closestMatch(word, candidates);
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

/** {@link didYouMean}, or else `; expected one of: a, b` — the tail of an "unknown key" message. */
export function suggestion(word: string, candidates: readonly string[]): string {
  const close = didYouMean(word, candidates);
  if (close !== '') return close;
  return candidates.length === 0 ? '' : `; expected one of: ${candidates.join(', ')}`;
}
