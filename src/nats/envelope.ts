/**
 * How a frame travels in NATS message payloads.
 *
 * NATS carries bytes, while lhttp must hand a text frame back as a string and a
 * binary frame as bytes, and must recognise its own frames when NATS echoes
 * them. So each payload starts with a kind byte and the publishing node's
 * 8-byte id:
 *
 * - `T` + node + UTF-8 text: a whole text frame;
 * - `B` + node + bytes: a whole binary frame;
 * - `t` / `b` + node + sequence (u32) + offset (u32) + total length (u32) +
 *   bytes: one chunk of a text / binary frame too large for one NATS message
 *   (the server's `max_payload`, 1 MB by default, equals lhttp's default frame
 *   limit, so the envelope alone would push the largest frames over).
 *
 * Chunks of one frame are published back to back on one connection, and NATS
 * keeps one publisher's order, so a reader only has to append them; a chunk
 * that does not continue the frame in progress (chunks lost while NATS was
 * down) discards it.
 *
 * A reader refuses, and reports through its `onInvalid` callback, every
 * payload that is not such an envelope: too short, an unknown kind byte, an
 * empty frame, text that is not valid UTF-8, a chunk that does not continue
 * the frame in progress, or a frame above the reader's size limit. Anyone can
 * publish on a NATS subject, so none of that may reach a WebSocket client.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";

const WHOLE = 9;
const CHUNK = 21;
const TEXT = 0x54, BINARY = 0x42, TEXT_CHUNK = 0x74, BINARY_CHUNK = 0x62;

const encoder = new TextEncoder();
// Fatal: invalid UTF-8 is refused, never replaced. ignoreBOM keeps a BOM as sent.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Why a reader refused a payload (the `onInvalid` argument). */
export type InvalidPayload =
  | "short"
  | "unknown_kind"
  | "empty"
  | "invalid_utf8"
  | "too_large"
  | "chunk_out_of_order";

/**
 * Wraps `data` in one payload, or in several chunks when one would exceed
 * `maxPayload` bytes. `sequence` tells chunks of different frames apart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeEnvelopes, EnvelopeReader } from "@lhttp/lhttp/nats";
 * const node = new Uint8Array(8).fill(1);
 * const reader = new EnvelopeReader(new Uint8Array(8));
 * const payloads = encodeEnvelopes(node, "x".repeat(100), 64, 1);
 * const got = payloads.map((payload) => reader.read(payload));
 * assert.ok(payloads.length > 1);
 * assert.equal(got.at(-1), "x".repeat(100));
 * ```
 */
export function encodeEnvelopes(
  node: Uint8Array,
  data: FrameData,
  maxPayload: number,
  sequence: number,
): Uint8Array[] {
  const text = typeof data === "string";
  const bytes = text ? encoder.encode(data) : data;
  if (bytes.length + WHOLE <= maxPayload) {
    const payload = new Uint8Array(WHOLE + bytes.length);
    payload[0] = text ? TEXT : BINARY;
    payload.set(node, 1);
    payload.set(bytes, WHOLE);
    return [payload];
  }
  const room = maxPayload - CHUNK;
  if (room < 1) throw new RangeError(`NATS max_payload ${maxPayload} is too small for lhttp`);
  const payloads: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += room) {
    const part = bytes.subarray(offset, offset + room);
    const payload = new Uint8Array(CHUNK + part.length);
    const view = new DataView(payload.buffer);
    payload[0] = text ? TEXT_CHUNK : BINARY_CHUNK;
    payload.set(node, 1);
    view.setUint32(9, sequence >>> 0);
    view.setUint32(13, offset);
    view.setUint32(17, bytes.length);
    payload.set(part, CHUNK);
    payloads.push(payload);
  }
  return payloads;
}

/**
 * The bytes {@linkcode encodeEnvelopes} would produce for `data`, counted
 * without encoding anything (so a queue can be measured before it is sent).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeEnvelopes, envelopeSize } from "@lhttp/lhttp/nats";
 * const node = new Uint8Array(8);
 * for (const data of ["hé", "x".repeat(300), new Uint8Array(500)]) {
 *   const payloads = encodeEnvelopes(node, data, 100, 0);
 *   assert.equal(envelopeSize(data, 100), payloads.reduce((sum, p) => sum + p.length, 0));
 * }
 * ```
 */
export function envelopeSize(data: FrameData, maxPayload: number): number {
  const bytes = typeof data === "string" ? utf8Length(data) : data.length;
  if (bytes + WHOLE <= maxPayload) return WHOLE + bytes;
  const room = maxPayload - CHUNK;
  if (room < 1) throw new RangeError(`NATS max_payload ${maxPayload} is too small for lhttp`);
  return bytes + CHUNK * Math.ceil(bytes / room);
}

function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2; // 4 bytes for 2 UTF-16 units
        i++;
      } else bytes += 2; // a lone surrogate becomes U+FFFD, 3 bytes
    } else bytes += 2;
  }
  return bytes;
}

interface Partial {
  sequence: number;
  bytes: Uint8Array;
  filled: number;
}

/**
 * Turns the payloads of one channel back into frames, dropping this node's
 * own payloads and reassembling chunks. Keep one reader per channel. Payloads
 * that are not valid envelopes are dropped and passed to `onInvalid`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeEnvelopes, EnvelopeReader } from "@lhttp/lhttp/nats";
 * const me = new Uint8Array(8).fill(7);
 * const other = new Uint8Array(8).fill(9);
 * const refused: string[] = [];
 * const reader = new EnvelopeReader(me, undefined, (why) => refused.push(why));
 * const [own] = encodeEnvelopes(me, "mine", 1024, 0);
 * const [theirs] = encodeEnvelopes(other, new Uint8Array([1, 2]), 1024, 0);
 * assert.equal(reader.read(own), undefined);
 * assert.deepEqual(reader.read(theirs), new Uint8Array([1, 2]));
 * // Garbage, invalid UTF-8 and an empty binary frame are refused and reported.
 * const badText = new Uint8Array([0x54, ...other, 0xff, 0xfe]);
 * const emptyBinary = new Uint8Array([0x42, ...other]);
 * for (const payload of [new TextEncoder().encode("garbage, not lhttp"), badText, emptyBinary]) {
 *   assert.equal(reader.read(payload), undefined);
 * }
 * assert.deepEqual(refused, ["unknown_kind", "invalid_utf8", "empty"]);
 * ```
 */
export class EnvelopeReader {
  readonly #node: Uint8Array;
  readonly #maxFrameBytes: number;
  readonly #onInvalid?: (reason: InvalidPayload) => void;
  readonly #partials = new Map<string, Partial>();

  /**
   * A reader for the node with id `node`, refusing frames above
   * `maxFrameBytes` (default 64 MiB); `onInvalid` hears of every refused payload.
   */
  constructor(
    node: Uint8Array,
    maxFrameBytes: number = 64 * 1024 * 1024,
    onInvalid?: (reason: InvalidPayload) => void,
  ) {
    this.#node = node;
    this.#maxFrameBytes = maxFrameBytes;
    this.#onInvalid = onInvalid;
  }

  /** The frame `payload` completes, or undefined (own, partial or refused). */
  read(payload: Uint8Array): FrameData | undefined {
    if (payload.length < WHOLE) return this.#refuse("short");
    const kind = payload[0];
    if (kind !== TEXT && kind !== BINARY && kind !== TEXT_CHUNK && kind !== BINARY_CHUNK) {
      return this.#refuse("unknown_kind");
    }
    if (this.#isOwn(payload)) return undefined;
    if (kind === TEXT || kind === BINARY) {
      const body = payload.subarray(WHOLE);
      if (body.length === 0) return this.#refuse("empty");
      if (body.length > this.#maxFrameBytes) return this.#refuse("too_large");
      // A copy, and a plain Uint8Array: the TCP transport hands out Node Buffers,
      // whose slice() is a view into memory it may reuse.
      return kind === TEXT ? this.#text(body) : new Uint8Array(body);
    }
    if (payload.length < CHUNK) return this.#refuse("short");
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const sequence = view.getUint32(9);
    const offset = view.getUint32(13);
    const total = view.getUint32(17);
    const key = String.fromCharCode(...payload.subarray(1, WHOLE));
    let partial = this.#partials.get(key);
    if (offset === 0) {
      if (partial) this.#onInvalid?.("chunk_out_of_order"); // the frame in progress lost its end
      this.#partials.delete(key);
      if (total === 0) return this.#refuse("empty");
      if (total > this.#maxFrameBytes) return this.#refuse("too_large");
      partial = { sequence, bytes: new Uint8Array(total), filled: 0 };
      this.#partials.set(key, partial);
    } else if (partial?.sequence !== sequence || partial.filled !== offset) {
      // A chunk went missing (NATS restarted mid-frame): drop the whole frame.
      this.#partials.delete(key);
      return this.#refuse("chunk_out_of_order");
    }
    const part = payload.subarray(CHUNK);
    if (part.length === 0 || partial.filled + part.length > partial.bytes.length) {
      this.#partials.delete(key);
      return this.#refuse("chunk_out_of_order");
    }
    partial.bytes.set(part, partial.filled);
    partial.filled += part.length;
    if (partial.filled < partial.bytes.length) return undefined;
    this.#partials.delete(key);
    return kind === TEXT_CHUNK ? this.#text(partial.bytes) : partial.bytes;
  }

  #text(bytes: Uint8Array): string | undefined {
    try {
      return decoder.decode(bytes);
    } catch {
      return this.#refuse("invalid_utf8");
    }
  }

  #refuse(reason: InvalidPayload): undefined {
    this.#onInvalid?.(reason);
    return undefined;
  }

  #isOwn(payload: Uint8Array): boolean {
    for (let i = 0; i < 8; i++) if (payload[i + 1] !== this.#node[i]) return false;
    return true;
  }
}
