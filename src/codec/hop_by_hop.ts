/**
 * Headers that belong to one hop and never travel on with a published frame or
 * an upstream request (PROTOCOL.md section 2).
 *
 * @module
 */

/**
 * `ack` is the sender's; `upstream` may carry secrets in its URL; `status`,
 * `code`, `reason` and `upstream-status` are set by servers on answers only, so
 * a publisher cannot forge an error frame for its subscribers.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  "ack",
  "upstream",
  "status",
  "code",
  "reason",
  "upstream-status",
]);

/**
 * `headers` without the hop-by-hop ones; the same map when it has none, so the
 * common frame costs no copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withoutHopByHop } from "@lhttp/lhttp/internal";
 * const headers = new Map([["publish", "room"], ["ack", "1"], ["status", "500"]]);
 * assert.deepEqual([...withoutHopByHop(headers)], [["publish", "room"]]);
 * ```
 */
export function withoutHopByHop(headers: ReadonlyMap<string, string>): Map<string, string> {
  let copy: Map<string, string> | undefined;
  for (const name of HOP_BY_HOP_HEADERS) {
    if (!headers.has(name)) continue;
    copy ??= new Map(headers);
    copy.delete(name);
  }
  return copy ?? headers as Map<string, string>;
}
