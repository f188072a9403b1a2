/**
 * {@linkcode NatsLink}: keeps a NATS connection alive for a bus and logs one
 * line per state change. It retries a NATS that was never reached (nats.js
 * only reconnects connections that succeeded once), and starts over if a
 * connection closes for good.
 *
 * @module
 */

import type { NatsConnection, Status } from "@nats-io/nats-core";
import type { BusState } from "../hub/bus.ts";
import type { Logger } from "../telemetry/log.ts";
import { connectNats, type ConnectNatsOptions } from "./connect.ts";

/** What a link tells its bus. */
export interface LinkEvents {
  /** A connection is ready: (re)create subscriptions on it. */
  attach(nc: NatsConnection): void;
  /** The connection is gone for good: forget its subscriptions. */
  detach(): void;
  /** The state changed. */
  changed(state: BusState): void;
}

type Level = "debug" | "info" | "warn" | "error";

/**
 * The connection half of a NATS bus.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createLogger } from "@lhttp/lhttp";
 * import { NatsLink } from "@lhttp/lhttp/nats";
 * const events = { attach() {}, detach() {}, changed() {} };
 * const link = new NatsLink({ servers: ["nats://127.0.0.1:4222"] }, createLogger("silent"), events);
 * assert.equal(link.state, "connecting");
 * await link.close();
 * ```
 */
export class NatsLink {
  #state: BusState = "connecting";
  #nc?: NatsConnection;
  #closing = false;
  #tasks: Promise<void>[] = [];
  #status?: { stop(): void };
  #timer?: ReturnType<typeof setTimeout>;
  #wake?: () => void;

  /** A link for `options.servers`; `maxRetryDelayMs` caps the wait between first attempts. */
  constructor(
    private readonly options: ConnectNatsOptions & { maxRetryDelayMs?: number },
    private readonly logger: Logger,
    private readonly events: LinkEvents,
  ) {}

  /** The bus state. */
  get state(): BusState {
    return this.#state;
  }
  /** The current connection, if any. */
  get connection(): NatsConnection | undefined {
    return this.#nc;
  }

  /** Connects in the background and keeps retrying. */
  start(): void {
    this.#tasks.push(this.#run());
  }

  /** Watches a connection someone else opened (and will close). */
  adopt(nc: NatsConnection): void {
    this.#state = "connected";
    this.#attach(nc);
  }

  /** Stops retrying and closes the connection it opened. */
  async close(owned = true): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#timer);
    this.#wake?.();
    if (owned) await this.#nc?.close().catch(() => {});
    else this.#status?.stop();
    await Promise.all(this.#tasks);
    this.#set("closed", "debug", "NATS bus closed");
  }

  async #run(): Promise<void> {
    const servers = this.options.servers;
    let failures = 0;
    while (!this.#closing) {
      let nc: NatsConnection;
      try {
        nc = await connectNats(this.options);
      } catch (error) {
        if (this.#closing) return;
        if (failures++ === 0) {
          this.#set(
            "disconnected",
            "warn",
            "NATS bus unavailable; serving local traffic only, retrying",
            {
              servers: String(servers),
              error: String(error),
            },
          );
        }
        await this.#sleep(Math.min(250 * 2 ** failures, this.options.maxRetryDelayMs ?? 5000));
        continue;
      }
      if (this.#closing) return void await nc.close().catch(() => {});
      failures = 0;
      this.#attach(nc);
      this.#set("connected", "info", "NATS bus connected", { server: nc.getServer() });
      const error = await nc.closed();
      this.#nc = undefined;
      if (this.#closing) return;
      this.events.detach();
      failures = 1; // this line already says NATS is unavailable
      this.#set("disconnected", "error", "NATS connection closed; retrying", {
        error: String(error),
      });
    }
  }

  #attach(nc: NatsConnection): void {
    this.#nc = nc;
    this.events.attach(nc);
    const status = nc.status();
    this.#status = status as unknown as { stop(): void };
    this.#tasks.push(this.#watch(status));
  }

  // nats.js reconnects (and resubscribes) by itself; this only reports it.
  async #watch(status: AsyncIterable<Status>): Promise<void> {
    for await (const event of status) {
      if (event.type === "disconnect") {
        this.#set("disconnected", "warn", "NATS bus disconnected; serving local traffic only", {
          server: event.server,
        });
      } else if (event.type === "reconnect") {
        this.#set("connected", "warn", "NATS bus reconnected; channel subscriptions restored", {
          server: event.server,
        });
      } else if (event.type === "error" || event.type === "ldm") {
        this.logger.log(
          "warn",
          event.type === "ldm" ? "NATS server in lame duck mode" : "NATS error",
          {
            detail: event.type === "ldm" ? event.server : String(event.error),
          },
        );
      }
    }
  }

  #set(state: BusState, level: Level, message: string, fields?: Record<string, unknown>): void {
    if (state === this.#state && state !== "disconnected") return;
    this.#state = state;
    this.events.changed(state);
    this.logger.log(level, message, { bus: "nats", state, ...fields });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }
}
