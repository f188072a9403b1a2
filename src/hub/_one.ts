// The subscribers of a channel that has exactly one. Most channels of a server
// with per-user or per-device channels have one subscriber, and a JS `Set`
// costs about 300 bytes even for one entry (in JSC; V8 is not far off), more
// than the connection itself: the hub keeps this small read-only view instead,
// and a `Set` only from the second subscriber on.

import { SetView } from "./set_view.ts";

/**
 * A read-only set of one subscriber.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { One } from "./_one.ts";
 * const one = new One("ann");
 * assert.equal(one.size, 1);
 * assert.ok(one.has("ann"));
 * assert.deepEqual([...one], ["ann"]);
 * ```
 */
export class One<S> extends SetView<S> {
  /** Always one. */
  readonly size = 1;
  /** The lone subscriber. */
  constructor(readonly value: S) {
    super();
  }

  /** Whether `subscriber` is the one. */
  has(subscriber: S): boolean {
    return subscriber === this.value;
  }

  // Delivery iterates (fan-outs loop with for-of): an array iterator is what
  // every engine iterates fastest.
  /** The one subscriber. */
  override [Symbol.iterator](): SetIterator<S> {
    return [this.value][Symbol.iterator]() as unknown as SetIterator<S>;
  }
  /** Calls `each` with the subscriber, as `Set#forEach` does. */
  override forEach(each: (value: S, same: S, set: ReadonlySet<S>) => void): void {
    each(this.value, this.value, this);
  }

  protected view(): Set<S> {
    return new Set([this.value]);
  }
}
