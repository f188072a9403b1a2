/**
 * The `History` interface: bounded per-channel history with positions
 * (PROTOCOL.md section 13). Engines implement it; `PubSub` stamps, stores and
 * replays through it.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";

/** Where a channel stands: the offset of its last publication and its epoch. */
export interface Position {
  /** Offset of the publication (0 before the first). */
  readonly offset: number;
  /** Identity of the channel's stream; changes when history is lost. */
  readonly epoch: string;
}

/** What one channel prefix keeps. */
export interface HistoryRule {
  /** Channels starting with this keep history (`""` for every channel). */
  prefix: string;
  /** Publications kept per channel (at least 1). */
  size: number;
  /** Age after which a publication is dropped, ms. */
  ttlMs: number;
  /** Latest-value mode: a new subscriber gets the last publication at once. */
  latest?: boolean;
}

/** A stored publication: its offset and the frame as it was delivered. */
export interface StoredPublication {
  /** Its offset in the channel. */
  readonly offset: number;
  /** The serialized frame, as delivered live. */
  readonly data: FrameData;
}

/** The answer of {@linkcode History.since}. */
export interface Continuation {
  /** Where the channel stands now. */
  readonly top: Position;
  /** Every publication after the asked offset, oldest first; undefined when they cannot all be given. */
  readonly publications?: readonly StoredPublication[];
}

/**
 * A history engine. Synchronous: the embedded engine answers from memory, so
 * that a replay and the subscription it precedes happen in one step.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryHistory } from "@lhttp/lhttp/internal";
 * const history = new MemoryHistory({ rules: [{ prefix: "chat.", size: 2, ttlMs: 60_000 }] });
 * assert.equal(history.next("news"), undefined, "no rule, no history");
 * const first = history.next("chat.room")!;
 * history.append("chat.room", first, "one");
 * assert.equal(first.offset, 1);
 * assert.deepEqual(history.since("chat.room", { offset: 0, epoch: first.epoch })!.publications, [
 *   { offset: 1, data: "one" },
 * ]);
 * ```
 */
export interface History {
  /** Most publications one recovery or query may return (all-or-nothing). */
  readonly recoveryLimit: number;
  /** The rule of `channel`, if it keeps history. */
  rule(channel: string): Readonly<HistoryRule> | undefined;
  /** Reserves the position of the next publication of `channel`; undefined without history. */
  next(channel: string): Position | undefined;
  /** Stores the frame serialized with the position `next` returned. */
  append(channel: string, position: Position, data: FrameData): void;
  /** Where `channel` stands (offset 0 before its first publication); undefined without history. */
  top(channel: string): Position | undefined;
  /**
   * The publications after `from`, all of them or none (another epoch, an
   * offset past the top, aged out, more than `limit`, which defaults to the
   * recovery limit); undefined without history.
   */
  since(channel: string, from: Position, limit?: number): Continuation | undefined;
  /** The last `count` publications of `channel`, oldest first. */
  last(channel: string, count: number): StoredPublication[];
}
