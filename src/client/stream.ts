/**
 * Async iteration over incoming frames: `for await (const frame of client)`.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";

/**
 * A queue of frames read by `for await`. It buffers what arrives between two
 * reads (without bound: a reader that stops reading should `return()`, which
 * `break` does) and ends when the client closes.
 *
 * @example
 * ```ts
 * import { createFrame } from "@lhttp/lhttp";
 * import { FrameStream } from "@lhttp/lhttp/client";
 * const stream = new FrameStream(() => {});
 * stream.push(createFrame({ command: "a" }));
 * stream.end();
 * const seen = [];
 * for await (const frame of stream) seen.push(frame.command);
 * console.assert(seen.join() === "a");
 * ```
 */
export class FrameStream implements AsyncIterableIterator<Frame> {
  #buffer: Frame[] = [];
  #waiting: ((result: IteratorResult<Frame>) => void)[] = [];
  #done = false;
  readonly #detach: () => void;

  /** `detach` is called once, when the stream ends or its reader leaves. */
  constructor(detach: () => void) {
    this.#detach = detach;
  }

  /** Adds a frame, handing it straight to a waiting reader if there is one. */
  push(frame: Frame): void {
    if (this.#done) return;
    const waiter = this.#waiting.shift();
    if (waiter) waiter({ value: frame, done: false });
    else this.#buffer.push(frame);
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
    const frame = this.#buffer.shift();
    if (frame) return Promise.resolve({ value: frame, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Stops reading (what `break` in `for await` calls). */
  return(): Promise<IteratorResult<Frame>> {
    this.#buffer.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The stream is its own iterator. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Frame> {
    return this;
  }
}
