/**
 * Opaque page cursors of a channel's member list: `<epoch>.<seq>.<mac>`,
 * base64url. The MAC (HMAC-SHA256 with a key of this process, cut to 12
 * bytes) finds forged ones; the epoch (new each time a channel's presence
 * starts from empty) finds stale ones.
 *
 * @module
 */

import { createHmac, randomBytes } from "node:crypto";
import { quote } from "../codec/errors.ts";
import { PresenceError } from "./errors.ts";

/**
 * Issues and reads cursors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Cursors } from "./cursor.ts";
 * const cursors = new Cursors();
 * const cursor = cursors.issue("room", "e1", 42);
 * assert.equal(cursors.read(cursor, "room", "e1"), 42);
 * assert.throws(() => cursors.read(cursor, "room", "e2"), { code: "stale_cursor" });
 * assert.throws(() => cursors.read(cursor, "other", "e1"), { code: "bad_cursor" });
 * assert.throws(() => cursors.read(cursor.slice(0, -2) + "AA", "room", "e1"), { code: "bad_cursor" });
 * ```
 */
export class Cursors {
  readonly #key: Uint8Array = randomBytes(32);

  /** A cursor for the page after `seq` of `channel` at `epoch`. */
  issue(channel: string, epoch: string, seq: number): string {
    const body = `${epoch}.${seq}`;
    return Buffer.from(`${body}.${this.#mac(channel, body)}`).toString("base64url");
  }

  /** The sequence a cursor continues after; throws `bad_cursor` or `stale_cursor`. */
  read(cursor: string, channel: string, epoch: string): number {
    let text: string;
    try {
      text = Buffer.from(cursor, "base64url").toString("utf8");
    } catch {
      text = "";
    }
    const match = /^([A-Za-z0-9_-]+)\.(\d{1,15})\.([A-Za-z0-9_-]+)$/.exec(text);
    const body = match ? `${match[1]}.${match[2]}` : "";
    if (!match || match[3] !== this.#mac(channel, body)) {
      throw new PresenceError(
        "bad_cursor",
        `Presence cursor ${quote(cursor)} was not issued for channel ${
          quote(channel)
        } by this server (or the server restarted): start again without a cursor`,
      );
    }
    if (match[1] !== epoch) {
      throw new PresenceError(
        "stale_cursor",
        `Presence cursor ${quote(cursor)} belongs to an earlier membership of channel ${
          quote(channel)
        } (it emptied since): start again without a cursor`,
      );
    }
    return Number(match[2]);
  }

  #mac(channel: string, body: string): string {
    return createHmac("sha256", this.#key).update(`${channel}\n${body}`).digest()
      .subarray(0, 12).toString("base64url");
  }
}
