/**
 * {@linkcode NatsBus}: cross-node fan-out over NATS core.
 *
 * @module
 */

import type { NatsConnection, Status, Subscription } from "@nats-io/nats-core";
import type { Bus, BusState, FrameData } from "../bus.ts";
import { createLogger, type Logger } from "../log.ts";
import { connectNats, type ConnectNatsOptions, parseServers } from "./connect.ts";
import { encodeEnvelopes, EnvelopeReader } from "./envelope.ts";
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
  readonly stats = { published: 0, received: 0, dropped: 0 };
  readonly #options: NatsBusOptions;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #node = crypto.getRandomValues(new Uint8Array(8));
  readonly #subs = new Map<string, Subscription | undefined>();
  #state: BusState;
  #nc?: NatsConnection;
  #deliver?: (channel: string, data: FrameData) => void;
  #sequence = 0;
  #pendingBytes = 0;
  #warnedDrop = false;
  #closing = false;
  #tasks: Promise<void>[] = [];
  #status?: { stop(): void };
  #timer?: ReturnType<typeof setTimeout>;
  #wake?: () => void;

  /** Creates the bus; it connects when the hub starts it. */
  constructor(options: NatsBusOptions) {
    if (!options.connection) parseServers(options.servers ?? "");
    this.#prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    assertSubjectPrefix(this.#prefix);
    this.#options = options;
    this.#logger = options.logger ?? createLogger("warn");
    this.#state = options.connection ? "connected" : "connecting";
  }

  /** `connecting` (never reached yet), `connected`, `disconnected` or `closed`. */
  get state(): BusState {
    return this.#state;
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
    const given = this.#options.connection;
    if (given) this.#attach(given, false);
    else this.#tasks.push(this.#run());
  }

  /** Opens the channel's NATS subscription (once connected). */
  subscribe(channel: string): void {
    if (this.#subs.has(channel)) return;
    const subject = channelToSubject(channel, this.#prefix);
    this.#subs.set(channel, this.#nc ? this.#subscribe(this.#nc, channel, subject) : undefined);
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
    const nc = this.#nc;
    if (!nc || this.#state === "closed") return this.#drop("NATS is not connected");
    const subject = channelToSubject(channel, this.#prefix);
    try {
      const max = nc.info?.max_payload ?? 1024 * 1024;
      const payloads = encodeEnvelopes(this.#node, data, max, this.#sequence++);
      if (this.#state === "disconnected") {
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

  /** Closes the connection (when the bus opened it) and stops retrying. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#timer);
    this.#wake?.();
    const nc = this.#nc;
    if (nc && this.#options.connection === nc) {
      for (const channel of [...this.#subs.keys()]) this.unsubscribe(channel);
      this.#status?.stop();
    } else {
      await nc?.close().catch(() => {});
    }
    await Promise.all(this.#tasks);
    this.#setState("closed", "debug", "NATS bus closed");
  }

  // Connects, waits for the connection's end, and starts again unless closing.
  async #run(): Promise<void> {
    const servers = parseServers(this.#options.servers ?? "");
    let failures = 0;
    while (!this.#closing) {
      let nc: NatsConnection;
      try {
        nc = await connectNats({ ...this.#options, servers });
      } catch (error) {
        if (this.#closing) return;
        if (failures++ === 0) {
          this.#setState(
            "disconnected",
            "warn",
            "NATS bus unavailable; serving local traffic only, retrying",
            { servers: servers.join(","), error: String(error) },
          );
        }
        await this.#sleep(Math.min(250 * 2 ** failures, this.#options.maxRetryDelayMs ?? 5000));
        continue;
      }
      if (this.#closing) return void await nc.close().catch(() => {});
      failures = 0;
      this.#attach(nc, true);
      const error = await nc.closed();
      this.#nc = undefined;
      if (this.#closing) return;
      for (const channel of this.#subs.keys()) this.#subs.set(channel, undefined);
      failures = 1; // the line below already says NATS is unavailable
      this.#setState("disconnected", "error", "NATS connection closed; retrying", {
        error: String(error),
      });
    }
  }

  #attach(nc: NatsConnection, owned: boolean): void {
    this.#nc = nc;
    for (const channel of this.#subs.keys()) {
      this.#subs.set(
        channel,
        this.#subscribe(nc, channel, channelToSubject(channel, this.#prefix)),
      );
    }
    const status = nc.status();
    this.#status = status as unknown as { stop(): void };
    this.#tasks.push(this.#watch(status));
    if (owned) {
      this.#setState("connected", "info", "NATS bus connected", {
        server: nc.getServer(),
        channels: this.#subs.size,
      });
    }
  }

  // One log line per state change; nats.js resubscribes by itself on reconnect.
  async #watch(status: AsyncIterable<Status>): Promise<void> {
    for await (const event of status) {
      if (event.type === "disconnect") {
        this.#setState(
          "disconnected",
          "warn",
          "NATS bus disconnected; serving local traffic only",
          {
            server: event.server,
          },
        );
      } else if (event.type === "reconnect") {
        this.#setState(
          "connected",
          "warn",
          "NATS bus reconnected; channel subscriptions restored",
          {
            server: event.server,
            channels: this.#subs.size,
          },
        );
      } else if (event.type === "error" || event.type === "ldm") {
        this.#logger.log(
          "warn",
          `NATS bus ${event.type === "ldm" ? "server lame duck" : "error"}`,
          {
            detail: "error" in event ? String(event.error) : event.server,
          },
        );
      }
    }
  }

  #subscribe(nc: NatsConnection, channel: string, subject: string): Subscription {
    const reader = new EnvelopeReader(this.#node, this.#options.maxFrameBytes);
    return nc.subscribe(subject, {
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

  #setState(
    state: BusState,
    level: "debug" | "info" | "warn" | "error",
    message: string,
    fields?: Record<string, unknown>,
  ): void {
    if (state === this.#state && state !== "disconnected") return;
    this.#state = state;
    this.#pendingBytes = 0;
    this.#warnedDrop = false;
    this.#logger.log(level, message, { bus: "nats", state, ...fields });
  }

  #drop(reason: string): void {
    this.stats.dropped++;
    if (this.#warnedDrop) return;
    this.#warnedDrop = true; // once per state, not per frame
    this.#logger.log("warn", "NATS bus dropped frames for other nodes", { reason });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }
}
