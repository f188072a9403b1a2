/**
 * Publisher pacing: reader-side backpressure that keeps a publisher flood from
 * growing memory without bound.
 *
 * Runtimes queue WebSocket sends without limit, and a connection's frames are
 * read and fanned out faster than sockets drain (Deno reads a burst of 20 000
 * frames for 200 subscribers into gigabytes of queued sends). So when a
 * delivery finds a subscriber past the high-water mark, the publishing
 * connection's next frames wait (they queue, up to `maxQueuedFrames` and
 * `maxQueuedBytes`) until
 * that subscriber drains below the low-water mark. The wait is bounded: a
 * subscriber still above low water after `maxWaitMs` is marked lagging and
 * paces nobody until it catches up, so one slow reader never slows the
 * others; it runs into `maxBufferedBytes` and gets the slow-consumer policy.
 *
 * @module
 */

import type { Metrics } from "../telemetry/metrics.ts";

/** Pacing settings; see the module documentation. */
export interface Pacing {
  /** Buffered bytes of a subscriber past which its publisher waits (default: half of `maxBufferedBytes`). */
  highWaterBytes: number;
  /** Buffered bytes under which the waiting publisher resumes (default: a quarter of `highWaterBytes`). */
  lowWaterBytes: number;
  /** Longest wait for one subscriber in ms (default 100); past it the subscriber is lagging. */
  maxWaitMs: number;
  /**
   * Deliveries to a socket that had not flushed yet, after which a publisher
   * yields one timer turn (default 4096). Runtimes that write sends only
   * between turns (Deno) would otherwise queue a whole read burst, at a
   * memory cost far above the bytes `bufferedAmount` shows, before any buffer
   * looks full. Where sockets write at once (Node) this never triggers.
   */
  yieldEvery: number;
}

/** What the pacer needs of a connection (publisher or subscriber). */
export interface Paced {
  /** Whether the connection has closed. */
  readonly closed: boolean;
  /** Set by the pacer: this subscriber failed to drain within `maxWaitMs`. */
  lagging: boolean;
  /** The socket; `pause`/`resume` stop reading where the runtime allows it. */
  readonly peer: { readonly bufferedAmount?: number; pause?(): void; resume?(): void };
}

// How often a waiting publisher looks at its blocker's buffer. Each look is a
// timer turn, which is also what lets Deno run its queued sends.
const POLL_MS = 1;

/** Fills in pacing defaults from the connection buffer cap. */
export function resolvePacing(
  pacing: Partial<Pacing> | undefined,
  maxBufferedBytes: number,
): Pacing {
  const highWaterBytes = pacing?.highWaterBytes ?? Math.floor(maxBufferedBytes / 2);
  return {
    highWaterBytes,
    lowWaterBytes: pacing?.lowWaterBytes ?? Math.floor(highWaterBytes / 4),
    maxWaitMs: pacing?.maxWaitMs ?? 100,
    yieldEvery: pacing?.yieldEvery ?? 4096,
  };
}

/**
 * Tracks subscribers past high water while a frame is processed, and makes its
 * publisher wait afterwards. One per server; deliveries call
 * {@linkcode Pacer.observe}, the server calls {@linkcode Pacer.after}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Metrics, Pacer } from "@lhttp/lhttp/internal";
 * const pacing = { highWaterBytes: 100, lowWaterBytes: 10, maxWaitMs: 20, yieldEvery: 4096 };
 * const pacer = new Pacer(pacing, new Metrics());
 * const peer = { bufferedAmount: 500 };
 * const subscriber = { closed: false, lagging: false, peer };
 * const publisher = { closed: false, lagging: false, peer: {} };
 * pacer.observe(subscriber, peer.bufferedAmount);
 * const wait = pacer.after(publisher);
 * assert.ok(wait instanceof Promise);
 * await wait; // nobody drains: after 20 ms the subscriber is lagging
 * assert.ok(subscriber.lagging);
 * ```
 */
export class Pacer {
  /** The last subscriber found past high water since the current frame began. */
  blocker: Paced | undefined;
  /** Deliveries to unflushed sockets since a publisher last yielded. */
  deliveries = 0;

  /** Creates a pacer; waits are counted in `metrics.pacing` by outcome. */
  constructor(readonly pacing: Pacing, readonly metrics: Metrics) {}

  /** Called on every delivery with the subscriber's buffered bytes (the hot path: no allocation). */
  observe(subscriber: Paced, buffered: number): void {
    if (buffered > 0) this.deliveries++;
    if (buffered > this.pacing.highWaterBytes) {
      if (!subscriber.lagging) this.blocker = subscriber;
    } else if (subscriber.lagging && buffered <= this.pacing.lowWaterBytes) {
      subscriber.lagging = false;
    }
  }

  /**
   * After a frame of `publisher` was processed: undefined when it may go on,
   * or a promise that settles once the blocker drained, closed, or turned
   * lagging, or after one timer turn every `yieldEvery` deliveries. Clears
   * the blocker either way.
   */
  after(publisher: Paced): Promise<void> | undefined {
    const blocker = this.blocker;
    this.blocker = undefined;
    if (blocker === undefined || blocker.closed || blocker.lagging) {
      if (this.deliveries < this.pacing.yieldEvery) return undefined;
      this.deliveries = 0;
      publisher.peer.pause?.();
      return new Promise((resolve) =>
        setTimeout(() => {
          if (!publisher.closed) publisher.peer.resume?.();
          resolve();
        }, 0)
      );
    }
    this.deliveries = 0;
    publisher.peer.pause?.();
    const deadline = Date.now() + this.pacing.maxWaitMs;
    return new Promise((resolve) => {
      const finish = (outcome: string) => {
        this.metrics.count(this.metrics.pacing, outcome);
        if (!publisher.closed) publisher.peer.resume?.();
        resolve();
      };
      const look = () => {
        if (blocker.closed || publisher.closed) return finish("closed");
        if ((blocker.peer.bufferedAmount ?? 0) <= this.pacing.lowWaterBytes) {
          return finish("drained");
        }
        if (Date.now() >= deadline) {
          blocker.lagging = true;
          return finish("lagging");
        }
        setTimeout(look, POLL_MS);
      };
      setTimeout(look, POLL_MS);
    });
  }
}
