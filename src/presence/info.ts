/**
 * A member's `info`: a small JSON object, bounded in bytes, set by the
 * `authenticate` hook (its `presenceInfo` field) or by the client's
 * `presence-info` header.
 *
 * @module
 */

import { quote } from "../codec/errors.ts";
import { PresenceError } from "./errors.ts";

/** A member's info object. */
export type PresenceInfo = Readonly<Record<string, unknown>>;

/**
 * Parses a `presence-info` header: a JSON object of at most `maxBytes` UTF-8
 * bytes. Throws `bad_presence_info`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInfo } from "./info.ts";
 * assert.deepEqual(parseInfo('{"name":"Ann"}', 64), { name: "Ann" });
 * assert.throws(() => parseInfo("[1]", 64), { code: "bad_presence_info" });
 * assert.throws(() => parseInfo(JSON.stringify({ a: "x".repeat(99) }), 64), { code: "bad_presence_info" });
 * ```
 */
export function parseInfo(value: string, maxBytes: number): PresenceInfo {
  const size = new TextEncoder().encode(value).length;
  if (size > maxBytes) {
    throw new PresenceError(
      "bad_presence_info",
      `Presence info ${quote(value)} is ${size} bytes, over the limit of ${maxBytes}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new PresenceError("bad_presence_info", `Presence info ${quote(value)} is not JSON`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new PresenceError(
      "bad_presence_info",
      `Presence info ${quote(value)} must be a JSON object`,
    );
  }
  return Object.freeze(parsed as Record<string, unknown>);
}

/** The info `authenticate` gave (`data.presenceInfo`), if it is a small object; else none. */
export function infoFromData(data: unknown, maxBytes: number): PresenceInfo | undefined {
  if (data === null || typeof data !== "object") return undefined;
  const info = (data as { presenceInfo?: unknown }).presenceInfo;
  if (info === undefined) return undefined;
  return parseInfo(JSON.stringify(info) ?? "", maxBytes);
}
