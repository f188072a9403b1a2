/**
 * Reconnect delays: exponential backoff with full jitter.
 *
 * @module
 */

/** How the client reconnects after losing its connection. */
export interface ReconnectOptions {
  /** Base delay in ms of the first retry; 500 by default. */
  initialDelay?: number;
  /** Cap of the exponential delay in ms; 10 000 by default. */
  maxDelay?: number;
  /** Failed attempts in a row before giving up (state `closed`); unlimited by default. */
  maxAttempts?: number;
}

/** {@linkcode ReconnectOptions} with every field set. */
export type ResolvedReconnect = Required<ReconnectOptions>;

/**
 * The defaults of {@linkcode ReconnectOptions}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_RECONNECT } from "./backoff.ts";
 * assert.deepEqual({ ...DEFAULT_RECONNECT }, { initialDelay: 500, maxDelay: 10_000, maxAttempts: Infinity });
 * assert.equal(Object.isFrozen(DEFAULT_RECONNECT), true);
 * ```
 */
export const DEFAULT_RECONNECT: Readonly<ResolvedReconnect> = Object.freeze({
  initialDelay: 500,
  maxDelay: 10_000,
  maxAttempts: Infinity,
});

/**
 * The delay before retry number `attempt` (0 for the first): a uniformly
 * random value in `[0, min(maxDelay, initialDelay * 2^attempt))`. Full jitter
 * spreads a crowd of clients that lost the same server over the whole window,
 * so they do not all come back at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelay } from "@lhttp/lhttp/client";
 * const options = { initialDelay: 100, maxDelay: 1000 };
 * assert.equal(backoffDelay(0, options, () => 0.5), 50);
 * assert.equal(backoffDelay(10, options, () => 0.5), 500);
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: Pick<ReconnectOptions, "initialDelay" | "maxDelay"> = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialDelay ?? DEFAULT_RECONNECT.initialDelay;
  const max = options.maxDelay ?? DEFAULT_RECONNECT.maxDelay;
  // Cap the exponent so 2^attempt never overflows into Infinity * 0 = NaN.
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 52));
  return Math.floor(random() * ceiling);
}
