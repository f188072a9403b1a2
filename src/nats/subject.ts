/**
 * The mapping between lhttp channel names and NATS subjects.
 *
 * A channel's dot-separated tokens become NATS tokens after the prefix:
 * `<prefix>.<token>.<token>…`, so that a wildcard pattern maps onto a NATS
 * wildcard subscription (`sensors.*` → `lhttp.sensors.*`, `sensors.>` →
 * `lhttp.sensors.>`) and NATS does the matching between nodes. Channel names
 * are 1 to 128 characters of `A-Z a-z 0-9 _ . : @ / = + ~ - #`; none of them
 * is whitespace, `*` or `>`, so a channel token is never a NATS wildcard and
 * never leaves the prefix. Two rewrites keep the mapping injective: the
 * escape character `~` is written `~7E`, and an empty token (`a..b`, `.a`,
 * `a.`, which NATS does not allow) is written `~` alone, which no escaped
 * token can be. Subjects stay readable (`room/42` → `lhttp.room/42`).
 *
 * Within one prefix the mapping is one-to-one. Clusters sharing one NATS need
 * prefixes that are not prefixes of one another (`lhttp` and `lhttp.eu` would
 * see each other's channels). A pattern's `*` matches one token, an empty one
 * included, exactly as the hub's own matching does.
 *
 * @module
 */

import { isChannelName } from "../codec/channels.ts";
import { LhttpError, quote } from "../codec/errors.ts";
import { checkPattern, isPattern } from "../codec/patterns.ts";

/**
 * The longest mapped channel, in characters after the prefix: NATS closes a
 * connection whose protocol line passes `max_control_line` (4 KiB by default),
 * so a longer name is refused here instead of breaking the bus for everyone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { channelToSubject, MAX_MAPPED_LENGTH } from "@lhttp/lhttp/nats";
 * assert.throws(() => channelToSubject("~".repeat(MAX_MAPPED_LENGTH)), { code: "bad_channel" });
 * ```
 */
export const MAX_MAPPED_LENGTH = 3000;

/** The subject prefix used when none is given. */
export const DEFAULT_SUBJECT_PREFIX = "lhttp";

// A NATS token: non-empty, no whitespace, no separator, no wildcard.
const TOKEN = /^[^\s.*>]+$/;
// An escaped channel token, or `~` for an empty one.
const MAPPED = /^(?:(?:[A-Za-z0-9_:@/=+#-]|~7E)+|~)$/;

/**
 * Throws a `TypeError` unless `prefix` is a usable subject prefix: one or more
 * dot-separated NATS tokens without wildcards or whitespace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assertSubjectPrefix } from "@lhttp/lhttp/nats";
 * assertSubjectPrefix("lhttp.prod");
 * assert.throws(() => assertSubjectPrefix("lhttp.>"), TypeError);
 * ```
 */
export function assertSubjectPrefix(prefix: string): void {
  if (!prefix.split(".").every((token) => TOKEN.test(token))) {
    throw new TypeError(
      `NATS subject prefix ${
        quote(prefix)
      } must be dot-separated tokens without spaces, "*" or ">"`,
    );
  }
}

/**
 * The NATS tokens standing for `channel` or a wildcard pattern, after the
 * prefix (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { channelToToken } from "@lhttp/lhttp/nats";
 * assert.equal(channelToToken("a.b~c"), "a.b~7Ec");
 * assert.equal(channelToToken("a..b"), "a.~.b");
 * assert.equal(channelToToken("sensors.*"), "sensors.*");
 * ```
 */
export function channelToToken(channel: string): string {
  // The bus is not told the server's channel length limit; the hub only ever
  // passes names the server accepted, so only the form is checked here.
  if (isPattern(channel)) checkPattern(channel, Infinity);
  else if (!isChannelName(channel, Infinity)) {
    throw new LhttpError("bad_channel", `Channel ${quote(channel)} cannot be mapped to NATS`);
  }
  const tokens = channel.split(".").map((token) =>
    token === "" ? "~" : token === "*" || token === ">" ? token : token.replaceAll("~", "~7E")
  ).join(".");
  if (tokens.length > MAX_MAPPED_LENGTH) {
    throw new LhttpError(
      "bad_channel",
      `Channel ${quote(channel)} maps to a NATS subject over ${MAX_MAPPED_LENGTH} characters`,
    );
  }
  return tokens;
}

/**
 * The channel that tokens stand for; the inverse of {@linkcode channelToToken}
 * for channels (never for patterns: a delivered subject is concrete).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenToChannel } from "@lhttp/lhttp/nats";
 * assert.equal(tokenToChannel("a.b~7Ec"), "a.b~c");
 * assert.throws(() => tokenToChannel("a.*"), { code: "bad_channel" });
 * ```
 */
export function tokenToChannel(tokens: string): string {
  const channel = tokens.split(".").map((token) => {
    if (!MAPPED.test(token)) {
      throw new LhttpError("bad_channel", `NATS tokens ${quote(tokens)} are not a mapped channel`);
    }
    return token === "~" ? "" : token.replaceAll("~7E", "~");
  }).join(".");
  if (!isChannelName(channel, Infinity)) {
    throw new LhttpError("bad_channel", `NATS tokens ${quote(tokens)} are not a mapped channel`);
  }
  return channel;
}

/**
 * The NATS subject of `channel` (or the wildcard subject of a pattern) under
 * `prefix`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { channelToSubject } from "@lhttp/lhttp/nats";
 * assert.equal(channelToSubject("news.sport"), "lhttp.news.sport");
 * assert.equal(channelToSubject("room/1", "app"), "app.room/1");
 * assert.equal(channelToSubject("sensors.>"), "lhttp.sensors.>");
 * ```
 */
export function channelToSubject(
  channel: string,
  prefix: string = DEFAULT_SUBJECT_PREFIX,
): string {
  return `${prefix}.${channelToToken(channel)}`;
}

/**
 * The channel of a subject under `prefix`, or undefined when the subject is
 * not one of lhttp's under that prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { subjectToChannel } from "@lhttp/lhttp/nats";
 * assert.equal(subjectToChannel("lhttp.news.sport"), "news.sport");
 * assert.equal(subjectToChannel("other.news"), undefined);
 * ```
 */
export function subjectToChannel(
  subject: string,
  prefix: string = DEFAULT_SUBJECT_PREFIX,
): string | undefined {
  if (!subject.startsWith(prefix + ".")) return undefined;
  try {
    return tokenToChannel(subject.slice(prefix.length + 1));
  } catch {
    return undefined;
  }
}
