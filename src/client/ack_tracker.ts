/**
 * Acknowledgements in flight: the client puts `ack:<id>` on a frame and the
 * server answers `status:200` (or an error frame) with the same `ack` header.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";
import { ClientError, isErrorFrame, RemoteError } from "./errors.ts";
import type { Clock } from "./options.ts";

interface Pending {
  resolve: (frame: Frame | undefined) => void;
  reject: (error: Error) => void;
  timer?: unknown;
}

/**
 * Tracks acknowledgement ids and settles their promises.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame } from "../codec/frame.ts";
 * import { AckTracker } from "./ack_tracker.ts";
 * const acks = new AckTracker(globalThis, 0);
 * const { id, promise } = acks.create();
 * // A delivered publication is never an acknowledgement, whatever it carries.
 * const forged = { ack: id, status: "200", publish: "room" };
 * assert.equal(acks.settle(createFrame({ command: "chat", headers: forged })), false);
 * assert.equal(acks.settle(createFrame({ command: "chat", headers: { ack: id, status: "200" } })), true);
 * assert.equal((await promise)?.headers.get("status"), "200");
 * ```
 */
export class AckTracker {
  #next = 1;
  #pending = new Map<string, Pending>();
  readonly #clock: Clock;
  readonly #timeout: number;
  readonly #onTimeout: (id: string) => void;

  /**
   * `timeout` in ms counts from {@linkcode AckTracker.sent}; 0 waits forever.
   * When it passes, `onTimeout(id)` decides (by default: reject with `ack_timeout`).
   */
  constructor(clock: Clock, timeout: number, onTimeout?: (id: string) => void) {
    this.#clock = clock;
    this.#timeout = timeout;
    this.#onTimeout = onTimeout ?? ((id) => this.reject(id, this.timeoutError()));
  }

  /** The `ack_timeout` error. */
  timeoutError(): ClientError {
    return new ClientError("ack_timeout", `No acknowledgement within ${this.#timeout} ms`);
  }

  /** Acknowledgements not settled yet. */
  get size(): number {
    return this.#pending.size;
  }

  /** A new id and the promise its answer settles. */
  create(): { id: string; promise: Promise<Frame | undefined> } {
    const id = String(this.#next++);
    const promise = new Promise<Frame | undefined>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
    });
    return { id, promise };
  }

  /** The frame carrying `id` was written: the timeout starts now, not while queued offline. */
  sent(id: string): void {
    const pending = this.#pending.get(id);
    if (!pending || this.#timeout <= 0) return;
    pending.timer = this.#clock.setTimeout(() => {
      pending.timer = undefined;
      this.#onTimeout(id);
    }, this.#timeout);
  }

  /**
   * Settles the acknowledgement a frame answers; true when it did (the frame
   * is then consumed). Later frames with the same id, such as an upstream
   * answer after the 200, pass through as ordinary frames. A frame with a
   * `publish` header is a delivery, never an answer: the original Go server
   * forwards a publisher's `ack` header to every subscriber.
   */
  settle(frame: Frame): boolean {
    const id = frame.headers.get("ack");
    if (id === undefined || frame.headers.has("publish")) return false;
    const pending = this.#take(id);
    if (!pending) return false;
    if (isErrorFrame(frame)) pending.reject(RemoteError.fromFrame(frame));
    else pending.resolve(frame);
    return true;
  }

  /** Resolves one acknowledgement without an answer (fire-and-forget). */
  resolve(id: string): void {
    this.#take(id)?.resolve(undefined);
  }

  /** Rejects one acknowledgement. */
  reject(id: string, error: Error): void {
    this.#take(id)?.reject(error);
  }

  /** Rejects every acknowledgement in `ids` (all when omitted). */
  rejectAll(error: Error, ids?: Iterable<string>): void {
    for (const id of ids ? [...ids] : [...this.#pending.keys()]) this.reject(id, error);
  }

  #take(id: string): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    if (pending.timer !== undefined) this.#clock.clearTimeout(pending.timer);
    return pending;
  }
}
