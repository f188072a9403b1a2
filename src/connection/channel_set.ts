/**
 * The channels of one connection. Most connections are in one channel, and a
 * `Set` costs a few hundred bytes even for one entry, so one channel is a
 * field and a `Set` is made only for a second.
 *
 * @module
 */

import type { SetLike } from "../hub/_one.ts";

export type { SetLike };

/**
 * A set of channel names, a field for the first; iterates in insertion order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChannelSet } from "./channel_set.ts";
 * const channels = new ChannelSet();
 * channels.add("a").add("b").add("a");
 * assert.equal(channels.size, 2);
 * assert.ok(channels.has("b"));
 * channels.delete("a");
 * assert.deepEqual([...channels], ["b"]);
 * ```
 */
export class ChannelSet implements ReadonlySet<string> {
  #one: string | undefined;
  #many: Set<string> | undefined;

  /** How many channels. */
  get size(): number {
    if (this.#many) return this.#many.size;
    return this.#one === undefined ? 0 : 1;
  }

  /** Whether `channel` is in. */
  has(channel: string): boolean {
    return this.#many ? this.#many.has(channel) : this.#one === channel;
  }

  /** Adds `channel` (no change when it is in). */
  add(channel: string): this {
    if (this.#many) this.#many.add(channel);
    else if (this.#one === undefined) this.#one = channel;
    else if (this.#one !== channel) {
      this.#many = new Set([this.#one, channel]);
      this.#one = undefined;
    }
    return this;
  }

  /** Removes `channel`; false when it was not in. */
  delete(channel: string): boolean {
    if (this.#many) return this.#many.delete(channel);
    if (this.#one !== channel) return false;
    this.#one = undefined;
    return true;
  }

  // Iteration is rare (a close, an admin page): a lone channel is put in a
  // short-lived Set for it, and everything below delegates to a real Set.
  #view(): Set<string> {
    return this.#many ?? new Set(this.#one === undefined ? [] : [this.#one]);
  }

  /** Each channel, in the order added. */
  [Symbol.iterator](): SetIterator<string> {
    return this.#view()[Symbol.iterator]();
  }
  /** Each channel, in the order added. */
  values(): SetIterator<string> {
    return this.#view().values();
  }
  /** Each channel, in the order added. */
  keys(): SetIterator<string> {
    return this.#view().keys();
  }
  /** `[channel, channel]` pairs, as `Set#entries` gives. */
  entries(): SetIterator<[string, string]> {
    return this.#view().entries();
  }
  /** Calls `each` with every channel, as `Set#forEach` does. */
  forEach(each: (channel: string, same: string, set: ReadonlySet<string>) => void): void {
    for (const channel of this.#view()) each(channel, channel, this);
  }
  /** A new `Set` of these channels and `other`'s. */
  union<U>(other: SetLike<U>): Set<string | U> {
    return this.#view().union(other);
  }
  /** A new `Set` of the channels also in `other`. */
  intersection<U>(other: SetLike<U>): Set<string & U> {
    return this.#view().intersection(other);
  }
  /** A new `Set` of the channels not in `other`. */
  difference<U>(other: SetLike<U>): Set<string> {
    return this.#view().difference(other);
  }
  /** A new `Set` of what is in exactly one of the two. */
  symmetricDifference<U>(other: SetLike<U>): Set<string | U> {
    return this.#view().symmetricDifference(other);
  }
  /** Whether every channel is in `other`. */
  isSubsetOf(other: SetLike<unknown>): boolean {
    return this.#view().isSubsetOf(other);
  }
  /** Whether everything in `other` is a channel here. */
  isSupersetOf(other: SetLike<unknown>): boolean {
    return this.#view().isSupersetOf(other);
  }
  /** Whether no channel is in `other`. */
  isDisjointFrom(other: SetLike<unknown>): boolean {
    return this.#view().isDisjointFrom(other);
  }
}
