/**
 * What the JetStream engine's live subscription has delivered on this node:
 * the stream sequence of the last copy, for an acknowledgement that waits for
 * the publisher's own copy, and per channel while a latest value is read.
 *
 * Live copies arrive in stream order on one subscription, so "delivered up to
 * sequence n" only grows: a waiter is released by the first copy at or past
 * its sequence.
 *
 * @module
 */

/** A latest-value read in flight: the last live offset of its channel seen meanwhile. */
export interface LiveWatch {
  /** Offset of the last live copy of the channel delivered since the watch began (0: none). */
  readonly seen: number;
  /** Ends the watch. */
  end(): void;
}

interface Waiter {
  readonly sequence: number;
  readonly release: () => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Tracks live deliveries by stream sequence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LiveTracker } from "./live_tracker.ts";
 * const live = new LiveTracker(1000);
 * const watch = live.watch("r");
 * let released = false;
 * const waiting = live.until(3).then(() => void (released = true));
 * live.delivered("r", 2);
 * await Promise.resolve();
 * assert.equal(released, false, "2 is not 3 yet");
 * live.delivered("s", 3);
 * await waiting;
 * assert.equal(released, true);
 * assert.equal(watch.seen, 2, "only channel r counts for its watch");
 * watch.end();
 * live.close();
 * ```
 */
export class LiveTracker {
  #last = 0;
  #waiters: Waiter[] = [];
  readonly #watches = new Map<string, Set<{ seen: number }>>();

  /** A tracker whose waits end after `waitMs` at most. */
  constructor(readonly waitMs: number) {}

  /** A live copy of `channel` at stream sequence `sequence` was delivered locally. */
  delivered(channel: string, sequence: number): void {
    this.#last = sequence;
    if (this.#watches.size) {
      const watches = this.#watches.get(channel);
      if (watches) { for (const watch of watches) watch.seen = sequence; }
    }
    const waiters = this.#waiters;
    if (!waiters.length) return;
    // Acks come back in order too, so the released ones are at the front.
    let released = 0;
    while (released < waiters.length && waiters[released].sequence <= sequence) released++;
    if (released === 0) return;
    const done = released === waiters.length ? waiters : waiters.slice(0, released);
    this.#waiters = released === waiters.length ? [] : waiters.slice(released);
    for (const waiter of done) (clearTimeout(waiter.timer), waiter.release());
  }

  /** Resolves once the copy at `sequence` (or a later one) was delivered, or after `waitMs`. */
  until(sequence: number): Promise<void> {
    if (this.#last >= sequence) return Promise.resolve();
    return new Promise((release) => {
      const waiter: Waiter = {
        sequence,
        release,
        // A copy that never comes (its node lost the live subscription) must not hold the ack.
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((other) => other !== waiter);
          release();
        }, this.waitMs),
      };
      // Keep the queue sorted: an ack may overtake another one.
      let at = this.#waiters.length;
      while (at > 0 && this.#waiters[at - 1].sequence > sequence) at--;
      this.#waiters.splice(at, 0, waiter);
    });
  }

  /** Starts counting the live copies of `channel` (for a latest-value read). */
  watch(channel: string): LiveWatch {
    const watch = { seen: 0 };
    let set = this.#watches.get(channel);
    if (!set) this.#watches.set(channel, set = new Set());
    set.add(watch);
    const watches = this.#watches;
    return {
      get seen() {
        return watch.seen;
      },
      end() {
        set.delete(watch);
        if (!set.size && watches.get(channel) === set) watches.delete(channel);
      },
    };
  }

  /** Releases every waiter (the engine closes). */
  close(): void {
    for (const waiter of this.#waiters.splice(0)) (clearTimeout(waiter.timer), waiter.release());
  }
}
