/**
 * The error a namespace configuration is refused with, and the "did you mean"
 * suggestion for misspelt keys.
 *
 * @module
 */

/** Machine codes of refused namespace rules. */
export type NamespaceErrorCode =
  | "namespace_not_a_list"
  | "namespace_unknown_key"
  | "namespace_bad_value"
  | "namespace_duplicate"
  | "namespace_overlap"
  | "namespace_unknown_authorizer";

/**
 * A namespace rule that cannot be used, thrown when the server is constructed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NamespaceError } from "@lhttp/lhttp/internal";
 * const error = new NamespaceError("namespace_duplicate", 'Namespace "chat." is set twice');
 * assert.ok(error instanceof TypeError);
 * assert.equal(error.code, "namespace_duplicate");
 * ```
 */
export class NamespaceError extends TypeError {
  /** Machine-readable code. */
  readonly code: NamespaceErrorCode;

  /** Creates the error. */
  constructor(code: NamespaceErrorCode, message: string) {
    super(message);
    this.name = "NamespaceError";
    this.code = code;
  }
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length];
}

/**
 * The closest of `known` to `word` (case-insensitive edit distance at most a
 * third of its length, at least 2), or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closest } from "@lhttp/lhttp/internal";
 * assert.equal(closest("publsh", ["publish", "subscribe"]), "publish");
 * assert.equal(closest("colour", ["publish"]), undefined);
 * ```
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}
