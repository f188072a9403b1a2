/**
 * The mapping between lhttp channel names and NATS subjects.
 *
 * A channel becomes exactly one subject token after the prefix:
 * `<prefix>.<token>`. Channel names are 1 to 128 characters of
 * `A-Z a-z 0-9 _ . : @ / = + ~ -`; of these only `.` cannot stand in a NATS
 * token (it separates tokens), so `.` is written `~2E` and the escape
 * character `~` itself `~7E`. Every other character is kept, so subjects stay
 * readable (`room/42` → `lhttp.room/42`). The mapping is injective because
 * `~` never appears unescaped in a token, and different prefixes never share a
 * subject because a token never contains `.`: a subject has exactly one token
 * more than its prefix.
 *
 * @module
 */

import { isChannelName } from "../codec/channels.ts";
import { LhttpError, quote } from "../codec/errors.ts";

/** The subject prefix used when none is given. */
export const DEFAULT_SUBJECT_PREFIX = "lhttp";

// A NATS token: non-empty, no whitespace, no separator, no wildcard.
const TOKEN = /^[^\s.*>]+$/;

/**
 * Throws a `TypeError` unless `prefix` is a usable subject prefix: one or more
 * dot-separated NATS tokens without wildcards or whitespace.
 *
 * @example
 * ```ts
 * import { assertSubjectPrefix } from "@lhttp/lhttp/nats";
 * assertSubjectPrefix("lhttp.prod");
 * let refused = false;
 * try {
 *   assertSubjectPrefix("lhttp.>");
 * } catch {
 *   refused = true;
 * }
 * console.assert(refused);
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
 * The single NATS token standing for `channel` (see the module doc).
 *
 * @example
 * ```ts
 * import { channelToToken } from "@lhttp/lhttp/nats";
 * console.assert(channelToToken("a.b~c") === "a~2Eb~7Ec");
 * ```
 */
export function channelToToken(channel: string): string {
  // The bus is not told the server's channel length limit; the hub only ever
  // passes names the server accepted, so only the character set is checked.
  if (!isChannelName(channel, Infinity)) {
    throw new LhttpError("bad_channel", `Channel ${quote(channel)} cannot be mapped to NATS`);
  }
  return channel.replace(/[.~]/g, (c) => (c === "." ? "~2E" : "~7E"));
}

/**
 * The channel a token stands for; the inverse of {@linkcode channelToToken}.
 *
 * @example
 * ```ts
 * import { tokenToChannel } from "@lhttp/lhttp/nats";
 * console.assert(tokenToChannel("a~2Eb~7Ec") === "a.b~c");
 * ```
 */
export function tokenToChannel(token: string): string {
  if (!/^(?:[A-Za-z0-9_:@/=+-]|~2E|~7E)+$/.test(token)) {
    throw new LhttpError("bad_channel", `NATS token ${quote(token)} is not a mapped channel`);
  }
  return token.replace(/~2E|~7E/g, (escape) => (escape === "~2E" ? "." : "~"));
}

/**
 * The NATS subject of `channel` under `prefix`.
 *
 * @example
 * ```ts
 * import { channelToSubject } from "@lhttp/lhttp/nats";
 * console.assert(channelToSubject("news.sport") === "lhttp.news~2Esport");
 * console.assert(channelToSubject("room/1", "app") === "app.room/1");
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
 * import { subjectToChannel } from "@lhttp/lhttp/nats";
 * console.assert(subjectToChannel("lhttp.news~2Esport") === "news.sport");
 * console.assert(subjectToChannel("other.news") === undefined);
 * ```
 */
export function subjectToChannel(
  subject: string,
  prefix: string = DEFAULT_SUBJECT_PREFIX,
): string | undefined {
  if (!subject.startsWith(prefix + ".")) return undefined;
  const token = subject.slice(prefix.length + 1);
  if (token.includes(".")) return undefined;
  try {
    return tokenToChannel(token);
  } catch {
    return undefined;
  }
}
