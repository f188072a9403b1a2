/**
 * Wildcard patterns in subscribe lists, with NATS token semantics: a channel's
 * tokens are the parts between its dots (`a..b` has an empty middle token); a
 * `*` token matches exactly one token, a last `>` token one or more. A pattern
 * never matches a user-limited channel (one with `#`, see
 * `namespaces/user_channel.ts`). In the codec, so that the client checks and
 * matches patterns exactly as the server does.
 *
 * @module
 */

import { isChannelName, parseChannels } from "./channels.ts";
import { LhttpError, quote } from "./errors.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";

/** The limits a channel list is checked against. */
export type ListLimits = Pick<Limits, "maxChannelsPerFrame" | "maxChannelLength">;

/**
 * True when `name` has a `*` or `>` token (it may still be malformed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPattern } from "@lhttp/lhttp/internal";
 * assert.ok(isPattern("sensors.*"));
 * assert.ok(!isPattern("sensors.a"));
 * ```
 */
export function isPattern(name: string): boolean {
  return name.includes("*") || name.includes(">");
}

/**
 * Throws `bad_channel` unless `pattern` is a well-formed wildcard pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPattern } from "@lhttp/lhttp/internal";
 * checkPattern("sensors.*.temp", 128);
 * assert.throws(() => checkPattern("sensors.>.temp", 128), /only as the last token/);
 * assert.throws(() => checkPattern("sens*", 128), /whole token/);
 * ```
 */
export function checkPattern(pattern: string, maxLength: number): void {
  const refuse = (why: string) => {
    throw new LhttpError("bad_channel", `Pattern ${quote(pattern)} ${why}`);
  };
  if (pattern.length > maxLength) refuse(`is longer than ${maxLength} characters`);
  if (pattern.includes("#")) refuse("cannot match user-limited channels (names with #)");
  const tokens = pattern.split(".");
  tokens.forEach((token, i) => {
    if (token === "*") return;
    if (token === ">") {
      if (i !== tokens.length - 1) refuse(`may use ">" only as the last token`);
      return;
    }
    if (token.includes("*") || token.includes(">")) {
      refuse(`must use "*" and ">" as a whole token between dots`);
    }
    if (token !== "" && !isChannelName(token, Infinity)) {
      refuse("must be tokens of A-Z a-z 0-9 _ : @ / = + ~ - separated by dots");
    }
  });
}

/**
 * The literal start of `pattern`, up to its first wildcard token (`""` for
 * `>`): every channel it matches starts with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { patternPrefix } from "@lhttp/lhttp/internal";
 * assert.equal(patternPrefix("sensors.*.temp"), "sensors.");
 * assert.equal(patternPrefix(">"), "");
 * ```
 */
export function patternPrefix(pattern: string): string {
  const tokens = pattern.split(".");
  const first = tokens.findIndex((token) => token === "*" || token === ">");
  return first <= 0 ? "" : tokens.slice(0, first).join(".") + ".";
}

/**
 * Parses a channel list like `parseChannels`; with `patterns`, wildcard
 * patterns are accepted too (subscribe and unsubscribe lists), otherwise a
 * wildcard is refused with a `bad_channel` that says so (publish lists).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTargets } from "@lhttp/lhttp/internal";
 * assert.deepEqual(parseTargets("a sensors.> a", { patterns: true }), ["a", "sensors.>"]);
 * assert.throws(() => parseTargets("sensors.*"), /Cannot publish to the wildcard/);
 * ```
 */
export function parseTargets(
  value: string | readonly string[],
  options: { patterns?: boolean; limits?: ListLimits } = {},
): string[] {
  const names = typeof value === "string" ? value.split(/[ \t]+/) : value;
  const wildcards = names.filter(isPattern);
  if (wildcards.length === 0) return parseChannels(names, options.limits);
  const maxLength = options.limits?.maxChannelLength ?? DEFAULT_LIMITS.maxChannelLength;
  for (const pattern of wildcards) {
    if (!options.patterns) {
      throw new LhttpError(
        "bad_channel",
        `Cannot publish to the wildcard ${quote(pattern)}; publish to a concrete channel`,
      );
    }
    checkPattern(pattern, maxLength);
  }
  const plain = names.filter((name) => name !== "" && !isPattern(name));
  if (plain.length) {
    parseChannels(plain, { maxChannelsPerFrame: Infinity, maxChannelLength: maxLength });
  }
  const all = [...new Set(names.filter((name) => name !== ""))];
  const max = options.limits?.maxChannelsPerFrame ?? DEFAULT_LIMITS.maxChannelsPerFrame;
  if (all.length > max) {
    throw new LhttpError(
      "too_many_channels",
      `A frame may name at most ${max} channels, got ${all.length}`,
    );
  }
  return all;
}

/**
 * True when the well-formed `pattern` matches the concrete `channel` (never a
 * user-limited one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { patternMatches } from "@lhttp/lhttp/internal";
 * assert.ok(patternMatches("sensors.*", "sensors.kitchen"));
 * assert.ok(!patternMatches("sensors.*", "sensors.kitchen.temp"));
 * assert.ok(patternMatches("sensors.>", "sensors.kitchen.temp"));
 * assert.ok(!patternMatches("sensors.>", "sensors"));
 * assert.ok(!patternMatches(">", "inbox#ann"));
 * ```
 */
export function patternMatches(pattern: string, channel: string): boolean {
  if (channel.includes("#")) return false;
  const want = pattern.split(".");
  const have = channel.split(".");
  for (let i = 0; i < want.length; i++) {
    if (want[i] === ">") return have.length > i;
    if (i >= have.length || (want[i] !== "*" && want[i] !== have[i])) return false;
  }
  return want.length === have.length;
}
