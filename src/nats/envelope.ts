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
 * @module
 */

import type { FrameData } from "../codec/frame.ts";

const WHOLE = 9;
const CHUNK = 21;
const TEXT = 0x54, BINARY = 0x42, TEXT_CHUNK = 0x74, BINARY_CHUNK = 0x62;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Wraps `data` in one payload, or in several chunks when one would exceed
 * `maxPayload` bytes. `sequence` tells chunks of different frames apart.
 *
 * @example
 * ```ts
 * import { encodeEnvelopes, EnvelopeReader } from "@lhttp/lhttp/nats";
 * const node = new Uint8Array(8).fill(1);
 * const reader = new EnvelopeReader(new Uint8Array(8));
 * const payloads = encodeEnvelopes(node, "x".repeat(100), 64, 1);
 * const got = payloads.map((payload) => reader.read(payload));
 * console.assert(payloads.length > 1 && got.at(-1) === "x".repeat(100));
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

interface Partial {
  sequence: number;
  bytes: Uint8Array;
  filled: number;
}

/**
 * Turns the payloads of one channel back into frames, dropping this node's
 * own payloads and reassembling chunks. Keep one reader per channel.
 *
 * @example
 * ```ts
 * import { encodeEnvelopes, EnvelopeReader } from "@lhttp/lhttp/nats";
 * const me = new Uint8Array(8).fill(7);
 * const other = new Uint8Array(8).fill(9);
 * const reader = new EnvelopeReader(me);
 * const [own] = encodeEnvelopes(me, "mine", 1024, 0);
 * const [theirs] = encodeEnvelopes(other, new Uint8Array([1, 2]), 1024, 0);
 * console.assert(reader.read(own) === undefined);
 * console.assert(reader.read(theirs) instanceof Uint8Array);
 * ```
 */
export class EnvelopeReader {
  readonly #node: Uint8Array;
  readonly #maxFrameBytes: number;
  readonly #partials = new Map<string, Partial>();

  /** A reader for the node with id `node`, refusing frames above `maxFrameBytes`. */
  constructor(node: Uint8Array, maxFrameBytes: number = 64 * 1024 * 1024) {
    this.#node = node;
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** The frame `payload` completes, or undefined (own, partial or malformed). */
  read(payload: Uint8Array): FrameData | undefined {
    const kind = payload[0];
    if (payload.length < WHOLE || this.#isOwn(payload)) return undefined;
    if (kind === TEXT) return decoder.decode(payload.subarray(WHOLE));
    // A copy, and a plain Uint8Array: the TCP transport hands out Node Buffers,
    // whose slice() is a view into memory it may reuse.
    if (kind === BINARY) return new Uint8Array(payload.subarray(WHOLE));
    if ((kind !== TEXT_CHUNK && kind !== BINARY_CHUNK) || payload.length < CHUNK) return undefined;
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const sequence = view.getUint32(9);
    const offset = view.getUint32(13);
    const total = view.getUint32(17);
    const key = String.fromCharCode(...payload.subarray(1, WHOLE));
    let partial = this.#partials.get(key);
    if (offset === 0) {
      if (total > this.#maxFrameBytes) return undefined;
      partial = { sequence, bytes: new Uint8Array(total), filled: 0 };
      this.#partials.set(key, partial);
    } else if (partial?.sequence !== sequence || partial.filled !== offset) {
      // A chunk went missing (NATS restarted mid-frame): drop the whole frame.
      this.#partials.delete(key);
      return undefined;
    }
    const part = payload.subarray(CHUNK);
    if (partial.filled + part.length > partial.bytes.length) {
      this.#partials.delete(key);
      return undefined;
    }
    partial.bytes.set(part, partial.filled);
    partial.filled += part.length;
    if (partial.filled < partial.bytes.length) return undefined;
    this.#partials.delete(key);
    return kind === TEXT_CHUNK ? decoder.decode(partial.bytes) : partial.bytes;
  }

  #isOwn(payload: Uint8Array): boolean {
    for (let i = 0; i < 8; i++) if (payload[i + 1] !== this.#node[i]) return false;
    return true;
  }
}
