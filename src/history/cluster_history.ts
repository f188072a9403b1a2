/**
 * `ClusterHistory`: a history engine shared by every node of a cluster (the
 * JetStream engine). The engine numbers publications itself, so a publication
 * of a channel with history is handed to it unstamped and comes back, stamped
 * with `offset`, `prev` and `epoch`, on every node (PROTOCOL.md section 13).
 * Reads are asynchronous.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";
import type { Continuation, HistoryRule, Position, StoredPublication } from "./history.ts";

/**
 * A cluster-wide history engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ClusterHistory, isClusterHistory, MemoryHistory } from "@lhttp/lhttp/internal";
 * assert.equal(isClusterHistory(new MemoryHistory({ rules: [] })), false);
 * const engine = { kind: "cluster" } as ClusterHistory;
 * assert.equal(isClusterHistory(engine), true);
 * ```
 */
export interface ClusterHistory {
  /** Tells it apart from the synchronous `History`. */
  readonly kind: "cluster";
  /** Most publications one recovery or query may return (all-or-nothing). */
  readonly recoveryLimit: number;
  /** The rule of `channel`, if it keeps history. */
  rule(channel: string): Readonly<HistoryRule> | undefined;
  /** Stamped publications of every channel with history, from any node, go to `deliver` (local only). */
  start(deliver: (channel: string, data: FrameData) => void): void;
  /** Stores a serialized, unstamped publication (idempotently: retried with one id). */
  publish(channel: string, data: FrameData): void;
  /**
   * Stores like `publish`, and settles once the publication is stored and its
   * stamped copy was handed to `deliver` on this node (or a bounded wait for
   * it passed), so that an acknowledgement sent then follows the publisher's
   * own copy. Rejects with an `LhttpError` (`server_busy`) when it could not be
   * stored. Optional: without it an acknowledgement does not wait.
   */
  store?(channel: string, data: FrameData): Promise<void>;
  /**
   * Latest-value mode: the channel's last publication, stamped, unless a live
   * copy of it or a newer one was handed to `deliver` while it was read (a
   * subscriber that subscribed before the call already has it). Optional:
   * without it the engine offers no latest value.
   */
  latest?(channel: string): Promise<StoredPublication | undefined>;
  /** Where `channel` stands. */
  top(channel: string): Promise<Position | undefined>;
  /** The stamped publications after `from`, all or none. */
  since(channel: string, from: Position, limit?: number): Promise<Continuation | undefined>;
  /** The last `count` stamped publications, oldest first. */
  last(channel: string, count: number): Promise<StoredPublication[]>;
  /** Stops receiving. */
  close(): Promise<void>;
}

/**
 * Whether an engine is a {@linkcode ClusterHistory}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isClusterHistory } from "@lhttp/lhttp/internal";
 * assert.equal(isClusterHistory(undefined), false);
 * ```
 */
export function isClusterHistory(engine: unknown): engine is ClusterHistory {
  return (engine as ClusterHistory | undefined)?.kind === "cluster";
}

/**
 * Inserts `offset`, `prev` (when known) and `epoch` header lines after the first header
 * line (the `publish` line) of a serialized frame, text or binary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { insertPosition } from "@lhttp/lhttp/internal";
 * assert.equal(
 *   insertPosition("LHTTP/1.0 chat\r\npublish:r\r\n\r\nhi", 7, 3, "e1"),
 *   "LHTTP/1.0 chat\r\npublish:r\r\noffset:7\r\nprev:3\r\nepoch:e1\r\n\r\nhi",
 * );
 * ```
 */
export function insertPosition(
  data: FrameData,
  offset: number,
  prev: number | undefined,
  epoch: string,
): FrameData {
  const before = prev === undefined ? "" : `prev:${prev}\r\n`;
  const lines = `offset:${offset}\r\n${before}epoch:${epoch}\r\n`;
  if (typeof data === "string") {
    const at = data.indexOf("\r\n", data.indexOf("\r\n") + 2) + 2;
    return data.slice(0, at) + lines + data.slice(at);
  }
  let crlf = 0;
  let at = 0;
  for (let i = 0; i + 1 < data.length; i++) {
    if (data[i] === 13 && data[i + 1] === 10 && ++crlf === 2) {
      at = i + 2;
      break;
    }
  }
  const inserted = new TextEncoder().encode(lines);
  const out = new Uint8Array(data.length + inserted.length);
  out.set(data.subarray(0, at));
  out.set(inserted, at);
  out.set(data.subarray(at), at + inserted.length);
  return out;
}

/**
 * The headers of a publication handed to a cluster engine: `publish` first
 * (where the engine inserts the position), without any `offset`, `prev` or
 * `epoch` of the publisher's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { publishFirst } from "@lhttp/lhttp/internal";
 * const headers = publishFirst(new Map([["nick", "ann"], ["prev", "1"], ["publish", "r s"]]), "r");
 * assert.deepEqual([...headers], [["publish", "r"], ["nick", "ann"]]);
 * ```
 */
export function publishFirst(
  base: ReadonlyMap<string, string>,
  channel: string,
): Map<string, string> {
  const headers = new Map([["publish", channel]]);
  for (const [name, value] of base) {
    if (name !== "publish" && name !== "offset" && name !== "prev" && name !== "epoch") {
      headers.set(name, value);
    }
  }
  return headers;
}
