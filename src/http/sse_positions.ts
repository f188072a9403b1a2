/**
 * History positions of one SSE session (PROTOCOL.md sections 13 and 15): the
 * last `offset` and `epoch` seen per channel, from deliveries and position
 * frames, written as the event `id` (`channel,offset,epoch` entries separated
 * by spaces), so that a reconnecting `EventSource` sends them back as
 * `Last-Event-ID`, which becomes the subscribe frame's `recover`.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";

const decoder = new TextDecoder();
const MARK = "\r\noffset:";

/**
 * Positions per channel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SsePositions } from "./sse_positions.ts";
 * const positions = new SsePositions();
 * assert.equal(positions.observe("LHTTP/1.0 chat\r\npublish:a\r\n\r\nhi"), false);
 * assert.equal(positions.observe("LHTTP/1.0 chat\r\npublish:a\r\noffset:4\r\nepoch:E1\r\n\r\nhi"), true);
 * assert.equal(positions.id(), "a,4,E1");
 * assert.equal(SsePositions.recover("a,4,E1 b,2,E2 bad entry", ["a", "c"]), "a,4,E1 c");
 * ```
 */
export class SsePositions {
  readonly #last = new Map<string, string>();

  /** Reads a frame about to be sent; true when a position changed. */
  observe(data: FrameData): boolean {
    const head = typeof data === "string"
      ? (data.includes(MARK) ? data.slice(0, headEnd(data)) : "")
      : binaryHead(data);
    if (!head) return false;
    let channel: string | undefined, offset: string | undefined, epoch: string | undefined;
    for (const line of head.split("\r\n").slice(1)) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "publish" || name === "position") channel = value;
      else if (name === "offset") offset = value;
      else if (name === "epoch") epoch = value;
    }
    if (!channel || !offset || !epoch || /\s/.test(channel)) return false;
    const position = `${offset},${epoch}`;
    if (this.#last.get(channel) === position) return false;
    this.#last.set(channel, position);
    return true;
  }

  /** The event id: every known position. */
  id(): string {
    return [...this.#last].map(([channel, position]) => `${channel},${position}`).join(" ");
  }

  /**
   * The `recover` value for subscribing to `channels` after `Last-Event-ID`:
   * a known position per channel, a bare channel (ask for the position) otherwise.
   */
  static recover(lastEventId: string, channels: readonly string[]): string {
    const known = new Map<string, string>();
    for (const entry of lastEventId.split(/[ \t]+/)) {
      const parts = entry.split(",");
      if (parts.length === 3) known.set(parts[0], entry);
    }
    return channels.map((channel) => known.get(channel) ?? channel).join(" ");
  }
}

function headEnd(text: string): number {
  const end = text.indexOf("\r\n\r\n");
  return end < 0 ? text.length : end;
}

function binaryHead(bytes: Uint8Array): string {
  const limit = Math.min(bytes.length, 8192);
  for (let i = 0; i + 3 < limit; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      const head = decoder.decode(bytes.subarray(0, i));
      return head.includes(MARK) ? head : "";
    }
  }
  return "";
}
