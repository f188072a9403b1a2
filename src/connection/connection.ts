/**
 * One client connection, seen through the small socket surface adapters provide.
 * Its send side (deliver, the slow-consumer policy) lives here, its read side in
 * {@linkcode Inbox}; both keep their state private to this folder.
 *
 * @module
 */

import { CloseCode, closeReason } from "../codec/close_code.ts";
import type { Frame, FrameData } from "../codec/frame.ts";
import { serializeFrame } from "../codec/serialize.ts";
import type { Subscriber } from "../hub/hub.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import { ChannelSet } from "./channel_set.ts";
import { type FrameHandler, Inbox, type InboxOptions } from "./inbox.ts";
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

/** Who forgets a connection once it is closed: subscriptions, counts, processors. */
export interface ConnectionOwner {
  /**
   * Releases everything held for `connection`; called once, at its close.
   * `reason` names why when the server closed it (`slow_consumer`, `idle`, ...).
   */
  release(connection: Connection, reason?: string): void;
}

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
  /** Told when the connection closes, whatever the socket does afterwards. */
  owner?: ConnectionOwner;
  /** Who handles the frames the connection reads, and the read-ahead bounds. */
  reader?: { handler: FrameHandler; options: InboxOptions };
}

let nextId = 1;

/**
 * A client connection: its subscriptions, state and send path. Servers make
 * these; processors get them through the context.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Connection, Metrics } from "@lhttp/lhttp/internal";
 * const sent: unknown[] = [];
 * const connection = new Connection({ send: (data) => void sent.push(data), close() {} }, {
 *   maxBufferedBytes: 1024,
 *   slowConsumer: "close",
 *   metrics: new Metrics(),
 * });
 * connection.send({ command: "chat", headers: new Map(), body: "hi" });
 * assert.deepEqual(sent, ["LHTTP/1.0 chat\r\n\r\nhi"]);
 * ```
 */
export class Connection implements Subscriber, Paced {
  /** Process-unique id, for logs. */
  readonly id: number = nextId++;
  /** Channels this connection is subscribed to (kept by the hub, read-only elsewhere). */
  readonly channels: ChannelSet = new ChannelSet();
  #state?: Record<string, unknown>;
  /** @internal set by the pacer: too slow to pace publishers until it drains */
  lagging = false;
  // The read side, kept once the connection sends a second frame or while it
  // holds something (a frame in progress, frames waiting, a rate-limit bucket).
  // An idle connection, which sent its subscribe and nothing since, keeps none;
  // one that keeps talking does not make an inbox per frame.
  #inbox?: Inbox;
  #heard = false;
  #dropped = 0;
  // 0 while open; the close code while the server closes it; -1 once released.
  #closing = 0;

  /** Wraps a peer. `data` is what authentication returned. */
  constructor(
    readonly peer: Peer,
    readonly options: ConnectionOptions,
    readonly data: unknown = undefined,
  ) {}

  /** The read side; undefined for connections that only receive. */
  get inbox(): Inbox | undefined {
    const reader = this.options.reader;
    return this.#inbox ??= reader && new Inbox(this, reader.handler, reader.options);
  }

  /** A message arrived from the socket: handled in order through the inbox. */
  receive(data: FrameData): void {
    if (this.#inbox) return this.#inbox.receive(data);
    const reader = this.options.reader;
    if (!reader) return;
    // A first frame handled at once leaves nothing behind: the inbox goes with it.
    const inbox = new Inbox(this, reader.handler, reader.options);
    inbox.receive(data);
    if (this.#heard || inbox.busy || reader.options.rateLimit) this.#inbox = inbox;
    this.#heard = true;
  }

  /** Free per-connection state for processors and middleware (made on first use). */
  get state(): Record<string, unknown> {
    return this.#state ??= {};
  }
  /** Whether the connection has closed (released by the server). */
  get closed(): boolean {
    return this.#closing === -1;
  }
  /** Frames dropped because this connection was too slow. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Sends serialized frame data, applying the slow-consumer policy. */
  deliver(data: FrameData): void {
    if (this.#closing) return;
    const buffered = this.peer.bufferedAmount ?? 0;
    if (buffered > this.options.maxBufferedBytes) return this.slow();
    this.options.pacer?.observe(this, buffered);
    const status = this.peer.send(data);
    // Bun reports 0 for a message it dropped; -1 means queued under backpressure.
    if (status === 0) return this.slow();
    this.options.metrics.framesOut++;
  }

  /** Serializes and sends a frame to this connection only. */
  send(frame: Pick<Frame, "command" | "headers"> & { body?: FrameData }): void {
    const data = serializeFrame(frame);
    this.options.metrics.bytesOut += data.length;
    this.deliver(data);
  }

  /**
   * Closes the connection. It is released at once (gone from every count and
   * subscription), whatever the socket does afterwards.
   */
  close(code: number = CloseCode.normal, reason = ""): void {
    // Once: a slow consumer is found on every delivery until its close completes.
    if (this.#closing) return;
    this.#closing = code;
    if (code !== CloseCode.normal) {
      this.options.metrics.count(this.options.metrics.closes, reason || String(code));
    }
    try {
      this.peer.close(code, reason);
    } catch {
      // The socket may already be gone; the adapter reports the close.
    }
    this.release();
  }

  /** @internal the socket is gone: tell the owner once (with why, when the server closed it) */
  release(): void {
    if (this.#closing === -1) return;
    // An adapter may report the close from inside `peer.close`: the code is known by then.
    const why = this.#closing > 0 ? closeReason(this.#closing) : undefined;
    this.#closing = -1;
    this.#inbox?.clear();
    this.options.owner?.release(this, why);
  }

  /** @internal applies the slow-consumer policy (adapters with native fan-out call it) */
  slow(): void {
    if (this.options.slowConsumer === "close") {
      this.close(CloseCode.slowConsumer, "slow consumer");
    } else {
      this.#dropped++;
      this.options.metrics.count(this.options.metrics.drops, "slow_consumer");
    }
  }
}
