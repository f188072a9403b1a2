/**
 * One client connection, seen through the small socket surface adapters provide.
 *
 * @module
 */

import { CloseCode } from "../codec/close_code.ts";
import type { FrameData } from "../codec/frame.ts";
import { FrameQueue } from "./_frame_queue.ts";
import { serializeFrame } from "../codec/serialize.ts";
import type { Frame } from "../codec/frame.ts";
import type { Subscriber } from "../hub/hub.ts";
import { utf8Length } from "../codec/_utf8.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import type { TokenBucket } from "./rate_limit.ts";
import type { Paced, Pacer } from "./pacer.ts";

/**
 * What an adapter wraps its runtime's socket in. `send` may return Bun's status
 * (bytes sent, -1 for backpressure, 0 for dropped).
 */
export interface Peer {
  /** Sends one WebSocket message: text for strings, binary for bytes. */
  send(data: FrameData): number | void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Bytes queued but not yet written, when the runtime tells. */
  readonly bufferedAmount?: number;
  /** Stops reading from the socket while the connection is paced (where the runtime can). */
  pause?(): void;
  /** Reads again after {@linkcode Peer.pause}. */
  resume?(): void;
}

/** What a connection does when a subscriber cannot keep up. */
export type SlowConsumerPolicy = "drop" | "close";

/** Per-connection send settings. */
export interface ConnectionOptions {
  /** Buffered bytes past which the slow-consumer policy applies. */
  maxBufferedBytes: number;
  /** Drop frames for this connection (counted) or close it with 4008. */
  slowConsumer: SlowConsumerPolicy;
  /** The server's counters. */
  metrics: Metrics;
  /** Publisher pacing; off when absent. */
  pacer?: Pacer;
}

let nextId = 1;

/**
 * A client connection: its subscriptions, state and send path. Servers make
 * these; processors get them through the context.
 */
export class Connection implements Subscriber, Paced {
  /** Process-unique id, for logs. */
  readonly id: number = nextId++;
  /** Channels this connection is subscribed to (maintained by the hub). */
  readonly channels: Set<string> = new Set();
  /** Commands this connection has sent, whose processors get `onClose`. */
  readonly commands: Set<string> = new Set();
  /** Free per-connection state for processors and middleware. */
  readonly state: Record<string, unknown> = {};
  /** Frames dropped because this connection was too slow. */
  dropped = 0;
  /** Frames and bytes sent. */
  framesOut = 0;
  /** Whether the connection has closed. */
  closed = false;
  /** Upstream requests in flight. */
  upstreamInFlight = 0;
  /** @internal frames read ahead while the connection waits */
  readonly queue: FrameQueue = new FrameQueue();
  /** @internal true while an async pipeline runs */
  busy = false;
  /** @internal the rate limiter's bucket, when the server limits rates */
  bucket?: TokenBucket;
  /** @internal frames refused by the rate limiter in a row */
  refusedInARow = 0;
  /** @internal set by the pacer: too slow to pace publishers until it drains */
  lagging = false;

  /** Wraps a peer. `data` is what authentication returned. */
  constructor(
    readonly peer: Peer,
    readonly options: ConnectionOptions,
    readonly data: unknown = undefined,
  ) {}

  #closing = false;

  /** Sends serialized frame data, applying the slow-consumer policy. */
  deliver(data: FrameData): void {
    if (this.closed || this.#closing) return;
    const buffered = this.peer.bufferedAmount ?? 0;
    if (buffered > this.options.maxBufferedBytes) return this.slow();
    this.options.pacer?.observe(this, buffered);
    const status = this.peer.send(data);
    // Bun reports 0 for a message it dropped; -1 means queued under backpressure.
    if (status === 0) return this.slow();
    this.framesOut++;
    this.options.metrics.framesOut++;
  }

  /** Serializes and sends a frame to this connection only. */
  send(frame: Pick<Frame, "command" | "headers"> & { body?: FrameData }): void {
    const data = serializeFrame(frame);
    this.options.metrics.bytesOut += typeof data === "string" ? utf8Length(data) : data.length;
    this.deliver(data);
  }

  /** Closes the connection. */
  close(code: number = CloseCode.normal, reason = ""): void {
    // Once: a slow consumer is found on every delivery until its close completes.
    if (this.closed || this.#closing) return;
    this.#closing = true;
    if (code !== CloseCode.normal) {
      this.options.metrics.count(this.options.metrics.closes, reason || String(code));
    }
    try {
      this.peer.close(code, reason);
    } catch {
      // The socket may already be gone; the adapter reports the close.
    }
  }

  /** @internal applies the slow-consumer policy (adapters with native fan-out call it) */
  slow(): void {
    if (this.options.slowConsumer === "close") {
      this.close(CloseCode.slowConsumer, "slow consumer");
    } else {
      this.dropped++;
      this.options.metrics.count(this.options.metrics.drops, "slow_consumer");
    }
  }
}
