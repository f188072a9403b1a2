/**
 * A read-only `Set` over storage that is not a `Set`: the hub's lone
 * subscriber (`_one.ts`) and a connection's channels (`connection/channel_set.ts`)
 * keep one entry in a field, because a `Set` costs a few hundred bytes even
 * for one. Iteration and the ES2024 set methods are rare, so they delegate to a
 * short-lived real `Set` made by {@linkcode SetView.view}.
 *
 * @module
 */

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
 * The `ReadonlySet` methods over `size`, `has` and a `view` of the values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SetView } from "./set_view.ts";
 * class Pair extends SetView<number> {
 *   readonly size = 2;
 *   has(value: number) { return value === 1 || value === 2; }
 *   protected view() { return new Set([1, 2]); }
 * }
 * assert.deepEqual([...new Pair()], [1, 2]);
 * assert.ok(new Pair().isSubsetOf(new Set([1, 2, 3])));
 * ```
 */
export abstract class SetView<T> implements ReadonlySet<T> {
  /** How many values. */
  abstract readonly size: number;
  /** Whether `value` is in. */
  abstract has(value: T): boolean;
  /** A real `Set` of the values, in order, for the rare operations. */
  protected abstract view(): Set<T>;

  /** Each value, in order. */
  [Symbol.iterator](): SetIterator<T> {
    return this.view()[Symbol.iterator]();
  }
  /** Each value, in order. */
  values(): SetIterator<T> {
    return this[Symbol.iterator]();
  }
  /** Each value, in order. */
  keys(): SetIterator<T> {
    return this[Symbol.iterator]();
  }
  /** `[value, value]` pairs, as `Set#entries` gives. */
  entries(): SetIterator<[T, T]> {
    return this.view().entries();
  }
  /** Calls `each` with every value, as `Set#forEach` does. */
  forEach(each: (value: T, same: T, set: ReadonlySet<T>) => void): void {
    for (const value of this.view()) each(value, value, this);
  }
  /** A new `Set` of these values and `other`'s. */
  union<U>(other: SetLike<U>): Set<T | U> {
    return this.view().union(other);
  }
  /** A new `Set` of the values also in `other`. */
  intersection<U>(other: SetLike<U>): Set<T & U> {
    return this.view().intersection(other);
  }
  /** A new `Set` of the values not in `other`. */
  difference<U>(other: SetLike<U>): Set<T> {
    return this.view().difference(other);
  }
  /** A new `Set` of what is in exactly one of the two. */
  symmetricDifference<U>(other: SetLike<U>): Set<T | U> {
    return this.view().symmetricDifference(other);
  }
  /** Whether every value is in `other`. */
  isSubsetOf(other: SetLike<unknown>): boolean {
    return this.view().isSubsetOf(other);
  }
  /** Whether everything in `other` is in here. */
  isSupersetOf(other: SetLike<unknown>): boolean {
    return this.view().isSupersetOf(other);
  }
  /** Whether no value is in `other`. */
  isDisjointFrom(other: SetLike<unknown>): boolean {
    return this.view().isDisjointFrom(other);
  }
}
