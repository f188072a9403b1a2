/**
 * The Deno adapter: `Deno.serve` and `Deno.upgradeWebSocket`.
 *
 * @example
 * ```ts
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serveDeno } from "@lhttp/lhttp/deno";
 * const running = serveDeno(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
 * await running.shutdown();
 * ```
 *
 * @module
 */

import { serveStatic } from "hono/deno";
import type { Connection } from "../connection/connection.ts";
import { createApp } from "../http/routes.ts";
import type { RunningServer, ServeOptions } from "./serve_options.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";

/**
 * Upgrades one request to an lhttp WebSocket; use it to mount lhttp in your
 * own `Deno.serve` handler or Hono route.
 *
 * @example
 * ```ts
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { upgradeDeno } from "@lhttp/lhttp/deno";
 * const server = new LhttpServer();
 * const handler = (request: Request) => upgradeDeno(server, request);
 * console.assert(typeof handler === "function");
 * ```
 */
export async function upgradeDeno(
  server: LhttpServer,
  request: Request,
  options: { idleTimeout?: number } = {},
): Promise<Response> {
  const decision = await server.accept(request);
  if (decision instanceof Response) return decision;
  const { socket, response } = Deno.upgradeWebSocket(request, {
    idleTimeout: options.idleTimeout ?? 120,
  });
  socket.binaryType = "arraybuffer";
  let connection: Connection | undefined;
  socket.onopen = () => {
    connection = server.open({
      send: (data) => socket.send(data),
      close: (code, reason) => socket.close(code, reason),
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
    }, decision.data);
  };
  socket.onmessage = (event) => {
    if (!connection) return;
    server.message(
      connection,
      typeof event.data === "string" ? event.data : new Uint8Array(event.data),
    );
  };
  socket.onclose = () => connection && server.close(connection);
  socket.onerror = () => {};
  return response;
}

/**
 * Serves an lhttp server with `Deno.serve`: WebSockets on any path, the HTTP
 * routes, and an optional static folder.
 *
 * @example
 * ```ts
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serveDeno } from "@lhttp/lhttp/deno";
 * const running = serveDeno(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
 * console.assert(running.port > 0);
 * await running.shutdown();
 * ```
 */
export function serveDeno(server: LhttpServer, options: ServeOptions = {}): RunningServer {
  const app = createApp(server, (request) => upgradeDeno(server, request, options), options);
  if (options.static) app.use("/*", serveStatic({ root: options.static }));
  const httpServer = Deno.serve({
    port: options.port ?? 8081,
    hostname: options.hostname ?? "0.0.0.0",
    onListen: (address) => options.onListen?.(address),
  }, app.fetch);
  const address = httpServer.addr as Deno.NetAddr;
  return {
    port: address.port,
    hostname: address.hostname,
    finished: httpServer.finished,
    async shutdown() {
      await server.shutdown();
      await httpServer.shutdown();
    },
  };
}
