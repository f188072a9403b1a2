/**
 * `TabOrder`: what one tab of a `SharedLhttpClient` has delivered on each
 * channel with history, so that a change of hub (the leader tab closed)
 * loses nothing and repeats nothing. A frame at or below the held offset is a
 * duplicate; one beyond the next, or a channel top above the held offset, is
 * a gap: later frames wait while the tab fetches the missing ones from the
 * hub (`fill`), then all are delivered in order.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";
import type { WirePosition } from "./_shared_protocol.ts";

interface Held extends WirePosition {
  /** A fill is in flight: frames wait in `waiting`. */
  filling: boolean;
  waiting: Frame[];
}

/**
 * Per-channel delivery order of one tab.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame } from "../codec/frame.ts";
 * import { TabOrder } from "./_shared_order.ts";
 * const at = (n: number) => createFrame({ command: "m", headers: { publish: "c", offset: String(n), epoch: "e" }, body: String(n) });
 * const got: string[] = [];
 * const order = new TabOrder((_, frame) => got.push(String(frame.body)), () => Promise.resolve([at(2), at(3)]));
 * order.frame("c", at(1));
 * order.frame("c", at(1)); // a duplicate
 * order.frame("c", at(4)); // 2 and 3 are missing: fetched, then 4
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * assert.deepEqual(got, ["1", "2", "3", "4"]);
 * ```
 */
export class TabOrder {
  readonly #held = new Map<string, Held>();
  readonly #deliver: (channel: string, frame: Frame) => void;
  readonly #fill: (channel: string, since: WirePosition) => Promise<Frame[]>;

  /** Delivers with `deliver`; fetches what is missing after a position with `fill`. */
  constructor(
    deliver: (channel: string, frame: Frame) => void,
    fill: (channel: string, since: WirePosition) => Promise<Frame[]>,
  ) {
    this.#deliver = deliver;
    this.#fill = fill;
  }

  /** The last delivered position of `channel`, if it has history. */
  get(channel: string): WirePosition | undefined {
    const held = this.#held.get(channel);
    return held && { offset: held.offset, epoch: held.epoch };
  }

  /** A frame from the hub. */
  frame(channel: string, frame: Frame): void {
    this.#apply(channel, frame, false);
  }

  // `lenient`: a gap is skipped (what waited for a fill that is over).
  #apply(channel: string, frame: Frame, lenient: boolean): void {
    const offset = Number(frame.headers.get("offset"));
    const epoch = frame.headers.get("epoch");
    if (!Number.isSafeInteger(offset) || epoch === undefined) return this.#deliver(channel, frame);
    const held = this.#held.get(channel);
    if (!held || epoch !== held.epoch) {
      // First frame, or the server lost the channel's history: nothing to recover from.
      this.#held.set(channel, { offset, epoch, filling: false, waiting: [] });
      return this.#deliver(channel, frame);
    }
    if (held.filling) return void held.waiting.push(frame);
    if (offset <= held.offset) return;
    const prev = frame.headers.get("prev");
    const next = prev === undefined ? offset === held.offset + 1 : Number(prev) === held.offset;
    if (next || lenient) {
      held.offset = offset;
      return this.#deliver(channel, frame);
    }
    held.waiting.push(frame);
    this.#startFill(channel, held);
  }

  /** The channel's top after a (re)subscribe; `offset` undefined: no history. */
  position(channel: string, offset?: number, epoch?: string): void {
    if (offset === undefined || epoch === undefined) return void this.#held.delete(channel);
    const held = this.#held.get(channel);
    if (!held || held.epoch !== epoch) {
      this.#held.set(channel, { offset, epoch, filling: false, waiting: [] });
    } else if (!held.filling && offset > held.offset) this.#startFill(channel, held);
  }

  /** Forgets `channel` (unsubscribed). */
  forget(channel: string): void {
    this.#held.delete(channel);
  }

  #startFill(channel: string, held: Held): void {
    held.filling = true;
    const since = { offset: held.offset, epoch: held.epoch };
    this.#fill(channel, since).then((frames) => {
      if (this.#held.get(channel) !== held) return;
      for (const frame of frames) {
        const offset = Number(frame.headers.get("offset"));
        if (frame.headers.get("epoch") !== held.epoch || !(offset > held.offset)) continue;
        held.offset = offset;
        this.#deliver(channel, frame);
      }
    }, () => {}).finally(() => {
      if (this.#held.get(channel) !== held) return;
      held.filling = false;
      // What waited follows the fill; a gap left now (history gone) is skipped, not refilled.
      for (const frame of held.waiting.splice(0)) this.#apply(channel, frame, true);
    });
  }
}
