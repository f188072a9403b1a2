/**
 * Opaque page cursors of a channel's member list: `<epoch>.<seq>.<mac>`,
 * base64url. The MAC (HMAC-SHA256 with a key of this process, cut to 12
 * bytes) finds forged ones; the epoch (new each time a channel's presence
 * starts from empty) finds stale ones.
 *
 * Web standards only (the core runs on workerd and in browsers' bundlers):
 * the key comes from `crypto.getRandomValues`, drawn on first use (workerd
 * refuses random values at module scope), and the MAC is computed in plain
 * JavaScript (`_hmac_sha256.ts`), since Web Crypto's is asynchronous and a
 * page is answered synchronously.
 *
 * @module
 */

import { quote } from "../codec/errors.ts";
import { HmacSha256 } from "./_hmac_sha256.ts";
import { PresenceError } from "./errors.ts";

// Bytes of the HMAC a cursor keeps: 96 bits, 16 base64url characters.
const MAC_BYTES = 12;
// The epoch may hold any character of the node's name; the sequence and the MAC end the text.
const CURSOR = /^([^]+)\.(\d{1,15})\.([A-Za-z0-9_-]{16})$/;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

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
 * const forged = cursor.slice(0, -2) + (cursor.endsWith("AA") ? "BB" : "AA");
 * assert.throws(() => cursors.read(forged, "room", "e1"), { code: "bad_cursor" });
 * // Another process (or a restart) has another key.
 * assert.throws(() => new Cursors().read(cursor, "room", "e1"), { code: "bad_cursor" });
 * ```
 */
export class Cursors {
  #hmac: HmacSha256 | undefined;

  /** A cursor for the page after `seq` of `channel` at `epoch`. */
  issue(channel: string, epoch: string, seq: number): string {
    const body = `${epoch}.${seq}`;
    return toBase64Url(encoder.encode(`${body}.${this.#mac(channel, body)}`));
  }

  /** The sequence a cursor continues after; throws `bad_cursor` or `stale_cursor`. */
  read(cursor: string, channel: string, epoch: string): number {
    const bytes = fromBase64Url(cursor);
    const match = bytes && CURSOR.exec(decoder.decode(bytes));
    if (!match || !sameText(match[3], this.#mac(channel, `${match[1]}.${match[2]}`))) {
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
    this.#hmac ??= new HmacSha256(crypto.getRandomValues(new Uint8Array(32)));
    return toBase64Url(
      this.#hmac.mac(encoder.encode(`${channel}\n${body}`)).subarray(0, MAC_BYTES),
    );
  }
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// The bytes of base64url `text`, or undefined when it is not base64url.
function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

// Equal strings, compared in time independent of where they first differ.
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
