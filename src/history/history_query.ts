/**
 * The history query (PROTOCOL.md section 13): reading it from a frame's
 * headers and answering it from the embedded engine; the cluster engine's
 * answer reuses {@linkcode sendHistory}.
 *
 * @module
 */

import { parseChannels } from "../codec/channels.ts";
import { LhttpError, quote } from "../codec/errors.ts";
import type { Limits } from "../codec/limits.ts";
import { parseFrame } from "../codec/parse.ts";
import type { History, Position, StoredPublication } from "./history.ts";
import { parseLimit, parsePosition } from "./positions.ts";
import type { Recipient } from "./replay.ts";

/** A validated history query. */
export interface HistoryQuery {
  /** The one channel asked about. */
  channel: string;
  /** Most publications to return. */
  limit: number;
  /** Only those after this position, when given. */
  since?: Position;
}

// Stored frames were serialized by this server: parse them without limits.
const TRUSTED = { maxFrameBytes: Infinity, maxHeaders: 1 << 16, maxHeaderBytes: 1 << 30 };

/**
 * Reads a history query from a frame's headers (`history`, `limit`, `since`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LIMITS } from "@lhttp/lhttp";
 * import { parseHistoryQuery } from "@lhttp/lhttp/internal";
 * const query = parseHistoryQuery(new Map([["history", "r"], ["limit", "5"]]), DEFAULT_LIMITS, 1000);
 * assert.deepEqual(query, { channel: "r", limit: 5, since: undefined });
 * ```
 */
export function parseHistoryQuery(
  headers: ReadonlyMap<string, string>,
  limits: Limits,
  recoveryLimit: number,
): HistoryQuery {
  const value = headers.get("history") ?? "";
  const channels = parseChannels(value, limits);
  if (channels.length !== 1) {
    throw new LhttpError("bad_channel", `A history query names one channel, got ${quote(value)}`);
  }
  const since = headers.get("since");
  return {
    channel: channels[0],
    limit: parseLimit(headers.get("limit"), recoveryLimit),
    since: since === undefined ? undefined : parsePosition(since),
  };
}

/**
 * Answers a history query: each publication with `history` instead of
 * `publish`, oldest first, then the summary frame. Throws `position_expired`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answerHistory, MemoryHistory } from "@lhttp/lhttp/internal";
 * const history = new MemoryHistory({ rules: [{ prefix: "", size: 9, ttlMs: 60_000 }] });
 * history.append("r", history.next("r")!, "LHTTP/1.0 chat\r\npublish:r\r\n\r\nhi");
 * const sent: string[] = [];
 * answerHistory(history, { deliver() {}, send: (frame) => void sent.push(frame.command) }, { channel: "r", limit: 5 });
 * assert.deepEqual(sent, ["chat", "history"]);
 * ```
 */
export function answerHistory(
  history: History | undefined,
  to: Recipient,
  query: HistoryQuery,
): void {
  const { channel, limit, since } = query;
  const top = history?.top(channel);
  let publications = history?.last(channel, limit) ?? [];
  if (history && since) {
    const after = history.since(channel, since, Infinity);
    if (!after?.publications) {
      throw new LhttpError(
        "position_expired",
        `History of ${quote(channel)} after ${since.offset},${since.epoch} is no longer complete`,
      );
    }
    publications = after.publications.slice(0, limit);
  }
  sendHistory(to, channel, publications, top);
}

/**
 * Sends the answer of a history query: each publication with `history`
 * instead of `publish`, then the summary frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sendHistory } from "@lhttp/lhttp/internal";
 * const sent: string[] = [];
 * sendHistory({ deliver() {}, send: (frame) => void sent.push(frame.command) }, "r", [], undefined);
 * assert.deepEqual(sent, ["history"]);
 * ```
 */
export function sendHistory(
  to: Recipient,
  channel: string,
  publications: readonly StoredPublication[],
  top: Position | undefined,
): void {
  for (const publication of publications) {
    const frame = parseFrame(publication.data, TRUSTED);
    const headers = new Map([["history", channel]]);
    for (const [name, value] of frame.headers) if (name !== "publish") headers.set(name, value);
    to.send({ command: frame.command, headers, body: frame.body });
  }
  const summary = new Map([["history", channel], ["count", String(publications.length)]]);
  if (top) (summary.set("offset", String(top.offset)), summary.set("epoch", top.epoch));
  to.send({ command: "history", headers: summary });
}
