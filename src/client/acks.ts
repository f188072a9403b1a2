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
  resolve: (frame: Frame) => void;
  reject: (error: Error) => void;
  timer?: unknown;
}

/**
 * Tracks acknowledgement ids and settles their promises.
 *
 * @example
 * ```ts
 * import { createFrame } from "@lhttp/lhttp";
 * import { AckTracker } from "@lhttp/lhttp/client";
 * const acks = new AckTracker(globalThis, 0);
 * const { id, promise } = acks.create();
 * acks.settle(createFrame({ command: "publish", headers: { ack: id, status: "200" } }));
 * console.assert((await promise).headers.get("status") === "200");
 * ```
 */
export class AckTracker {
  #next = 1;
  #pending = new Map<string, Pending>();
  readonly #clock: Clock;
  readonly #timeout: number;

  /** `timeout` in ms counts from {@linkcode AckTracker.sent}; 0 waits forever. */
  constructor(clock: Clock, timeout: number) {
    this.#clock = clock;
    this.#timeout = timeout;
  }

  /** Acknowledgements not settled yet. */
  get size(): number {
    return this.#pending.size;
  }

  /** A new id and the promise its answer settles. */
  create(): { id: string; promise: Promise<Frame> } {
    const id = String(this.#next++);
    const promise = new Promise<Frame>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
    });
    return { id, promise };
  }

  /** The frame carrying `id` was written: the timeout starts now, not while queued offline. */
  sent(id: string): void {
    const pending = this.#pending.get(id);
    if (!pending || this.#timeout <= 0) return;
    pending.timer = this.#clock.setTimeout(() => {
      this.reject(
        id,
        new ClientError("ack_timeout", `No acknowledgement within ${this.#timeout} ms`),
      );
    }, this.#timeout);
  }

  /**
   * Settles the acknowledgement a frame answers; true when it did (the frame
   * is then consumed). Later frames with the same id, such as an upstream
   * answer after the 200, pass through as ordinary frames.
   */
  settle(frame: Frame): boolean {
    const id = frame.headers.get("ack");
    if (id === undefined) return false;
    const pending = this.#take(id);
    if (!pending) return false;
    if (isErrorFrame(frame)) pending.reject(RemoteError.fromFrame(frame));
    else pending.resolve(frame);
    return true;
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
