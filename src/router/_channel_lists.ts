// Validated channel lists, remembered by their header text: a publisher sends
// the same `publish:` value frame after frame, and parsing it each time (split,
// a Set, a regex per name) was a tenth of the JavaScript per publish.

import type { Limits } from "../codec/limits.ts";
import { parseTargets } from "../codec/patterns.ts";

// Past this many distinct lists the memory is dropped and starts again: a
// client cycling through unique lists costs a parse each, never unbounded memory.
const MAX_REMEMBERED = 4096;

/** Parses channel lists under fixed limits, once per distinct text. */
export class ChannelLists {
  readonly #plain = new Map<string, readonly string[]>();
  readonly #patterns = new Map<string, readonly string[]>();

  /** Lists are parsed under `limits` (not read again later). */
  constructor(readonly limits: Readonly<Limits>) {}

  /**
   * The channels of `value`, validated, repeats dropped; with `patterns`,
   * wildcards are accepted. A list of names is parsed each time. Throws the
   * parse's `LhttpError`; a refused list is not remembered.
   */
  parse(value: string | readonly string[], patterns: boolean): readonly string[] {
    if (typeof value !== "string") return parseTargets(value, { patterns, limits: this.limits });
    const memory = patterns ? this.#patterns : this.#plain;
    const known = memory.get(value);
    if (known) return known;
    const channels = Object.freeze(parseTargets(value, { patterns, limits: this.limits }));
    if (memory.size >= MAX_REMEMBERED) memory.clear();
    memory.set(value, channels);
    return channels;
  }
}
