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
import { parseServers } from "./connect.ts";
import type { NatsBusOptions, NatsBusStats } from "./bus_options.ts";
import { EnvelopeReader, type InvalidPayload } from "./envelope.ts";
import { OutboundWindow } from "./_outbound.ts";
import { NatsLink } from "./link.ts";
import { isWildcard, PatternTrie } from "../hub/pattern_trie.ts";
import {
  assertSubjectPrefix,
  channelToSubject,
  DEFAULT_SUBJECT_PREFIX,
  subjectToChannel,
} from "./subject.ts";

export type { NatsBusOptions, NatsBusStats } from "./bus_options.ts";

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
  readonly #outbound: OutboundWindow;
  // Tells this node's frames apart when NATS hands them back (shared connections).
  readonly #node = crypto.getRandomValues(new Uint8Array(8));
  readonly #subs = new Map<string, Subscription | undefined>();
  // The wildcard keys of #subs, to pick the one subscription that delivers.
  readonly #patterns = new PatternTrie<string>();
  readonly #maxFrameBytes: number;
  readonly #maxPending: number;
  readonly #stallMs: number;
  #deliver?: (channel: string, data: FrameData) => void;
  #invalidLoggedAt = -Infinity;
  #counts = { received: 0, invalid: 0 };
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
    const maxInFlight = Math.min(options.maxInFlightBytes ?? 1 << 20, this.#maxPending);
    this.#stallMs = options.stallTimeoutMs ?? 2000;
    if (!(this.#maxPending > 0) || !(maxInFlight > 0) || !(this.#stallMs > 0)) {
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
        this.#outbound.dropQueue();
      },
      changed: (state) => this.#outbound.changed(state),
    });
    const limits = { maxPending: this.#maxPending, maxInFlight, stallMs: this.#stallMs };
    this.#outbound = new OutboundWindow(this.#link, this.#node, limits, this.#logger);
  }

  /**
   * `connecting` (never reached yet), `connected`, `stalled` (connected, but
   * the server has not answered a flush within `stallTimeoutMs`),
   * `disconnected` or `closed`.
   */
  get state(): BusState {
    const state = this.#link.state;
    return state === "connected" && this.#outbound.stalled ? "stalled" : state;
  }
  /** A fresh snapshot of the bus's counters and buffer levels. */
  get stats(): NatsBusStats {
    return {
      ...this.#outbound.counts,
      ...this.#counts,
      queuedBytes: this.#outbound.bufferedBytes,
      queuedFrames: this.#outbound.queuedFrames,
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
    this.#watchdog = setInterval(() => this.#outbound.check(), tick);
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
   * Sends a locally published frame to the other nodes, through the bounded
   * outbound window (`_outbound.ts`). Dropped (and counted) when there is no
   * connection.
   */
  publish(channel: string, data: FrameData): void {
    let subject: string;
    try {
      subject = channelToSubject(channel, this.#prefix);
    } catch (error) {
      return this.#outbound.drop(String(error)); // delivered locally; never sent to NATS
    }
    this.#outbound.send(subject, data);
  }

  /** Stops retrying; closes the connection if the bus opened it, else only its subscriptions. */
  async close(): Promise<void> {
    clearInterval(this.#watchdog);
    const owned = !this.#options.connection;
    if (!owned) { for (const channel of [...this.#subs.keys()]) this.unsubscribe(channel); }
    await this.#link.close(owned);
    this.#outbound.dropQueue();
    this.#outbound.reset();
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
}
