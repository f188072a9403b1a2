// Validated publish lists, remembered by their header text: a publisher sends
// the same `publish:` value frame after frame, and parsing it each time (split,
// a Set, a regex per name) was a tenth of the JavaScript per publish. Subscribe
// lists are parsed each time: each connection tends to send its own, once, and
// remembering those would hold memory for every idle connection's first frame.

import type { Limits } from "../codec/limits.ts";
import { parseTargets } from "../codec/patterns.ts";

// Past this many distinct lists the memory is dropped and starts again: a
// client cycling through unique lists costs a parse each, never unbounded memory.
const MAX_REMEMBERED = 1024;

/** Parses channel lists under fixed limits; publish lists once per distinct text. */
export class ChannelLists {
  readonly #publish = new Map<string, readonly string[]>();

  /** Lists are parsed under `limits` (not read again later). */
  constructor(readonly limits: Readonly<Limits>) {}

  /**
   * The channels of `value`, validated, repeats dropped; with `patterns`
   * (subscribe and unsubscribe lists), wildcards are accepted. Throws the
   * parse's `LhttpError`; a refused list is not remembered.
   */
  parse(value: string | readonly string[], patterns: boolean): readonly string[] {
    if (patterns || typeof value !== "string") {
      return parseTargets(value, { patterns, limits: this.limits });
    }
    const known = this.#publish.get(value);
    if (known) return known;
    const channels = Object.freeze(parseTargets(value, { limits: this.limits }));
    if (this.#publish.size >= MAX_REMEMBERED) this.#publish.clear();
    this.#publish.set(value, channels);
    return channels;
  }
}
