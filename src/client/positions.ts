/**
 * The position of each subscription on a channel with history (PROTOCOL.md
 * section 13): what a re-subscribe asks to recover, which deliveries are kept
 * (exactly the next offset), and the gaps found on a live connection.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";

/** A subscription's answer from the server: where its channel stands. */
export interface SubscribedEvent {
  /** The channel. */
  channel: string;
  /** The subscribe asked to recover from a position it held. */
  wasRecovering: boolean;
  /** Every missed publication was delivered (false: reload the state; nothing was replayed). */
  recovered: boolean;
  /** Whether the channel keeps history on the server. */
  history: boolean;
  /** The channel's top offset, with history. */
  offset?: number;
  /** The channel's epoch, with history. */
  epoch?: string;
}

/** A live connection missed publications: the client is recovering them. */
export interface GapEvent {
  /** The channel. */
  channel: string;
  /** The offset the client expected. */
  expected: number;
  /** The offset (or epoch change) that arrived instead. */
  received: number;
  /** Whether the epoch changed (history was lost on the server). */
  epochChanged: boolean;
}

interface Tracked {
  offset: number;
  epoch: string;
  /** A recovery was asked and its position frame has not come yet. */
  recovering: boolean;
}

/**
 * Positions of the subscribed channels that have history.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame } from "../codec/frame.ts";
 * import { PositionTracker } from "./positions.ts";
 * const tracker = new PositionTracker();
 * assert.equal(tracker.recoverEntry("r"), "r");
 * tracker.position(createFrame({ command: "position", headers: { position: "r", offset: "4", epoch: "e" } }));
 * const at = (offset: number) => createFrame({ command: "chat", headers: { publish: "r", offset: String(offset), epoch: "e" } });
 * assert.equal(tracker.accept(at(5)), true);
 * assert.equal(tracker.accept(at(5)), false, "a duplicate");
 * const gaps: unknown[] = [];
 * assert.equal(tracker.accept(at(7), (gap) => gaps.push(gap)), false, "6 is missing");
 * assert.deepEqual(gaps, [{ channel: "r", expected: 6, received: 7, epochChanged: false }]);
 * assert.equal(tracker.recoverEntry("r"), "r,5,e", "a re-subscribe recovers from 5");
 * ```
 */
export class PositionTracker {
  readonly #tracked = new Map<string, Tracked>();

  /** The `recover` entry of a subscribe of `channel`: with its position when known. */
  recoverEntry(channel: string): string {
    const tracked = this.#tracked.get(channel);
    if (!tracked) return channel;
    tracked.recovering = true;
    return `${channel},${tracked.offset},${tracked.epoch}`;
  }

  /** The position held for `channel`, if any. */
  get(channel: string): { offset: number; epoch: string } | undefined {
    const tracked = this.#tracked.get(channel);
    return tracked && { offset: tracked.offset, epoch: tracked.epoch };
  }

  /** Forgets `channel` (unsubscribed). */
  forget(channel: string): void {
    this.#tracked.delete(channel);
  }

  /**
   * Whether a delivery is handed to the application: on a tracked channel only
   * the next one is (offset + 1, or whose `prev` is the held offset); an older one is a duplicate (dropped), a later one or
   * another epoch is a gap (dropped, `onGap` told once until it is recovered).
   */
  accept(frame: Frame, onGap?: (gap: GapEvent) => void): boolean {
    const channel = frame.headers.get("publish");
    const tracked = channel === undefined ? undefined : this.#tracked.get(channel);
    if (!tracked) return true;
    const offset = Number(frame.headers.get("offset"));
    const epoch = frame.headers.get("epoch");
    if (!Number.isSafeInteger(offset) || epoch === undefined) return true;
    if (epoch === tracked.epoch) {
      if (offset <= tracked.offset) return false;
      // Consecutive offsets, or (a cluster engine) the channel's previous offset in `prev`.
      const prev = frame.headers.get("prev");
      if (prev === undefined ? offset === tracked.offset + 1 : Number(prev) === tracked.offset) {
        tracked.offset = offset;
        return true;
      }
    }
    if (!tracked.recovering) {
      onGap?.({
        channel: channel!,
        expected: tracked.offset + 1,
        received: offset,
        epochChanged: epoch !== tracked.epoch,
      });
    }
    return false;
  }

  /** Reads a position frame; returns what it says, or undefined for another frame. */
  position(frame: Frame): SubscribedEvent | undefined {
    const channel = frame.headers.get("position");
    if (frame.command !== "position" || channel === undefined || frame.headers.has("publish")) {
      return undefined;
    }
    const before = this.#tracked.get(channel);
    const wasRecovering = frame.headers.has("recovered");
    const recovered = frame.headers.get("recovered") === "true";
    const offset = Number(frame.headers.get("offset"));
    const epoch = frame.headers.get("epoch");
    if (!Number.isSafeInteger(offset) || epoch === undefined) {
      this.#tracked.delete(channel);
      return { channel, wasRecovering, recovered: false, history: false };
    }
    // After a recovery the replay has brought the held offset to the top; after
    // none (or a refused one) the application starts again from the top.
    if (!before || !recovered || before.epoch !== epoch) {
      this.#tracked.set(channel, { offset, epoch, recovering: false });
    } else before.recovering = false;
    return { channel, wasRecovering, recovered, history: true, offset, epoch };
  }
}
