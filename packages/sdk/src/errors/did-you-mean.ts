/**
 * "Did you mean" for error messages: every FlowEngine message about an unknown name (a config key,
 * a plugin id, a column) suggests the nearest known one the same way.
 */

/** Edit distance (insert, delete, substitute, each 1), case-insensitive: `Wiat` is one step from `Wait`. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[t.length] ?? 0;
}

/** Candidates ordered closest first (ties keep their order). */
export function byCloseness(word: string, candidates: readonly string[]): string[] {
  return candidates
    .map((candidate, index) => ({ candidate, index, distance: editDistance(word, candidate) }))
    .sort((a, b) => a.distance - b.distance || a.index - b.index)
    .map((entry) => entry.candidate);
}

/** The closest candidate if it is close enough to be the likely intent (a typo), else undefined. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const best = byCloseness(word, candidates)[0];
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(word.length, best.length) / 3));
  return editDistance(word, best) <= limit ? best : undefined;
}
