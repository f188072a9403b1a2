// One timer for every body deadline of a server. Each deadline has the same
// length, so they expire in the order they start: a queue, and a single timer
// armed for its oldest live entry. Starting and cancelling are a push and a
// flag, not a timer (and its native bookkeeping) per request. While nothing
// is pending the timer is unref'd rather than cleared (an idle server, or a
// test, is not held open by it; it fires once more and is not re-armed).

/** A pending deadline; `cancel` once the work it bounds is done. */
export interface Deadline {
  /**
   * Stops the deadline; its `onExpire` will not run. Idempotent: true the
   * first time, false once cancelled or expired (so it can settle a race).
   */
  cancel(): boolean;
}

class Entry implements Deadline {
  live = true;
  constructor(
    readonly owner: Deadlines,
    readonly at: number,
    readonly onExpire: () => void,
  ) {}
  cancel(): boolean {
    if (!this.live) return false;
    this.live = false;
    this.owner.settled();
    return true;
  }
}

/**
 * Deadlines of `ms` milliseconds that share one timer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deadlines } from "./_deadlines.ts";
 * const deadlines = new Deadlines(10);
 * const expired = await new Promise<string>((resolve) => {
 *   deadlines.start(() => resolve("first"));
 *   deadlines.start(() => resolve("never")).cancel();
 * });
 * assert.equal(expired, "first");
 * assert.equal(deadlines.pending, 0);
 * ```
 */
export class Deadlines {
  #queue: Entry[] = [];
  #head = 0;
  #live = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #held = false;

  /** Deadlines of `ms` milliseconds each. */
  constructor(readonly ms: number) {}

  /** Deadlines started and neither expired nor cancelled. */
  get pending(): number {
    return this.#live;
  }

  /** Starts a deadline: `onExpire` runs once `ms` have passed, unless cancelled first. */
  start(onExpire: () => void): Deadline {
    const entry = new Entry(this, Date.now() + this.ms, onExpire);
    this.#queue.push(entry);
    if (this.#live++ === 0) this.#hold();
    return entry;
  }

  /** @internal An entry was cancelled. */
  settled(): void {
    if (--this.#live === 0) {
      this.#queue.length = 0;
      this.#head = 0;
      if (this.#timer !== undefined) reference(this.#timer, false);
      this.#held = false;
      return;
    }
    this.#dropSettled();
  }

  // Something is pending: a timer armed (or kept) and referenced.
  #hold(): void {
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#fire, this.ms);
    } else if (!this.#held) reference(this.#timer, true);
    this.#held = true;
  }

  // Entries mostly finish in the order they started: dropping settled ones at
  // the head keeps the queue about as long as the number pending.
  #dropSettled(): void {
    const queue = this.#queue;
    while (this.#head < queue.length && !queue[this.#head].live) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #fire = (): void => {
    this.#timer = undefined;
    this.#held = false;
    const now = Date.now();
    const queue = this.#queue;
    while (this.#head < queue.length) {
      const entry = queue[this.#head];
      if (entry.live && entry.at > now) break;
      this.#head++;
      if (!entry.live) continue;
      entry.live = false;
      this.#live--;
      try {
        entry.onExpire();
      } catch {
        // One failing callback must not keep the others from expiring.
      }
    }
    if (this.#live === 0) {
      queue.length = 0;
      this.#head = 0;
      return;
    }
    this.#dropSettled();
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#fire, Math.max(1, queue[this.#head].at - now));
    } else if (!this.#held) reference(this.#timer, true);
    this.#held = true;
  };
}

type Timer = ReturnType<typeof setTimeout>;
interface Refable {
  ref?(): void;
  unref?(): void;
}
interface DenoTimers {
  refTimer?(id: number): void;
  unrefTimer?(id: number): void;
}

// Node and Bun timers are objects with ref/unref; Deno's are ids; elsewhere
// (workerd) a timer keeps nothing alive, so there is nothing to do.
function reference(timer: Timer, held: boolean): void {
  if (typeof timer === "object" && timer !== null) {
    const refable = timer as Refable;
    if (held) refable.ref?.();
    else refable.unref?.();
    return;
  }
  const deno = (globalThis as { Deno?: DenoTimers }).Deno;
  if (held) deno?.refTimer?.(timer as number);
  else deno?.unrefTimer?.(timer as number);
}
