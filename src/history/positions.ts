/**
 * Reading positions from the wire (PROTOCOL.md section 13): the `recover`
 * header of a subscribe, and `since` / `limit` of a history query. Anything
 * unreadable is `bad_position` (or `bad_limit`), before anything is applied.
 *
 * @module
 */

import { LhttpError, quote } from "../codec/errors.ts";
import { isEpoch } from "./epoch.ts";
import type { Position } from "./history.ts";

/** What a `recover` header asks per channel: a position, or `null` for the position only. */
export type RecoverRequest = Map<string, Position | null>;

const OFFSET = /^[0-9]{1,16}$/;

/**
 * Reads an `offset,epoch` pair; throws `bad_position`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePosition } from "@lhttp/lhttp/internal";
 * assert.deepEqual(parsePosition("42,k3x9q2"), { offset: 42, epoch: "k3x9q2" });
 * assert.throws(() => parsePosition("-1,k3x9q2"), { code: "bad_position" });
 * ```
 */
export function parsePosition(value: string, what = "since"): Position {
  const [offset, epoch, more] = value.split(",");
  const number = OFFSET.test(offset ?? "") ? Number(offset) : NaN;
  if (
    more !== undefined || epoch === undefined || !isEpoch(epoch) || !Number.isSafeInteger(number)
  ) {
    throw new LhttpError(
      "bad_position",
      `Position ${quote(value)} in ${
        quote(what)
      } must be offset,epoch with an offset of 0 to 2^53-1`,
    );
  }
  return { offset: number, epoch };
}

/**
 * Reads a `recover` header: entries `channel` or `channel,offset,epoch`, each
 * channel also in `subscribed`. Throws `bad_position`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRecover } from "@lhttp/lhttp/internal";
 * const asked = parseRecover("chat.a,7,k3x9q2 chat.b", ["chat.a", "chat.b"]);
 * assert.deepEqual([...asked], [["chat.a", { offset: 7, epoch: "k3x9q2" }], ["chat.b", null]]);
 * assert.throws(() => parseRecover("chat.c", ["chat.a"]), { code: "bad_position" });
 * ```
 */
export function parseRecover(value: string, subscribed: readonly string[]): RecoverRequest {
  const asked: RecoverRequest = new Map();
  for (const entry of value.split(/[ \t]+/)) {
    if (entry === "") continue;
    const comma = entry.indexOf(",");
    const channel = comma === -1 ? entry : entry.slice(0, comma);
    if (!subscribed.includes(channel)) {
      throw new LhttpError(
        "bad_position",
        `Recover entry ${quote(entry)} must name a channel of the frame's subscribe list`,
      );
    }
    asked.set(channel, comma === -1 ? null : parsePosition(entry.slice(comma + 1), "recover"));
  }
  if (asked.size === 0) throw new LhttpError("bad_position", "The recover header is empty");
  return asked;
}

/**
 * Reads a query's `limit`: 1 to 16 digits, at most `max`. Throws `bad_limit` or
 * `history_limit`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLimit } from "@lhttp/lhttp/internal";
 * assert.equal(parseLimit(undefined, 1000), 1000);
 * assert.equal(parseLimit("20", 1000), 20);
 * assert.throws(() => parseLimit("5000", 1000), { code: "history_limit" });
 * assert.throws(() => parseLimit("x", 1000), { code: "bad_limit" });
 * ```
 */
export function parseLimit(value: string | undefined, max: number): number {
  if (value === undefined) return max;
  const limit = OFFSET.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new LhttpError("bad_limit", `Limit ${quote(value)} must be a positive integer`);
  }
  if (limit > max) {
    throw new LhttpError("history_limit", `Limit ${limit} is over the recovery limit of ${max}`);
  }
  return limit;
}
