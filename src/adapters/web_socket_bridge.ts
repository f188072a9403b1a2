/**
 * Connects a Web-standard `WebSocket` (Deno's, or any runtime's that upgrades
 * from a fetch handler) to an {@linkcode LhttpServer}: translation only.
 *
 * @module
 */

import type { Connection, Peer } from "../connection/connection.ts";
import type { LhttpServer, UpgradeDecision } from "../server/lhttp_server.ts";

/** The subprotocol lhttp answers with when a client offers it. */
export const SUBPROTOCOL = "lhttp";

/** `"lhttp"` when the request offers that subprotocol, so that it can be echoed. */
export function chosenProtocol(request: Request): string | undefined {
  const offered = request.headers.get("sec-websocket-protocol");
  if (!offered) return undefined;
  return offered.split(",").some((name) => name.trim() === SUBPROTOCOL) ? SUBPROTOCOL : undefined;
}

/**
 * Feeds a server-side `socket` into `server`, with the decision `accept` made.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { bridgeWebSocket } from "@lhttp/lhttp/fetch";
 * const server = new LhttpServer();
 * const socket = new EventTarget() as unknown as WebSocket;
 * bridgeWebSocket(server, socket, { data: "ann" });
 * socket.dispatchEvent(new Event("open"));
 * assert.equal(server.connections.size, 1);
 * socket.dispatchEvent(new Event("close"));
 * assert.equal(server.connections.size, 0);
 * ```
 */
export function bridgeWebSocket(
  server: LhttpServer,
  socket: WebSocket,
  decision: Exclude<UpgradeDecision, Response>,
): void {
  socket.binaryType = "arraybuffer";
  let connection: Connection | undefined;
  const peer: Peer = {
    send: (data) => socket.send(data as string),
    close: (code, reason) => socket.close(code, reason),
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
  };
  socket.addEventListener("open", () => {
    connection = server.open(peer, decision.data, decision.refusal);
  });
  socket.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (connection) {
      server.receive(connection, typeof data === "string" ? data : new Uint8Array(data));
    }
  });
  socket.addEventListener("close", () => connection && server.release(connection));
  socket.addEventListener("error", () => {});
}
