/**
 * Async iteration over incoming frames: `for await (const frame of client)`.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";

/**
 * The frames a {@linkcode FrameStream} buffers between two reads by default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_HIGH_WATER_MARK, FrameStream } from "./frame_stream.ts";
 * assert.equal(new FrameStream(() => {}).highWaterMark, DEFAULT_HIGH_WATER_MARK);
 * ```
 */
export const DEFAULT_HIGH_WATER_MARK = 1024;

/** Options of `LhttpClient.frames()`. */
export interface FrameStreamOptions {
  /**
   * The most frames buffered for a reader that is behind (1024 by default).
   * Past it, the oldest buffered frame is dropped and counted in
   * {@linkcode FrameStream.dropped}: a slow reader loses old frames, it never
   * makes the client's memory grow without bound.
   */
  highWaterMark?: number;
}

/**
 * A queue of frames read by `for await`. It buffers what arrives between two
 * reads, up to its high-water mark (then it drops the oldest and counts it),
 * and ends when the client closes. A reader that stops early should
 * `return()`, which `break` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame, FrameStream } from "@lhttp/lhttp/client";
 * const stream = new FrameStream(() => {}, { highWaterMark: 2 });
 * for (const command of ["a", "b", "c"]) stream.push(createFrame({ command }));
 * stream.end();
 * const seen: string[] = [];
 * for await (const frame of stream) seen.push(frame.command);
 * assert.deepEqual(seen, ["b", "c"]);
 * assert.equal(stream.dropped, 1);
 * ```
 */
export class FrameStream implements AsyncIterableIterator<Frame> {
  /** The most frames buffered; see {@linkcode FrameStreamOptions.highWaterMark}. */
  readonly highWaterMark: number;
  #buffer: (Frame | undefined)[] = [];
  #head = 0;
  #dropped = 0;
  #waiting: ((result: IteratorResult<Frame>) => void)[] = [];
  #done = false;
  readonly #detach: () => void;

  /** `detach` is called once, when the stream ends or its reader leaves. */
  constructor(detach: () => void, options: FrameStreamOptions = {}) {
    const mark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    if (!(Number.isInteger(mark) && mark >= 1)) {
      throw new RangeError(`highWaterMark must be a positive integer, not ${mark}`);
    }
    this.highWaterMark = mark;
    this.#detach = detach;
  }

  /** Frames buffered, not read yet. */
  get buffered(): number {
    return this.#buffer.length - this.#head;
  }

  /** Frames dropped because the buffer was at its high-water mark. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds a frame, handing it straight to a waiting reader if there is one. */
  push(frame: Frame): void {
    if (this.#done) return;
    const waiter = this.#waiting.shift();
    if (waiter) return waiter({ value: frame, done: false });
    if (this.buffered >= this.highWaterMark) {
      this.#take();
      this.#dropped++;
    }
    this.#buffer.push(frame);
  }

  /** Ends the stream once the buffered frames are read. */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#detach();
    for (const waiter of this.#waiting.splice(0)) waiter({ value: undefined, done: true });
  }

  /** The next frame, or done once ended and drained. */
  next(): Promise<IteratorResult<Frame>> {
    const frame = this.#take();
    if (frame) return Promise.resolve({ value: frame, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Stops reading (what `break` in `for await` calls). */
  return(): Promise<IteratorResult<Frame>> {
    this.#buffer = [];
    this.#head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The stream is its own iterator. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Frame> {
    return this;
  }

  /** Removes the oldest buffered frame in O(1), compacting now and then. */
  #take(): Frame | undefined {
    if (this.#head >= this.#buffer.length) return undefined;
    const frame = this.#buffer[this.#head];
    this.#buffer[this.#head++] = undefined;
    if (this.#head === this.#buffer.length) {
      this.#buffer = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#buffer.length) {
      this.#buffer = this.#buffer.slice(this.#head);
      this.#head = 0;
    }
    return frame;
  }
}
