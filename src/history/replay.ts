/**
 * What history adds to the path of a frame (PROTOCOL.md section 13): the
 * position headers of a publication, the replay and position frame of a
 * subscribe with `recover`, the latest value, and the history query.
 *
 * @module
 */

import { parseChannels } from "../codec/channels.ts";
import { LhttpError, quote } from "../codec/errors.ts";
import { assertCommand, assertHeader, type Frame, type FrameData } from "../codec/frame.ts";
import type { Limits } from "../codec/limits.ts";
import { parseFrame } from "../codec/parse.ts";
import type { History, Position, StoredPublication } from "./history.ts";
import { parseLimit, parsePosition } from "./positions.ts";

/** Who receives replays and answers: a connection, structurally. */
export interface Recipient {
  /** Sends serialized frame data as is. */
  deliver(data: FrameData): void;
  /** Serializes and sends a frame. */
  send(frame: Pick<Frame, "command" | "headers"> & { body?: FrameData }): void;
}

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
 * The headers of a copy of a publication on `channel` at `position`:
 * `publish`, `offset`, `epoch` first, then the others (a publisher's own
 * `offset` and `epoch` are replaced).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stampHeaders } from "@lhttp/lhttp/internal";
 * const headers = stampHeaders(new Map([["nick", "ann"], ["offset", "9"]]), "r", { offset: 3, epoch: "e1" });
 * assert.deepEqual([...headers], [["publish", "r"], ["offset", "3"], ["epoch", "e1"], ["nick", "ann"]]);
 * ```
 */
export function stampHeaders(
  base: ReadonlyMap<string, string>,
  channel: string,
  position: Position,
): Map<string, string> {
  const headers = new Map([
    ["publish", channel],
    ["offset", String(position.offset)],
    ["epoch", position.epoch],
  ]);
  for (const [name, value] of base) if (!headers.has(name)) headers.set(name, value);
  return headers;
}

/**
 * The text frame of a publication on `channel` at `position`, exactly as
 * `serializeFrame` writes it with {@linkcode stampHeaders}, but without the
 * copied map: `publish`, `offset`, `epoch` first, then the others of `base`.
 * Throws the same `FrameError` on a header that cannot be written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stampFrame } from "@lhttp/lhttp/internal";
 * const data = stampFrame("chat", new Map([["nick", "ann"], ["epoch", "x"]]), "r", { offset: 3, epoch: "e1" }, "hi");
 * assert.equal(data, "LHTTP/1.0 chat\r\npublish:r\r\noffset:3\r\nepoch:e1\r\nnick:ann\r\n\r\nhi");
 * ```
 */
export function stampFrame(
  command: string,
  base: ReadonlyMap<string, string>,
  channel: string,
  position: Position,
  body: string,
): string {
  assertCommand(command);
  assertHeader("publish", channel);
  assertHeader("epoch", position.epoch);
  let head = "LHTTP/1.0 " + command + "\r\npublish:" + channel + "\r\noffset:" + position.offset +
    "\r\nepoch:" + position.epoch + "\r\n";
  for (const [name, value] of base) {
    if (name === "publish" || name === "offset" || name === "epoch") continue;
    assertHeader(name, value);
    head += name + ":" + value + "\r\n";
  }
  // Joined into one flat string: the ring keeps one object per frame, not a
  // tree of concatenations and the parsed frame's text behind the body.
  return [head, "\r\n", body].join("");
}

/**
 * Answers one `recover` entry of a subscribe: the missed publications (all or
 * none), then the position frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryHistory, recoverChannel } from "@lhttp/lhttp/internal";
 * const history = new MemoryHistory({ rules: [{ prefix: "", size: 9, ttlMs: 60_000 }] });
 * history.append("r", history.next("r")!, "one");
 * const got: unknown[] = [];
 * const to = { deliver: (data: unknown) => void got.push(data), send: (frame: { headers: Map<string, string> }) => void got.push(Object.fromEntries(frame.headers)) };
 * const { epoch } = history.top("r")!;
 * recoverChannel(history, to, "r", { offset: 0, epoch });
 * assert.deepEqual(got, ["one", { position: "r", recovered: "true", offset: "1", epoch }]);
 * ```
 */
export function recoverChannel(
  history: History | undefined,
  to: Recipient,
  channel: string,
  from: Position | null,
): boolean {
  const headers = new Map([["position", channel]]);
  let recovered = false;
  let position: Position | undefined;
  if (from) {
    const continuation = history?.since(channel, from);
    position = continuation?.top;
    if (continuation?.publications) {
      for (const publication of continuation.publications) to.deliver(publication.data);
      recovered = true;
    }
    headers.set("recovered", String(recovered));
  } else position = history?.top(channel);
  if (position) {
    headers.set("offset", String(position.offset));
    headers.set("epoch", position.epoch);
  }
  to.send({ command: "position", headers });
  return recovered;
}

/**
 * Latest-value mode: hands `to` the last publication of `channel`, if its rule asks for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deliverLatest, MemoryHistory } from "@lhttp/lhttp/internal";
 * const history = new MemoryHistory({ rules: [{ prefix: "state.", size: 1, ttlMs: 60_000, latest: true }] });
 * history.append("state.x", history.next("state.x")!, "on");
 * const got: unknown[] = [];
 * deliverLatest(history, { deliver: (data) => void got.push(data), send() {} }, "state.x");
 * assert.deepEqual(got, ["on"]);
 * ```
 */
export function deliverLatest(history: History, to: Recipient, channel: string): void {
  if (!history.rule(channel)?.latest) return;
  const [last] = history.last(channel, 1);
  if (last) to.deliver(last.data);
}

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
