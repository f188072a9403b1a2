/**
 * {@linkcode NatsBus}: cross-node fan-out over NATS core.
 *
 * @module
 */

import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Bus, BusState } from "../hub/bus.ts";
import type { FrameData } from "../codec/frame.ts";
import { parseFrame } from "../codec/parse.ts";
import { createLogger, type Logger } from "../telemetry/log.ts";
import { type ConnectNatsOptions, parseServers } from "./connect.ts";
import { encodeEnvelopes, EnvelopeReader, envelopeSize, type InvalidPayload } from "./envelope.ts";
import { NatsLink } from "./link.ts";
import { isWildcard, PatternTrie } from "../hub/pattern_trie.ts";
import {
  assertSubjectPrefix,
  channelToSubject,
  DEFAULT_SUBJECT_PREFIX,
  subjectToChannel,
} from "./subject.ts";

/** Options of {@linkcode NatsBus}: `servers` or `connection`. */
export interface NatsBusOptions extends Partial<ConnectNatsOptions> {
  /** A ready connection (any transport); the caller keeps ownership and closes it. */
  connection?: NatsConnection;
  /** Subject prefix, so several lhttp clusters can share one NATS (default `lhttp`). */
  subjectPrefix?: string;
  /** Where state changes are logged; warnings to stderr by default. */
  logger?: Logger;
  /** Largest frame accepted from other nodes, bytes (default 64 MiB). */
  maxFrameBytes?: number;
  /**
   * Most bytes buffered for other nodes, in every state: frames queued in the
   * bus plus frames sent that the NATS server has not confirmed yet. Past it
   * the oldest queued frames are dropped (default 8 MiB, or twice
   * `maxFrameBytes` when that is larger).
   */
  maxPendingBytes?: number;
  /**
   * Most bytes sent to NATS and not yet confirmed by the server (a PONG to a
   * flush); frames beyond wait in the bus's queue, where the oldest can still
   * be dropped (default 1 MiB, at most `maxPendingBytes`).
   */
  maxInFlightBytes?: number;
  /**
   * How long the server may leave a flush unanswered before the bus reports
   * `stalled`, ms (default 2000). With no traffic the bus probes as often.
   */
  stallTimeoutMs?: number;
  /** Longest wait between attempts while NATS was never reached, ms (default 5000). */
  maxRetryDelayMs?: number;
}

/** What a {@linkcode NatsBus} counts; the shape of the optional `Bus.stats`. */
export interface NatsBusStats {
  /** Frames sent to NATS for the other nodes. */
  readonly published: number;
  /** Frames received from other nodes and delivered locally. */
  readonly received: number;
  /** Frames for other nodes dropped: no connection, send errors, or the oldest past the cap. */
  readonly dropped: number;
  /** Payloads received from NATS that did not decode to an LHTTP frame, dropped. */
  readonly invalid: number;
  /** Bytes buffered for other nodes: queued in the bus plus sent and unconfirmed. */
  readonly queuedBytes: number;
  /** Frames queued in the bus, not yet handed to NATS. */
  readonly queuedFrames: number;
  /** The cap of `queuedBytes` (`maxPendingBytes`). */
  readonly maxQueuedBytes: number;
  /** Times the bus entered the `stalled` state. */
  readonly stalls: number;
}

// A frame for other nodes. Queued frames keep the frame data (which local
// delivery shares) and are encoded only when sent: dropped frames never are.
interface Outbound {
  subject: string;
  data: FrameData;
  sequence: number;
  size: number;
}

// Frames from other nodes were checked there against that node's header
// limits, which may be higher than ours: only the frame size applies here.
const noHeaderLimits = { maxHeaders: Infinity, maxHeaderBytes: Infinity };

/**
 * A {@linkcode Bus} on NATS core: one NATS subscription per channel with local
 * subscribers, frames wrapped as described in `envelope.ts`, subjects mapped as
 * in `subject.ts`. It connects in the background and keeps retrying; until
 * NATS is reached the node serves its local traffic alone.
 *
 * Outbound memory is bounded in every state. The bus hands NATS at most
 * `maxInFlightBytes` that the server has not confirmed (each batch ends with a
 * flush, whose PONG confirms it); the rest waits in the bus's queue, and past
 * `maxPendingBytes` in all the oldest queued frames are dropped and counted.
 * A flush unanswered for `stallTimeoutMs` turns the state to `stalled` until
 * the server answers again. Payloads from NATS that are not envelopes of valid
 * LHTTP frames are dropped and counted in `stats.invalid`.
 *
 * @example
 * ```ts ignore
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serveDeno } from "@lhttp/lhttp/deno";
 * import { NatsBus } from "@lhttp/lhttp/nats";
 * const bus = new NatsBus({ servers: "nats://127.0.0.1:4222" });
 * const running = serveDeno(new LhttpServer({ bus }), { port: 8081 });
 * ```
 *
 * @example Counters before any connection
 * ```ts
 * import assert from "node:assert/strict";
 * import { NatsBus } from "@lhttp/lhttp/nats";
 * const bus = new NatsBus({ servers: "nats://127.0.0.1:4222", maxPendingBytes: 1 << 20 });
 * assert.equal(bus.stats.queuedBytes, 0);
 * assert.equal(bus.stats.maxQueuedBytes, 1 << 20);
 * bus.publish("room", "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi"); // not connected: dropped
 * assert.equal(bus.stats.dropped, 1);
 * await bus.close();
 * ```
 */
export class NatsBus implements Bus {
  readonly #options: NatsBusOptions;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #link: NatsLink;
  // Tells this node's frames apart when NATS hands them back (shared connections).
  readonly #node = crypto.getRandomValues(new Uint8Array(8));
  readonly #subs = new Map<string, Subscription | undefined>();
  // The wildcard keys of #subs, to pick the one subscription that delivers.
  readonly #patterns = new PatternTrie<string>();
  readonly #maxFrameBytes: number;
  readonly #maxPending: number;
  readonly #maxInFlight: number;
  readonly #stallMs: number;
  #deliver?: (channel: string, data: FrameData) => void;
  #sequence = 0;
  #warnedDrop = false;
  #invalidLoggedAt = -Infinity;
  #counts = { published: 0, received: 0, dropped: 0, invalid: 0, stalls: 0 };
  // The queue: #queue[#head..] are waiting, oldest first.
  #queue: Outbound[] = [];
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
  #watchdog?: ReturnType<typeof setInterval>;

  /** Creates the bus; it connects when the hub starts it. */
  constructor(options: NatsBusOptions) {
    this.#prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    assertSubjectPrefix(this.#prefix);
    this.#options = options;
    this.#logger = options.logger ?? createLogger("warn");
    this.#maxFrameBytes = options.maxFrameBytes ?? 64 * 1024 * 1024;
    this.#maxPending = options.maxPendingBytes ??
      Math.max(8 << 20, 2 * (options.maxFrameBytes ?? 0));
    this.#maxInFlight = Math.min(options.maxInFlightBytes ?? 1 << 20, this.#maxPending);
    this.#stallMs = options.stallTimeoutMs ?? 2000;
    if (!(this.#maxPending > 0) || !(this.#maxInFlight > 0) || !(this.#stallMs > 0)) {
      throw new RangeError(
        "maxPendingBytes, maxInFlightBytes and stallTimeoutMs must be positive",
      );
    }
    const servers = options.connection ? [] : parseServers(options.servers ?? "");
    this.#link = new NatsLink({ ...options, servers }, this.#logger, {
      attach: (nc) => {
        for (const channel of this.#subs.keys()) {
          this.#subs.set(channel, this.#subscribe(nc, channel));
        }
      },
      detach: () => {
        for (const channel of this.#subs.keys()) this.#subs.set(channel, undefined);
        // The connection is gone for good; so is what waited for it.
        this.#dropQueue();
      },
      changed: (state) => {
        this.#warnedDrop = false;
        this.#reset();
        if (state === "connected") this.#pump();
        else if (state === "closed") this.#dropQueue();
      },
    });
  }

  /**
   * `connecting` (never reached yet), `connected`, `stalled` (connected, but
   * the server has not answered a flush within `stallTimeoutMs`),
   * `disconnected` or `closed`.
   */
  get state(): BusState {
    const state = this.#link.state;
    return state === "connected" && this.#stalled ? "stalled" : state;
  }
  /** A fresh snapshot of the bus's counters and buffer levels. */
  get stats(): NatsBusStats {
    return {
      ...this.#counts,
      queuedBytes: this.#queuedBytes + this.#inFlight,
      queuedFrames: this.#queue.length - this.#head,
      maxQueuedBytes: this.#maxPending,
    };
  }
  /** Channels with a live NATS subscription on this node. */
  get subscriptionCount(): number {
    let count = 0;
    for (const sub of this.#subs.values()) if (sub && !sub.isClosed()) count++;
    return count;
  }
  /** The subject prefix in use. */
  get subjectPrefix(): string {
    return this.#prefix;
  }

  /** Starts delivering remote frames through `deliver` and connects. */
  start(deliver: (channel: string, data: FrameData) => void): void {
    if (this.#deliver) return;
    this.#deliver = deliver;
    const tick = Math.max(20, Math.min(500, this.#stallMs / 4));
    this.#watchdog = setInterval(() => this.#check(), tick);
    if (this.#options.connection) this.#link.adopt(this.#options.connection);
    else this.#link.start();
  }

  /** Opens the channel's NATS subscription (once connected). */
  subscribe(channel: string): void {
    if (this.#subs.has(channel)) return;
    const nc = this.#link.connection;
    channelToSubject(channel, this.#prefix); // refuses unmappable names even while offline
    if (isWildcard(channel)) this.#patterns.add(channel, channel);
    this.#subs.set(channel, nc ? this.#subscribe(nc, channel) : undefined);
  }

  /** Drops the channel's NATS subscription. */
  unsubscribe(channel: string): void {
    const sub = this.#subs.get(channel);
    this.#subs.delete(channel);
    this.#patterns.remove(channel, channel);
    try {
      sub?.unsubscribe();
    } catch { /* the connection is gone; so is the subscription */ }
  }

  /**
   * Sends a locally published frame to the other nodes: at once when little is
   * unconfirmed, else through the bounded queue. Dropped (and counted) when
   * there is no connection.
   */
  publish(channel: string, data: FrameData): void {
    const nc = this.#link.connection;
    const state = this.#link.state;
    if (!nc || state === "closed") return this.#drop("NATS is not connected");
    let subject: string;
    try {
      subject = channelToSubject(channel, this.#prefix);
    } catch (error) {
      return this.#drop(String(error)); // delivered locally; never sent to NATS
    }
    const max = nc.info?.max_payload ?? 1024 * 1024;
    const sequence = this.#sequence++;
    let size = 0;
    try {
      if (state === "connected" && this.#queue.length === this.#head) {
        // The usual case on a healthy bus: encode once and send at once.
        const payloads = encodeEnvelopes(this.#node, data, max, sequence);
        for (const payload of payloads) size += payload.length;
        if (this.#fits(size) && this.#inFlight + size <= this.#maxPending) {
          return this.#publish(nc, subject, payloads, size);
        }
      } else size = envelopeSize(data, max);
    } catch (error) {
      return this.#drop(String(error));
    }
    if (this.#queuedBytes + this.#inFlight + size > this.#maxPending) {
      this.#dropOldest(size);
      if (this.#queuedBytes + this.#inFlight + size > this.#maxPending) {
        return this.#drop("the frame does not fit in the NATS bus buffer");
      }
    }
    this.#queue.push({ subject, data, sequence, size });
    this.#queuedBytes += size;
  }

  /** Stops retrying; closes the connection if the bus opened it, else only its subscriptions. */
  async close(): Promise<void> {
    clearInterval(this.#watchdog);
    const owned = !this.#options.connection;
    if (!owned) { for (const channel of [...this.#subs.keys()]) this.unsubscribe(channel); }
    await this.#link.close(owned);
    this.#dropQueue();
    this.#reset();
  }

  #fits(size: number): boolean {
    return this.#inFlight === 0 || this.#inFlight + size <= this.#maxInFlight;
  }

  #send(nc: NatsConnection, frame: Outbound): void {
    let payloads: Uint8Array[];
    try {
      const max = nc.info?.max_payload ?? 1024 * 1024;
      payloads = encodeEnvelopes(this.#node, frame.data, max, frame.sequence);
    } catch (error) {
      return this.#drop(String(error));
    }
    this.#publish(nc, frame.subject, payloads, frame.size);
  }

  #publish(nc: NatsConnection, subject: string, payloads: Uint8Array[], size: number): void {
    try {
      for (const payload of payloads) nc.publish(subject, payload);
    } catch (error) {
      return this.#drop(String(error));
    }
    this.#inFlight += size;
    this.#counts.published++;
    this.#scheduleFlush();
  }

  // Hands queued frames to NATS while the unconfirmed bytes stay in the window.
  #pump(): void {
    const nc = this.#link.connection;
    if (!nc || this.#link.state !== "connected") return;
    while (this.#head < this.#queue.length && this.#fits(this.#queue[this.#head].size)) {
      const frame = this.#shift();
      this.#send(nc, frame);
    }
  }

  #shift(): Outbound {
    const frame = this.#queue[this.#head];
    this.#queue[this.#head++] = undefined as unknown as Outbound;
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
    while (
      this.#head < this.#queue.length &&
      this.#queuedBytes + this.#inFlight + size > this.#maxPending
    ) {
      this.#shift();
      this.#drop(
        this.#stalled
          ? "NATS is stalled and the bus buffer is full; dropping the oldest frames"
          : "the NATS bus buffer is full; dropping the oldest frames",
      );
    }
  }

  #dropQueue(): void {
    while (this.#head < this.#queue.length) {
      this.#shift();
      this.#drop("the NATS connection closed with frames queued");
    }
  }

  // The connection changed: what was in flight is delivered or lost with it.
  #reset(): void {
    this.#epoch++;
    this.#inFlight = 0;
    this.#flushing = false;
    this.#confirmedAt = Date.now();
    this.#stalled = false;
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
    const nc = this.#link.connection;
    if (this.#flushing || !nc || this.#link.state !== "connected") return;
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
        this.#logger.log("warn", "NATS bus recovered from a stall", {
          bus: "nats",
          state: "connected",
          queuedBytes: this.#queuedBytes + this.#inFlight,
        });
      }
      this.#pump();
      if (this.#inFlight > 0) this.#scheduleFlush();
    }, () => {
      // The connection went away; the link's state change resets the counts.
      if (epoch === this.#epoch) this.#flushing = false;
    });
  }

  // The watchdog: flags a flush left unanswered, and probes an idle connection.
  #check(): void {
    if (this.#link.state !== "connected") return;
    const now = Date.now();
    if (this.#flushing) {
      if (this.#stalled || now - this.#flushStarted < this.#stallMs) return;
      this.#stalled = true;
      this.#warnedDrop = false;
      this.#counts.stalls++;
      this.#logger.log("warn", "NATS bus stalled: the server stopped answering", {
        bus: "nats",
        state: "stalled",
        waitedMs: now - this.#flushStarted,
        maxPendingBytes: this.#maxPending,
      });
    } else if (now - this.#confirmedAt >= this.#stallMs) {
      this.#flush();
    }
  }

  #subscribe(nc: NatsConnection, channel: string): Subscription {
    const reader = new EnvelopeReader(
      this.#node,
      this.#maxFrameBytes,
      (reason) => this.#invalid(channel, reason),
    );
    const limits = { ...noHeaderLimits, maxFrameBytes: this.#maxFrameBytes };
    const wildcard = isWildcard(channel);
    return nc.subscribe(channelToSubject(channel, this.#prefix), {
      callback: (error, msg) => {
        if (error) {
          return void this.#logger.log("warn", "NATS subscription failed", {
            pattern: channel,
            error: String(error),
          });
        }
        const concrete = wildcard ? this.#delivering(channel, msg.subject) : channel;
        if (concrete === undefined) return;
        const data = reader.read(msg.data);
        if (data === undefined) return;
        try {
          parseFrame(data, limits);
        } catch {
          return this.#invalid(channel, "not_lhttp");
        }
        this.#counts.received++;
        try {
          this.#deliver?.(concrete, data);
        } catch (failure) {
          this.#logger.log("error", "delivering a remote frame failed", {
            channel,
            error: String(failure),
          });
        }
      },
    });
  }

  // A frame reaches a node once per matching NATS subscription; the hub
  // delivers it to every local match, so only one of them hands it over: the
  // exact channel's, else the first matching pattern's. Undefined: skip.
  #delivering(pattern: string, subject: string): string | undefined {
    const channel = subjectToChannel(subject, this.#prefix);
    if (channel === undefined || this.#subs.has(channel)) return undefined;
    let first: string | undefined;
    this.#patterns.match(channel, (keys) => {
      for (const key of keys) if (first === undefined || key < first) first = key;
    });
    return first === pattern ? channel : undefined;
  }

  #invalid(channel: string, reason: InvalidPayload | "not_lhttp"): void {
    this.#counts.invalid++;
    const now = Date.now();
    if (now - this.#invalidLoggedAt < 60_000) return; // at most one line a minute
    this.#invalidLoggedAt = now;
    this.#logger.log("warn", "NATS bus dropped a payload that is not an lhttp frame", {
      channel,
      reason,
      invalid: this.#counts.invalid,
    });
  }

  #drop(reason: string): void {
    this.#counts.dropped++;
    if (this.#warnedDrop) return;
    this.#warnedDrop = true; // once per state, not per frame
    this.#logger.log("warn", "NATS bus dropped frames for other nodes", { reason });
  }
}
