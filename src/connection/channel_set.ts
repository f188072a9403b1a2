/**
 * The channels of one connection. Most connections are in one channel, and a
 * `Set` costs a few hundred bytes even for one entry, so one channel is a
 * field and a `Set` is made only for a second.
 *
 * @module
 */

import { type SetLike, SetView } from "../hub/set_view.ts";

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
export class ChannelSet extends SetView<string> {
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
  // short-lived Set for it.
  protected view(): Set<string> {
    return this.#many ?? new Set(this.#one === undefined ? [] : [this.#one]);
  }
}
