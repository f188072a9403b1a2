/**
 * {@linkcode NatsBus}: cross-node fan-out over NATS core.
 *
 * @module
 */

import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Bus, BusState } from "../hub/bus.ts";
import type { FrameData } from "../codec/frame.ts";
import { createLogger, type Logger } from "../telemetry/log.ts";
import { type ConnectNatsOptions, parseServers } from "./connect.ts";
import { encodeEnvelopes, EnvelopeReader } from "./envelope.ts";
import { NatsLink } from "./link.ts";
import { assertSubjectPrefix, channelToSubject, DEFAULT_SUBJECT_PREFIX } from "./subject.ts";

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
  /** Bytes queued for NATS while it is down before frames are dropped (default 8 MiB). */
  maxPendingBytes?: number;
  /** Longest wait between attempts while NATS was never reached, ms (default 5000). */
  maxRetryDelayMs?: number;
}

/**
 * A {@linkcode Bus} on NATS core: one NATS subscription per channel with local
 * subscribers, frames wrapped as described in `envelope.ts`, subjects mapped as
 * in `subject.ts`. It connects in the background and keeps retrying; until
 * NATS is reached the node serves its local traffic alone.
 *
 * @example
 * ```ts ignore
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serveDeno } from "@lhttp/lhttp/deno";
 * import { NatsBus } from "@lhttp/lhttp/nats";
 * const bus = new NatsBus({ servers: "nats://127.0.0.1:4222" });
 * const running = serveDeno(new LhttpServer({ bus }), { port: 8081 });
 * ```
 */
export class NatsBus implements Bus {
  /** Frames sent to NATS, received from other nodes, and dropped. */
  readonly stats: { published: number; received: number; dropped: number } = {
    published: 0,
    received: 0,
    dropped: 0,
  };
  readonly #options: NatsBusOptions;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #link: NatsLink;
  // Tells this node's frames apart when NATS hands them back (shared connections).
  readonly #node = crypto.getRandomValues(new Uint8Array(8));
  readonly #subs = new Map<string, Subscription | undefined>();
  #deliver?: (channel: string, data: FrameData) => void;
  #sequence = 0;
  #pendingBytes = 0;
  #warnedDrop = false;

  /** Creates the bus; it connects when the hub starts it. */
  constructor(options: NatsBusOptions) {
    this.#prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    assertSubjectPrefix(this.#prefix);
    this.#options = options;
    this.#logger = options.logger ?? createLogger("warn");
    const servers = options.connection ? [] : parseServers(options.servers ?? "");
    this.#link = new NatsLink({ ...options, servers }, this.#logger, {
      attach: (nc) => {
        for (const channel of this.#subs.keys()) {
          this.#subs.set(channel, this.#subscribe(nc, channel));
        }
      },
      detach: () => {
        for (const channel of this.#subs.keys()) this.#subs.set(channel, undefined);
      },
      changed: () => {
        this.#pendingBytes = 0;
        this.#warnedDrop = false;
      },
    });
  }

  /** `connecting` (never reached yet), `connected`, `disconnected` or `closed`. */
  get state(): BusState {
    return this.#link.state;
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
    if (this.#options.connection) this.#link.adopt(this.#options.connection);
    else this.#link.start();
  }

  /** Opens the channel's NATS subscription (once connected). */
  subscribe(channel: string): void {
    if (this.#subs.has(channel)) return;
    const nc = this.#link.connection;
    channelToSubject(channel, this.#prefix); // refuses unmappable names even while offline
    this.#subs.set(channel, nc ? this.#subscribe(nc, channel) : undefined);
  }

  /** Drops the channel's NATS subscription. */
  unsubscribe(channel: string): void {
    const sub = this.#subs.get(channel);
    this.#subs.delete(channel);
    try {
      sub?.unsubscribe();
    } catch { /* the connection is gone; so is the subscription */ }
  }

  /** Sends a locally published frame to the other nodes. */
  publish(channel: string, data: FrameData): void {
    const nc = this.#link.connection;
    const state = this.#link.state;
    if (!nc || state === "closed") return this.#drop("NATS is not connected");
    const subject = channelToSubject(channel, this.#prefix);
    try {
      const max = nc.info?.max_payload ?? 1024 * 1024;
      const payloads = encodeEnvelopes(this.#node, data, max, this.#sequence++);
      if (state === "disconnected") {
        // nats.js queues without bound while reconnecting; cap it.
        const size = payloads.reduce((sum, payload) => sum + payload.length, 0);
        if (this.#pendingBytes + size > (this.#options.maxPendingBytes ?? 8 << 20)) {
          return this.#drop("NATS is reconnecting and the queue is full");
        }
        this.#pendingBytes += size;
      }
      for (const payload of payloads) nc.publish(subject, payload);
      this.stats.published++;
    } catch (error) {
      this.#drop(String(error));
    }
  }

  /** Stops retrying; closes the connection if the bus opened it, else only its subscriptions. */
  async close(): Promise<void> {
    const owned = !this.#options.connection;
    if (!owned) { for (const channel of [...this.#subs.keys()]) this.unsubscribe(channel); }
    await this.#link.close(owned);
  }

  #subscribe(nc: NatsConnection, channel: string): Subscription {
    const reader = new EnvelopeReader(this.#node, this.#options.maxFrameBytes);
    return nc.subscribe(channelToSubject(channel, this.#prefix), {
      callback: (error, msg) => {
        if (error) {
          return void this.#logger.log("warn", "NATS subscription failed", {
            channel,
            error: String(error),
          });
        }
        const data = reader.read(msg.data);
        if (data === undefined) return;
        this.stats.received++;
        try {
          this.#deliver?.(channel, data);
        } catch (failure) {
          this.#logger.log("error", "delivering a remote frame failed", {
            channel,
            error: String(failure),
          });
        }
      },
    });
  }

  #drop(reason: string): void {
    this.stats.dropped++;
    if (this.#warnedDrop) return;
    this.#warnedDrop = true; // once per state, not per frame
    this.#logger.log("warn", "NATS bus dropped frames for other nodes", { reason });
  }
}
