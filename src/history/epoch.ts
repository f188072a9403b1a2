/**
 * Epochs: short random tokens naming one life of a channel's history.
 *
 * @module
 */

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * A new random epoch of 10 characters of `0-9 a-z`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newEpoch } from "@lhttp/lhttp/internal";
 * assert.match(newEpoch(), /^[0-9a-z]{10}$/);
 * assert.notEqual(newEpoch(), newEpoch());
 * ```
 */
export function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let epoch = "";
  for (const byte of bytes) epoch += ALPHABET[byte % 36];
  return epoch;
}

/**
 * Whether `value` is a valid epoch on the wire: 1–32 of `A-Z a-z 0-9 _ -`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isEpoch } from "@lhttp/lhttp/internal";
 * assert.equal(isEpoch("k3x9q2"), true);
 * assert.equal(isEpoch("a,b"), false);
 * ```
 */
export function isEpoch(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,32}$/.test(value);
}
