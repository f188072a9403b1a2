/**
 * The SSE relay of `lhttp serve --nats`: POSTs for an SSE session that reach
 * another node travel to the node holding the stream over NATS, so a cluster
 * behind a plain load balancer needs no sticky sessions (PROTOCOL.md, SSE).
 *
 * The relay gets its own NATS link rather than borrowing the bus's
 * connection: the bus may start before NATS is reachable and replaces its
 * connection when one closes for good, and the relay's one subscription has
 * to follow it there.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import { type NatsRequester, natsSseRelay, type SseRelay } from "../http/sse_relay.ts";
import { parseServers } from "../nats/connect.ts";
import { webSocketFor } from "../nats/cli_bus.ts";
import { NatsLink } from "../nats/link.ts";
import type { Logger } from "../telemetry/log.ts";

/** A relay and the link it runs on. */
export interface CliSseRelay {
  /** The relay to hand to `useSseRelay`. */
  readonly relay: SseRelay;
  /** Closes the relay's NATS connection. */
  close(): Promise<void>;
}

type Callback = Parameters<NatsRequester["subscribe"]>[1]["callback"];

/**
 * A NATS requester over whatever connection `link` holds now: requests fail
 * while there is none (the relaying node answers as for an unknown session),
 * and subscriptions are made again on every new connection.
 */
export class LinkedRequester implements NatsRequester {
  #connection?: NatsConnection;
  readonly #subscriptions = new Map<
    string,
    { callback: Callback; live?: { unsubscribe(): void } }
  >();

  /** Called by the link when a connection is ready. */
  attach(nc: NatsConnection): void {
    this.#connection = nc;
    for (const [subject, entry] of this.#subscriptions) {
      entry.live = nc.subscribe(subject, { callback: entry.callback as never });
    }
  }

  /** Called by the link when the connection is gone for good. */
  detach(): void {
    this.#connection = undefined;
    for (const entry of this.#subscriptions.values()) entry.live = undefined;
  }

  request(subject: string, payload: Uint8Array, options: { timeout: number }) {
    const nc = this.#connection;
    if (!nc) return Promise.reject(new Error("NATS is not connected"));
    return nc.request(subject, payload, options);
  }

  subscribe(subject: string, options: { callback: Callback }) {
    const entry: { callback: Callback; live?: { unsubscribe(): void } } = {
      callback: options.callback,
    };
    this.#subscriptions.set(subject, entry);
    if (this.#connection) {
      entry.live = this.#connection.subscribe(subject, { callback: options.callback as never });
    }
    return {
      unsubscribe: () => {
        this.#subscriptions.delete(subject);
        entry.live?.unsubscribe();
      },
    };
  }
}

/**
 * Builds the relay for `--nats` servers with subjects under `prefix`; it
 * connects in the background and keeps retrying, like the bus.
 */
export async function createCliSseRelay(
  options: { servers: string; prefix?: string; logger: Logger },
): Promise<CliSseRelay> {
  const servers = parseServers(options.servers);
  const webSocket = await webSocketFor(servers);
  const requester = new LinkedRequester();
  // The bus logs NATS's state; the relay's link stays quiet unless asked to debug.
  const quiet: Logger = {
    log: (level, message, fields) => {
      if (level === "debug") options.logger.log(level, `SSE relay: ${message}`, fields);
    },
    enabled: (level) => level === "debug" && options.logger.enabled(level),
  };
  const link = new NatsLink({ servers, webSocket }, quiet, {
    attach: (nc) => requester.attach(nc),
    detach: () => requester.detach(),
    changed: () => {},
  });
  link.start();
  return { relay: natsSseRelay(requester, { prefix: options.prefix }), close: () => link.close() };
}
