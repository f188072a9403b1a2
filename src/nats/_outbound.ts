/**
 * The outbound half of the NATS bus: frames for other nodes, with memory
 * bounded in every state. At most `maxInFlight` bytes sent and not yet
 * confirmed by the server (each batch ends with a flush, whose PONG confirms
 * it); the rest waits in a queue, and past `maxPending` in all the oldest
 * queued frames are dropped and counted. A flush left unanswered for
 * `stallMs` marks the window stalled until the server answers again.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import type { FrameData } from "../codec/frame.ts";
import type { BusState } from "../hub/bus.ts";
import type { Logger } from "../telemetry/log.ts";
import { encodeEnvelopes, envelopeSize } from "./envelope.ts";

/** Where the window finds the connection: the bus's link. */
export interface OutboundLink {
  /** The current connection, if any. */
  readonly connection: NatsConnection | undefined;
  /** The link's state (never `stalled`: the window knows that itself). */
  readonly state: BusState;
}

/** The window's bounds. */
export interface OutboundLimits {
  /** Most bytes queued plus in flight. */
  maxPending: number;
  /** Most bytes sent and unconfirmed. */
  maxInFlight: number;
  /** How long a flush may stay unanswered before the window is stalled, ms. */
  stallMs: number;
}

// A queued frame keeps the frame data (which local delivery shares) and is
// encoded only when sent: a dropped frame never is.
interface Queued {
  subject: string;
  data: FrameData;
  sequence: number;
  size: number;
}

/** Frames for other nodes, sent through a bounded window (see the module doc). */
export class OutboundWindow {
  /** Counters, read by the bus's stats. */
  readonly counts = { published: 0, dropped: 0, stalls: 0 };
  #sequence = 0;
  #warnedDrop = false;
  // The queue: #queue[#head..] are waiting, oldest first.
  #queue: Queued[] = [];
  #head = 0;
  #queuedBytes = 0;
  // Sent to NATS and not yet confirmed by a PONG.
  #inFlight = 0;
  // Bumped whenever the connection changes, so answers to older flushes are ignored.
  #epoch = 0;
  #flushing = false;
  #flushScheduled = false;
  #flushStarted = 0;
  #confirmedAt = 0;
  #stalled = false;

  /** A window sending for the node `node` over `link`. */
  constructor(
    private readonly link: OutboundLink,
    private readonly node: Uint8Array,
    private readonly limits: OutboundLimits,
    private readonly logger: Logger,
  ) {}

  /** True while the server has left a flush unanswered past `stallMs`. */
  get stalled(): boolean {
    return this.#stalled;
  }
  /** Bytes queued plus in flight. */
  get bufferedBytes(): number {
    return this.#queuedBytes + this.#inFlight;
  }
  /** Frames queued, not yet handed to NATS. */
  get queuedFrames(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Sends a frame to `subject`: at once when little is unconfirmed, else
   * through the bounded queue. Dropped (and counted) without a connection.
   */
  send(subject: string, data: FrameData): void {
    const nc = this.link.connection;
    const state = this.link.state;
    if (!nc || state === "closed") return this.drop("NATS is not connected");
    const max = nc.info?.max_payload ?? 1024 * 1024;
    const sequence = this.#sequence++;
    let size = 0;
    try {
      if (state === "connected" && this.#queue.length === this.#head) {
        // The usual case on a healthy bus: encode once and send at once.
        const payloads = encodeEnvelopes(this.node, data, max, sequence);
        for (const payload of payloads) size += payload.length;
        if (this.#fits(size) && this.#inFlight + size <= this.limits.maxPending) {
          return this.#publish(nc, subject, payloads, size);
        }
      } else size = envelopeSize(data, max);
    } catch (error) {
      return this.drop(String(error));
    }
    if (this.bufferedBytes + size > this.limits.maxPending) {
      this.#dropOldest(size);
      if (this.bufferedBytes + size > this.limits.maxPending) {
        return this.drop("the frame does not fit in the NATS bus buffer");
      }
    }
    this.#queue.push({ subject, data, sequence, size });
    this.#queuedBytes += size;
  }

  /** Counts a frame that will not reach the other nodes; warns once per state. */
  drop(reason: string): void {
    this.counts.dropped++;
    if (this.#warnedDrop) return;
    this.#warnedDrop = true; // once per state, not per frame
    this.logger.log("warn", "NATS bus dropped frames for other nodes", { reason });
  }

  /** The link's state changed: what was in flight is delivered or lost with the connection. */
  changed(state: BusState): void {
    this.#warnedDrop = false;
    this.reset();
    if (state === "connected") this.#pump();
    else if (state === "closed") this.dropQueue();
  }

  /** Forgets what was in flight (the connection changed or closed). */
  reset(): void {
    this.#epoch++;
    this.#inFlight = 0;
    this.#flushing = false;
    this.#confirmedAt = Date.now();
    this.#stalled = false;
  }

  /** Drops every queued frame: the connection is gone for good. */
  dropQueue(): void {
    while (this.#head < this.#queue.length) {
      this.#shift();
      this.drop("the NATS connection closed with frames queued");
    }
  }

  /** The watchdog tick: flags a flush left unanswered, and probes an idle connection. */
  check(): void {
    if (this.link.state !== "connected") return;
    const now = Date.now();
    if (this.#flushing) {
      if (this.#stalled || now - this.#flushStarted < this.limits.stallMs) return;
      this.#stalled = true;
      this.#warnedDrop = false;
      this.counts.stalls++;
      this.logger.log("warn", "NATS bus stalled: the server stopped answering", {
        bus: "nats",
        state: "stalled",
        waitedMs: now - this.#flushStarted,
        maxPendingBytes: this.limits.maxPending,
      });
    } else if (now - this.#confirmedAt >= this.limits.stallMs) {
      this.#flush();
    }
  }

  #fits(size: number): boolean {
    return this.#inFlight === 0 || this.#inFlight + size <= this.limits.maxInFlight;
  }

  #sendQueued(nc: NatsConnection, frame: Queued): void {
    let payloads: Uint8Array[];
    try {
      const max = nc.info?.max_payload ?? 1024 * 1024;
      payloads = encodeEnvelopes(this.node, frame.data, max, frame.sequence);
    } catch (error) {
      return this.drop(String(error));
    }
    this.#publish(nc, frame.subject, payloads, frame.size);
  }

  #publish(nc: NatsConnection, subject: string, payloads: Uint8Array[], size: number): void {
    try {
      for (const payload of payloads) nc.publish(subject, payload);
    } catch (error) {
      return this.drop(String(error));
    }
    this.#inFlight += size;
    this.counts.published++;
    this.#scheduleFlush();
  }

  // Hands queued frames to NATS while the unconfirmed bytes stay in the window.
  #pump(): void {
    const nc = this.link.connection;
    if (!nc || this.link.state !== "connected") return;
    while (this.#head < this.#queue.length && this.#fits(this.#queue[this.#head].size)) {
      this.#sendQueued(nc, this.#shift());
    }
  }

  #shift(): Queued {
    const frame = this.#queue[this.#head];
    this.#queue[this.#head++] = undefined as unknown as Queued;
    this.#queuedBytes -= frame.size;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return frame;
  }

  // Drops the oldest queued frames until `size` more bytes fit under the cap.
  #dropOldest(size: number): void {
    while (this.#head < this.#queue.length && this.bufferedBytes + size > this.limits.maxPending) {
      this.#shift();
      this.drop(
        this.#stalled
          ? "NATS is stalled and the bus buffer is full; dropping the oldest frames"
          : "the NATS bus buffer is full; dropping the oldest frames",
      );
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#flushing) return;
    this.#flushScheduled = true;
    // After the current batch of publishes, so one PING covers all of it.
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  // One flush at a time; its PONG confirms every byte sent before it.
  #flush(): void {
    const nc = this.link.connection;
    if (this.#flushing || !nc || this.link.state !== "connected") return;
    const epoch = this.#epoch;
    const covered = this.#inFlight;
    this.#flushing = true;
    this.#flushStarted = Date.now();
    let answer: Promise<void>;
    try {
      answer = nc.flush();
    } catch {
      this.#flushing = false;
      return;
    }
    answer.then(() => {
      if (epoch !== this.#epoch) return;
      this.#flushing = false;
      this.#inFlight -= covered;
      this.#confirmedAt = Date.now();
      if (this.#stalled) {
        this.#stalled = false;
        this.#warnedDrop = false;
        this.logger.log("warn", "NATS bus recovered from a stall", {
          bus: "nats",
          state: "connected",
          queuedBytes: this.bufferedBytes,
        });
      }
      this.#pump();
      if (this.#inFlight > 0) this.#scheduleFlush();
    }, () => {
      // The connection went away; the link's state change resets the counts.
      if (epoch === this.#epoch) this.#flushing = false;
    });
  }
}
