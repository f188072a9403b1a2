/**
 * Per-connection frame rate limiting with a token bucket.
 *
 * @module
 */

/** Rate limit settings; off unless a server sets them. */
export interface RateLimit {
  /** Sustained frames per second. */
  framesPerSecond: number;
  /** Frames allowed in a burst above the sustained rate. */
  burst: number;
  /** Refused frames in a row after which the connection is closed with 1008. */
  closeAfter: number;
}

/**
 * A token bucket: `take()` is true while the rate is respected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TokenBucket } from "@lhttp/lhttp/internal";
 * let now = 0;
 * const bucket = new TokenBucket(10, 2, () => now);
 * assert.ok(bucket.take());
 * assert.ok(bucket.take());
 * assert.ok(!bucket.take());
 * now += 100; // 100 ms at 10/s refills one token
 * assert.ok(bucket.take());
 * ```
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  /** A full bucket of `burst` tokens refilled at `perSecond`. */
  constructor(
    readonly perSecond: number,
    readonly burst: number,
    readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = this.now();
    this.#tokens = Math.min(
      this.burst,
      this.#tokens + ((now - this.#last) * this.perSecond) / 1000,
    );
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
