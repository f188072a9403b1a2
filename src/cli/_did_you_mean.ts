// "Did you mean" for a misspelt key, flag or command.

/**
 * The closest of `known` to `word` (case and `-`/`_` ignored, then at most a
 * third of its letters, at least two, wrong), or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { didYouMean } from "./_did_you_mean.ts";
 * assert.equal(didYouMean("prot", ["port", "host"]), "port");
 * assert.equal(didYouMean("publish-token", ["publishToken"]), "publishToken");
 * assert.equal(didYouMean("colour", ["port", "host"]), undefined);
 * ```
 */
export function didYouMean(word: string, known: Iterable<string>): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[-_]/g, "");
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(plain(word).length / 3)) + 1;
  for (const candidate of known) {
    const distance = levenshtein(plain(word), plain(candidate));
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}
