/**
 * One channel's stored frames as bytes outside the JS heap: a circular byte
 * log in one `Uint8Array`, with each frame's start, length, kind and time in
 * typed arrays. Fan-out is hot and replay is rare, so a frame is encoded once
 * when stored and decoded only when replayed: the garbage collector never
 * promotes or scans the stored frames.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * A ring of at most `size` frames, oldest first; text comes back as the same
 * string, bytes as a copy of the same bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameRing } from "@lhttp/lhttp/internal";
 * const ring = new FrameRing(2);
 * ring.push("a", 1);
 * ring.push(new Uint8Array([1, 2]), 2);
 * ring.push("ü", 3); // the oldest goes
 * assert.equal(ring.count, 2);
 * assert.deepEqual([ring.frame(0), ring.frame(1)], [new Uint8Array([1, 2]), "ü"]);
 * assert.equal(ring.dropOlderThan(3), 1);
 * assert.equal(ring.frame(0), "ü");
 * ```
 */
export class FrameRing {
  /** Frames in the ring. */
  count = 0;
  #bytes = EMPTY;
  // Per slot (a frame): where its bytes start, how many, text or binary, when stored.
  #start = new Float64Array(0);
  #length = new Float64Array(0);
  #binary = new Uint8Array(0);
  #at = new Float64Array(0);
  #head = 0; // slot of the oldest frame
  #write = 0; // byte offset where the next frame goes
  #wrapped = false; // the newest frames restarted at byte 0, before the oldest ones
  // Text decoded since the last push, by slot: a recovery storm (many
  // connections replaying the same frames) decodes each frame once.
  #decoded?: (string | undefined)[];

  /** A ring that keeps at most `size` frames. */
  constructor(readonly size: number) {}

  /** Bytes reserved for frames (for tests and metrics). */
  get capacity(): number {
    return this.#bytes.length;
  }

  /** Stores `data` at time `at` (ms), dropping the oldest frame when full. */
  push(data: FrameData, at: number): void {
    this.#decoded = undefined; // the fan-out path never keeps a string alive
    if (this.count === this.size) this.#dropOldest(false);
    if (this.count === this.#start.length) this.#growSlots();
    const text = typeof data === "string";
    // Text is written with encodeInto, which needs room for its worst case (3 bytes a unit).
    const room = text ? data.length * 3 : data.length;
    const at0 = this.#reserve(room);
    const length = text ? encoder.encodeInto(data, this.#bytes.subarray(at0)).written : room;
    if (!text) this.#bytes.set(data, at0);
    let slot = this.#head + this.count;
    if (slot >= this.#start.length) slot -= this.#start.length;
    this.#start[slot] = at0;
    this.#length[slot] = length;
    this.#binary[slot] = text ? 0 : 1;
    this.#at[slot] = at;
    this.#write = at0 + length;
    this.count++;
  }

  /** The `index`-th oldest frame, decoded (text) or copied (bytes). */
  frame(index: number): FrameData {
    const slot = this.#slot(index);
    const start = this.#start[slot];
    const bytes = this.#bytes.subarray(start, start + this.#length[slot]);
    if (this.#binary[slot]) return bytes.slice();
    const decoded = this.#decoded ??= [];
    return decoded[slot] ??= decoder.decode(bytes);
  }

  /** Drops the frames stored before `oldest` (ms), oldest first; returns how many. */
  dropOlderThan(oldest: number): number {
    let dropped = 0;
    while (this.count > 0 && this.#at[this.#head] < oldest) (this.#dropOldest(true), dropped++);
    return dropped;
  }

  #slot(index: number): number {
    const slot = this.#head + index;
    return slot >= this.#start.length ? slot - this.#start.length : slot;
  }

  // `release`: an emptied ring gives its memory back (it aged out; a full
  // ring that drops one to take the next keeps it).
  #dropOldest(release: boolean): void {
    this.#decoded = undefined;
    const was = this.#start[this.#head];
    this.#head = this.#head + 1 === this.#start.length ? 0 : this.#head + 1;
    if (--this.count === 0) {
      this.#head = 0;
      this.#write = 0;
      this.#wrapped = false;
      if (!release) return;
      this.#bytes = EMPTY;
      this.#start = new Float64Array(0);
      this.#length = new Float64Array(0);
      this.#binary = new Uint8Array(0);
      this.#at = new Float64Array(0);
    } else if (this.#wrapped && this.#start[this.#head] < was) this.#wrapped = false;
  }

  // A byte offset with `room` free bytes after it: after the newest frame,
  // else from byte 0 (before the oldest), else in a larger buffer.
  #reserve(room: number): number {
    if (this.count === 0) {
      this.#write = 0;
      this.#wrapped = false;
      if (this.#bytes.length < room) this.#bytes = new Uint8Array(Math.max(256, room * 2));
      return 0;
    }
    const oldest = this.#start[this.#head];
    if (this.#wrapped) {
      if (oldest - this.#write >= room) return this.#write;
    } else {
      if (this.#bytes.length - this.#write >= room) return this.#write;
      if (oldest >= room) {
        this.#wrapped = true;
        return 0;
      }
    }
    this.#growBytes(room);
    return this.#write;
  }

  // Copies the frames, oldest first, to the start of a buffer with `room` more.
  #growBytes(room: number): void {
    const old = this.#bytes;
    let used = 0;
    for (let i = 0; i < this.count; i++) used += this.#length[this.#slot(i)];
    const bytes = new Uint8Array(Math.max(old.length * 2, (used + room) * 2));
    let at = 0;
    for (let i = 0; i < this.count; i++) {
      const slot = this.#slot(i);
      const start = this.#start[slot];
      bytes.set(old.subarray(start, start + this.#length[slot]), at);
      this.#start[slot] = at;
      at += this.#length[slot];
    }
    this.#bytes = bytes;
    this.#write = at;
    this.#wrapped = false;
  }

  // Doubles the slots (at most `size`), the oldest at slot 0.
  #growSlots(): void {
    const capacity = Math.min(this.size, Math.max(8, this.count * 2));
    const start = new Float64Array(capacity);
    const length = new Float64Array(capacity);
    const binary = new Uint8Array(capacity);
    const at = new Float64Array(capacity);
    for (let i = 0; i < this.count; i++) {
      const slot = this.#slot(i);
      start[i] = this.#start[slot];
      length[i] = this.#length[slot];
      binary[i] = this.#binary[slot];
      at[i] = this.#at[slot];
    }
    this.#start = start;
    this.#length = length;
    this.#binary = binary;
    this.#at = at;
    this.#head = 0;
  }
}
