/**
 * User-limited channels: `<name>#<user>` (for example `inbox#alice`) may be
 * subscribed to by clients only when the connection's user is `<user>`. A
 * channel has at most one `#`, neither first nor last (the codec refuses other
 * forms). Wildcard patterns never match such a channel.
 *
 * @module
 */

/**
 * The user a channel is limited to, or undefined for an ordinary channel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { channelOwner } from "@lhttp/lhttp/internal";
 * assert.equal(channelOwner("inbox#alice"), "alice");
 * assert.equal(channelOwner("inbox"), undefined);
 * ```
 */
export function channelOwner(channel: string): string | undefined {
  const at = channel.indexOf("#");
  return at < 0 ? undefined : channel.slice(at + 1);
}

/**
 * The default way to find a connection's user in its `data` (what
 * `authenticate` returned): the data itself when it is a string, else its
 * `user` field when that is a string or a number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultUserOf } from "@lhttp/lhttp/internal";
 * assert.equal(defaultUserOf("alice"), "alice");
 * assert.equal(defaultUserOf({ user: 42 }), "42");
 * assert.equal(defaultUserOf(undefined), undefined);
 * ```
 */
export function defaultUserOf(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  const user = (data as { user?: unknown } | null | undefined)?.user;
  return typeof user === "string" || typeof user === "number" ? String(user) : undefined;
}
