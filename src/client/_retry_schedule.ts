/**
 * When `ClientCore` connects again: the attempt count behind the backoff,
 * the one timer that waits, and the rule that an open which ends in a login
 * refusal does not reset the backoff.
 *
 * @module
 */

import { backoffDelay } from "./backoff.ts";
import type { ResolvedOptions } from "./options.ts";

/**
 * Reconnect attempts of one client.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RetrySchedule } from "./_retry_schedule.ts";
 * import { resolveOptions } from "./options.ts";
 * const schedule = new RetrySchedule(resolveOptions({ reconnect: { maxAttempts: 1 } }));
 * assert.equal(schedule.mayRetry(), true);
 * const { attempt } = schedule.next(() => {});
 * assert.equal(attempt, 1);
 * assert.equal(schedule.mayRetry(), false, "one attempt allowed");
 * schedule.cancel();
 * ```
 */
export class RetrySchedule {
  #attempt = 0;
  #attemptAtOpen = 0;
  #timer?: unknown;

  /** A schedule under `options.reconnect`, timed by `options.clock`. */
  constructor(private readonly options: ResolvedOptions) {}

  /** Whether another attempt is allowed. */
  mayRetry(): boolean {
    const retry = this.options.reconnect;
    return retry !== false && this.#attempt < retry.maxAttempts;
  }

  /** Waits the next backoff delay, then calls `connect`; returns the attempt and its delay. */
  next(connect: () => void): { attempt: number; delay: number } {
    const retry = this.options.reconnect;
    const delay = retry === false ? 0 : backoffDelay(this.#attempt, retry, this.options.random);
    this.#attempt++;
    this.#timer = this.options.clock.setTimeout(() => {
      this.#timer = undefined;
      connect();
    }, delay);
    return { attempt: this.#attempt, delay };
  }

  /** A socket opened: the backoff starts over (remembering where it was). */
  opened(): void {
    this.#attemptAtOpen = this.#attempt;
    this.#attempt = 0;
  }

  /** The open ended in a login refusal: the backoff goes on from where it was. */
  refusedAfterOpen(): void {
    this.#attempt = this.#attemptAtOpen;
  }

  /** Stops a pending wait. */
  cancel(): void {
    if (this.#timer !== undefined) this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
