/**
 * Channel names and channel lists (`subscribe: a b c`).
 *
 * @module
 */

import { LhttpError, quote } from "./errors.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";

// At most one `#`, neither first nor last: `<name>#<user>` is user-limited.
const CHANNEL = /^[A-Za-z0-9_.:@/=+~-]+(?:#[A-Za-z0-9_.:@/=+~-]+)?$/;

/**
 * True when `name` is an allowed channel name: 1 to `maxLength` characters of
 * `A-Z a-z 0-9 _ . : @ / = + ~ -`, with at most one `#` that is neither first
 * nor last (a user-limited channel, `inbox#alice`: PROTOCOL.md section 14).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isChannelName } from "@lhttp/lhttp/internal";
 * assert.ok(isChannelName("camera_123"));
 * assert.ok(isChannelName("inbox#alice"));
 * assert.ok(!isChannelName("two words"));
 * assert.ok(!isChannelName("a#b#c"));
 * ```
 */
export function isChannelName(
  name: string,
  maxLength: number = DEFAULT_LIMITS.maxChannelLength,
): boolean {
  return name.length > 0 && name.length <= maxLength && CHANNEL.test(name);
}

/**
 * Splits a channel-list header value on spaces and tabs, dropping repeats.
 * Throws an {@linkcode LhttpError} (`bad_channel` or `too_many_channels`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseChannels } from "@lhttp/lhttp/internal";
 * assert.equal(parseChannels("a b  a").join(), "a,b");
 * ```
 */
export function parseChannels(
  value: string | readonly string[],
  limits: Pick<Limits, "maxChannelsPerFrame" | "maxChannelLength"> = DEFAULT_LIMITS,
): string[] {
  const names = typeof value === "string" ? value.split(/[ \t]+/) : value;
  const channels = new Set<string>();
  for (const name of names) {
    if (name === "") continue;
    if (!isChannelName(name, limits.maxChannelLength)) {
      throw new LhttpError(
        "bad_channel",
        `Channel ${
          quote(name)
        } must be 1 to ${limits.maxChannelLength} characters of A-Z a-z 0-9 _ . : @ / = + ~ - and at most one # (not first or last)`,
      );
    }
    channels.add(name);
  }
  if (channels.size === 0) {
    throw new LhttpError("bad_channel", "The channel list is empty");
  }
  if (channels.size > limits.maxChannelsPerFrame) {
    throw new LhttpError(
      "too_many_channels",
      `A frame may name at most ${limits.maxChannelsPerFrame} channels, got ${channels.size}`,
    );
  }
  return [...channels];
}
