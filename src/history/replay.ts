/**
 * What history adds to the path of a frame (PROTOCOL.md section 13): the
 * position headers of a publication, the replay and position frame of a
 * subscribe with `recover` and the latest value (the history query is in
 * `history_query.ts`).
 *
 * @module
 */

import { assertCommand, assertHeader, type Frame, type FrameData } from "../codec/frame.ts";
import { serializeFrame } from "../codec/serialize.ts";
import type { History, Position } from "./history.ts";
import type { RecoverRequest } from "./positions.ts";

/** Who receives replays and answers: a connection, structurally. */
export interface Recipient {
  /** Sends serialized frame data as is. */
  deliver(data: FrameData): void;
  /** Serializes and sends a frame. */
  send(frame: Pick<Frame, "command" | "headers"> & { body?: FrameData }): void;
}

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
  // Not flattened here: the embedded engine stores bytes (frame_ring.ts), and
  // the string itself lives only as long as its fan-out.
  return head + "\r\n" + body;
}

/**
 * The frame of a publication on `channel` at `position`, text or binary like
 * its body: {@linkcode stampFrame} for text, `serializeFrame` with
 * {@linkcode stampHeaders} for bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stampPublication } from "@lhttp/lhttp/internal";
 * const frame = { command: "chat", headers: new Map(), body: new Uint8Array([104, 105]) };
 * const data = stampPublication(frame, frame.headers, "r", { offset: 1, epoch: "e1" });
 * assert.equal(new TextDecoder().decode(data as Uint8Array), "LHTTP/1.0 chat\r\npublish:r\r\noffset:1\r\nepoch:e1\r\n\r\nhi");
 * ```
 */
export function stampPublication(
  frame: Pick<Frame, "command" | "body">,
  base: ReadonlyMap<string, string>,
  channel: string,
  position: Position,
): FrameData {
  const { command, body } = frame;
  return typeof body === "string"
    ? stampFrame(command, base, channel, position, body)
    : serializeFrame({ command, headers: stampHeaders(base, channel, position), body });
}

/**
 * Before a subscribe with the embedded engine takes effect: the latest value
 * of each channel in latest-value mode that the connection is not subscribed
 * to yet (unless `recover` names a position for it), and the answer of each
 * `recover` entry. Patterns have no history of their own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryHistory, replayBeforeSubscribe } from "@lhttp/lhttp/internal";
 * const history = new MemoryHistory({ rules: [{ prefix: "", size: 9, ttlMs: 60_000, latest: true }] });
 * history.append("r", history.next("r")!, "one");
 * const got: unknown[] = [];
 * const to = { channels: new Set<string>(), deliver: (data: unknown) => void got.push(data), send: (f: { command: string }) => void got.push(f.command) };
 * replayBeforeSubscribe(history, to, ["r", "r.*"], new Map([["r", null]]));
 * assert.deepEqual(got, ["one", "position"]);
 * ```
 */
export function replayBeforeSubscribe(
  history: History | undefined,
  to: Recipient & { readonly channels: ReadonlySet<string> },
  channels: readonly string[],
  recover?: RecoverRequest,
): void {
  for (const channel of channels) {
    if (/[*>]/.test(channel)) continue;
    const from = recover?.get(channel) ?? null;
    if (history && !from && !to.channels.has(channel)) deliverLatest(history, to, channel);
    if (recover?.has(channel)) recoverChannel(history, to, channel, from);
  }
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
