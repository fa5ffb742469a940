import { byCloseness, closestMatch, editDistance } from '@flowengine/sdk';

/** Shared with every package's messages: see @flowengine/sdk's did-you-mean. */
export { byCloseness, editDistance as levenshtein };
export const closest = closestMatch;

/** `; did you mean "x"?` or `; expected one of: a, b` — the tail of an "unknown ..." message. */
export function suggestion(word: string, candidates: readonly string[], noun = 'one of'): string {
  const best = closestMatch(word, candidates);
  if (best !== undefined) return `; did you mean "${best}"?`;
  return candidates.length === 0 ? '' : `; expected ${noun}: ${candidates.join(', ')}`;
}
