/**
 * Opening a NATS connection from server URLs: `nats://` (and `tls://`) over
 * TCP with `@nats-io/transport-node`, `ws://` / `wss://` with `wsconnect`.
 *
 * @module
 */

import type { ConnectionOptions, NatsConnection } from "@nats-io/nats-core";
import { wsconnect } from "@nats-io/nats-core";

/** A W3C WebSocket constructor, such as the one exported by the `ws` package. */
export type WebSocketConstructor = new (url: string) => WebSocket;

/** Options of {@linkcode connectNats}. */
export interface ConnectNatsOptions {
  /** NATS server URLs, as a list or comma-separated. All TCP or all WebSocket. */
  servers: string | readonly string[];
  /** WebSocket to use for `ws://` URLs where the runtime has none (Node 20: `ws`). */
  webSocket?: WebSocketConstructor;
  /** Further NATS options (credentials, TLS, name...); they win over lhttp's. */
  connectOptions?: Partial<ConnectionOptions>;
}

/**
 * Splits a server list given as one comma-separated string or a list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseServers } from "@lhttp/lhttp/nats";
 * assert.equal(parseServers("nats://a:4222, nats://b:4222").length, 2);
 * ```
 */
export function parseServers(servers: string | readonly string[]): string[] {
  const list = typeof servers === "string" ? servers.split(",") : servers;
  const result = list.map((server) => server.trim()).filter(Boolean);
  if (result.length === 0) throw new TypeError("No NATS server URL given");
  return result;
}

/**
 * True when the servers are WebSocket URLs; throws a `TypeError` when TCP and
 * WebSocket URLs are mixed (one connection uses one transport).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isWebSocketServers } from "@lhttp/lhttp/nats";
 * assert.ok(isWebSocketServers(["ws://127.0.0.1:8080"]));
 * assert.ok(!isWebSocketServers(["nats://127.0.0.1:4222", "127.0.0.1:4223"]));
 * ```
 */
export function isWebSocketServers(servers: readonly string[]): boolean {
  const ws = servers.filter((server) => /^wss?:\/\//i.test(server)).length;
  if (ws !== 0 && ws !== servers.length) {
    throw new TypeError("NATS servers must be all nats:// (TCP) or all ws:// / wss://");
  }
  return ws !== 0;
}

/**
 * Connects to NATS with the options an lhttp bus needs: no echo of its own
 * messages, and reconnecting forever once connected.
 *
 * @example
 * ```ts ignore
 * import { connectNats } from "@lhttp/lhttp/nats";
 * const nc = await connectNats({ servers: "nats://127.0.0.1:4222" });
 * await nc.close();
 * ```
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const servers = parseServers(options.servers);
  const settings: ConnectionOptions = {
    servers,
    name: "lhttp",
    // The bus also recognises its own frames by node id; noEcho saves the traffic.
    noEcho: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    timeout: 5_000,
    ...options.connectOptions,
  };
  if (isWebSocketServers(servers)) {
    const Socket = options.webSocket;
    return await wsconnect(
      Socket
        ? {
          ...settings,
          wsFactory: (url: string) =>
            Promise.resolve({ socket: new Socket(url), encrypted: url.startsWith("wss://") }),
        }
        : settings,
    );
  }
  // Loaded only for TCP, so WebSocket-only runtimes never import node:net.
  const { connect } = await import("@nats-io/transport-node");
  return await connect(settings);
}
