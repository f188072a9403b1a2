/**
 * One connection's read side: frames are handled in order, one at a time. While
 * a handler is async or the publisher is paced, later frames wait in a bounded
 * read-ahead queue; the rate limit refuses frames before they queue.
 *
 * @module
 */

import { CloseCode } from "../codec/close_code.ts";
import { LhttpError } from "../codec/errors.ts";
import type { FrameData } from "../codec/frame.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import { FrameQueue } from "./_frame_queue.ts";
import type { Connection } from "./connection.ts";
import type { Pacer } from "./pacer.ts";
import { type RateLimit, TokenBucket } from "./rate_limit.ts";

/** What an inbox hands its frames to (the router). */
export interface FrameHandler {
  /** Handles one frame; a promise makes the inbox wait before the next one. */
  handle(connection: Connection, data: FrameData): Promise<void> | undefined;
  /** Answers a frame the inbox refused (rate limit) without handling it. */
  refuse(connection: Connection, data: FrameData, error: LhttpError): void;
}

/** Bounds and policies of an {@linkcode Inbox}. */
export interface InboxOptions {
  /** Frames read ahead past which the connection is closed with 1008. */
  maxQueuedFrames: number;
  /** Bytes read ahead past which the connection is closed with 1008. */
  maxQueuedBytes: number;
  /** Frames per second a connection may send; unlimited when absent. */
  rateLimit?: RateLimit;
  /** Publisher pacing; off when absent. */
  pacer?: Pacer;
  /** The server's counters. */
  metrics: Metrics;
}

/**
 * The ordered read-ahead inbox of one connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection, Inbox, Metrics } from "@lhttp/lhttp/internal";
 * const metrics = new Metrics();
 * const connection = new Connection({ send() {}, close() {} }, {
 *   maxBufferedBytes: 1024,
 *   slowConsumer: "close",
 *   metrics,
 * });
 * const seen: unknown[] = [];
 * const inbox = new Inbox(connection, {
 *   handle: (_connection, data) => void seen.push(data),
 *   refuse() {},
 * }, { maxQueuedFrames: 8, maxQueuedBytes: 1024, metrics });
 * inbox.receive("LHTTP/1.0 a\r\n\r\n");
 * assert.deepEqual(seen, ["LHTTP/1.0 a\r\n\r\n"]);
 * assert.equal(metrics.framesIn, 1);
 * ```
 */
export class Inbox {
  // Made on the first frame that has to wait: most connections never need one.
  #queue?: FrameQueue;
  readonly #bucket?: TokenBucket;
  #busy = false;
  #refusedInARow = 0;

  /** An inbox for `connection`, handing frames to `handler`. */
  constructor(
    readonly connection: Connection,
    readonly handler: FrameHandler,
    readonly options: InboxOptions,
  ) {
    const limit = options.rateLimit;
    if (limit) this.#bucket = new TokenBucket(limit.framesPerSecond, limit.burst);
  }

  /** True while a frame is being handled and later ones wait. */
  get busy(): boolean {
    return this.#busy;
  }
  /** Frames waiting. */
  get queued(): number {
    return this.#queue?.length ?? 0;
  }

  /** A message arrived from the socket. */
  receive(data: FrameData): void {
    const connection = this.connection;
    if (connection.closed) return;
    // Code units of text, bytes of binary: O(1), and equal to bytes for ASCII.
    const size = data.length;
    this.options.metrics.framesIn++;
    this.options.metrics.bytesIn += size;
    if (this.#bucket && !this.#withinRate(data)) return;
    if (this.#busy) {
      // A burst waits here while the connection is paced; the bounds keep a blind flood finite.
      const queue = this.#queue ??= new FrameQueue();
      if (
        queue.length >= this.options.maxQueuedFrames ||
        queue.bytes + size > this.options.maxQueuedBytes
      ) {
        queue.clear();
        connection.close(CloseCode.policy, "too many frames in flight");
        return;
      }
      queue.push(data, size);
      return;
    }
    this.#run(data);
  }

  /** Drops what waits (the connection closed). */
  clear(): void {
    this.#queue = undefined;
  }

  #run(data: FrameData): void {
    const pending = this.#step(data);
    if (pending) {
      this.#busy = true;
      pending.then(() => this.#drain());
    }
  }

  // Handles one frame, then makes the connection wait (its next frames queue)
  // while a subscriber it delivered to is past high water (pacer.ts).
  #step(data: FrameData): Promise<void> | undefined {
    const pacer = this.options.pacer;
    if (!pacer) return this.handler.handle(this.connection, data);
    pacer.blocker = undefined;
    const pending = this.handler.handle(this.connection, data);
    return pending
      ? pending.then(() => pacer.after(this.connection))
      : pacer.after(this.connection);
  }

  #drain(): void {
    this.#busy = false;
    const queue = this.#queue;
    while (!this.#busy && !this.connection.closed && queue && queue.length > 0) {
      this.#run(queue.shift()!);
    }
    if (this.connection.closed) this.#queue = undefined;
  }

  #withinRate(data: FrameData): boolean {
    const limit = this.options.rateLimit!;
    if (this.#bucket!.take()) {
      this.#refusedInARow = 0;
      return true;
    }
    if (++this.#refusedInARow > limit.closeAfter) {
      this.connection.close(CloseCode.policy, "rate limit exceeded");
    } else {
      this.handler.refuse(
        this.connection,
        data,
        new LhttpError(
          "rate_limited",
          `A connection may send at most ${limit.framesPerSecond} frames per second`,
        ),
      );
    }
    return false;
  }
}
