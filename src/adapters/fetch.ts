/**
 * A Web-standard fetch handler for any runtime that upgrades WebSockets from
 * one: `export default lhttpFetch(server, { upgradeWebSocket })`. The Deno
 * adapter is this handler on `Deno.upgradeWebSocket`.
 *
 * @module
 */

import { createApp, type RoutesOptions } from "../http/routes.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";
import { bridgeWebSocket, chosenProtocol } from "./web_socket_bridge.ts";

export { bridgeWebSocket, chosenProtocol, SUBPROTOCOL } from "./web_socket_bridge.ts";

/** How the runtime turns an upgrade request into a socket and its 101 response. */
export type UpgradeWebSocket = (
  request: Request,
  options: { protocol?: string; idleTimeout?: number },
) => { socket: WebSocket; response: Response };

/** Options of {@linkcode lhttpFetch}. */
export interface FetchOptions extends RoutesOptions {
  /** The runtime's upgrade (for example `Deno.upgradeWebSocket`). */
  upgradeWebSocket: UpgradeWebSocket;
  /** Only upgrades to this path; any path by default. */
  path?: string;
  /** Seconds of silence before the runtime closes a peer, where it supports that. */
  idleTimeout?: number;
}

/** A fetch handler: `{ fetch(request, env?) }`. */
export interface FetchHandler {
  /** Answers one request: an upgrade, or an lhttp HTTP route. */
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

/**
 * Upgrades one request through `upgradeWebSocket`, after `server.accept`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { upgradeRequest } from "@lhttp/lhttp/fetch";
 * const server = new LhttpServer({ allowedOrigins: [] });
 * const request = new Request("http://h/", { headers: { origin: "http://evil.example" } });
 * const response = await upgradeRequest(server, request, () => {
 *   throw new Error("not reached");
 * });
 * assert.equal(response.status, 403);
 * ```
 */
export async function upgradeRequest(
  server: LhttpServer,
  request: Request,
  upgradeWebSocket: UpgradeWebSocket,
  idleTimeout?: number,
): Promise<Response> {
  const decision = await server.accept(request);
  if (decision instanceof Response) return decision;
  const { socket, response } = upgradeWebSocket(request, {
    protocol: chosenProtocol(request),
    idleTimeout,
  });
  bridgeWebSocket(server, socket, decision);
  return response;
}

/**
 * The server as a fetch handler.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { lhttpFetch } from "@lhttp/lhttp/fetch";
 * const handler = lhttpFetch(new LhttpServer(), { upgradeWebSocket: Deno.upgradeWebSocket });
 * const response = await handler.fetch(new Request("http://localhost/healthz"));
 * assert.equal((await response.json()).status, "ok");
 * ```
 */
export function lhttpFetch(server: LhttpServer, options: FetchOptions): FetchHandler {
  const app = createApp(
    server,
    (request) => upgradeRequest(server, request, options.upgradeWebSocket, options.idleTimeout),
    options,
  );
  return { fetch: (request, env) => app.fetch(request, env) };
}
