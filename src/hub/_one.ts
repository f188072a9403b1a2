// The subscribers of a channel that has exactly one. Most channels of a server
// with per-user or per-device channels have one subscriber, and a JS `Set`
// costs about 300 bytes even for one entry (in JSC; V8 is not far off), more
// than the connection itself: the hub keeps this small read-only view instead,
// and a `Set` only from the second subscriber on.

/**
 * What the ES2024 set methods take (`ReadonlySetLike` in TypeScript's
 * `esnext` library), spelled out so that the published types also check
 * against older `lib` settings.
 */
export interface SetLike<T> {
  /** How many values. */
  readonly size: number;
  /** Whether `value` is in. */
  has(value: T): boolean;
  /** The values. */
  keys(): Iterator<T>;
}

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
export class One<S> implements ReadonlySet<S> {
  /** Always one. */
  readonly size = 1;
  /** The lone subscriber. */
  constructor(readonly value: S) {}

  /** Whether `subscriber` is the one. */
  has(subscriber: S): boolean {
    return subscriber === this.value;
  }

  // Delivery iterates (fan-outs loop with for-of): an array iterator is what
  // every engine iterates fastest. The rest (rare) delegates to a real Set.
  /** The one subscriber. */
  [Symbol.iterator](): SetIterator<S> {
    return [this.value][Symbol.iterator]() as unknown as SetIterator<S>;
  }
  /** The one subscriber. */
  values(): SetIterator<S> {
    return this[Symbol.iterator]();
  }
  /** The one subscriber. */
  keys(): SetIterator<S> {
    return this[Symbol.iterator]();
  }
  /** `[subscriber, subscriber]`, as `Set#entries` gives. */
  entries(): SetIterator<[S, S]> {
    return this.#view().entries();
  }
  /** Calls `each` with the subscriber, as `Set#forEach` does. */
  forEach(each: (value: S, same: S, set: ReadonlySet<S>) => void): void {
    each(this.value, this.value, this);
  }
  /** A new `Set` of this subscriber and `other`'s. */
  union<U>(other: SetLike<U>): Set<S | U> {
    return this.#view().union(other);
  }
  /** A new `Set` of what is also in `other`. */
  intersection<U>(other: SetLike<U>): Set<S & U> {
    return this.#view().intersection(other);
  }
  /** A new `Set` of what is not in `other`. */
  difference<U>(other: SetLike<U>): Set<S> {
    return this.#view().difference(other);
  }
  /** A new `Set` of what is in exactly one of the two. */
  symmetricDifference<U>(other: SetLike<U>): Set<S | U> {
    return this.#view().symmetricDifference(other);
  }
  /** Whether the subscriber is in `other`. */
  isSubsetOf(other: SetLike<unknown>): boolean {
    return this.#view().isSubsetOf(other);
  }
  /** Whether everything in `other` is this subscriber. */
  isSupersetOf(other: SetLike<unknown>): boolean {
    return this.#view().isSupersetOf(other);
  }
  /** Whether the subscriber is not in `other`. */
  isDisjointFrom(other: SetLike<unknown>): boolean {
    return this.#view().isDisjointFrom(other);
  }

  #view(): Set<S> {
    return new Set([this.value]);
  }
}
