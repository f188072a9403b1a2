/**
 * The Deno adapter: `Deno.serve` with the fetch handler on `Deno.upgradeWebSocket`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serveDeno } from "@lhttp/lhttp/deno";
 * const running = serveDeno(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
 * assert.ok(running.port > 0);
 * await running.shutdown();
 * ```
 *
 * @module
 */

import { serveStatic } from "hono/deno";
import { createApp, isWebSocketUpgrade } from "../http/routes.ts";
import { HttpPublish } from "../http/publish.ts";
import { isPublishUrl } from "../http/_publish_route.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";
import { upgradeRequest, type UpgradeWebSocket } from "./fetch.ts";
import { type RunningServer, type ServeOptions, stopOnce } from "./serve_options.ts";

const denoUpgrade: UpgradeWebSocket = (request, options) =>
  Deno.upgradeWebSocket(request, {
    protocol: options.protocol,
    idleTimeout: options.idleTimeout ?? 120,
  });

/**
 * Upgrades a request on Deno, for use in your own `Deno.serve` handler.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { upgradeDeno } from "@lhttp/lhttp/deno";
 * const server = new LhttpServer({ allowedOrigins: [] });
 * const request = new Request("http://h/", { headers: { origin: "http://evil.example" } });
 * assert.equal((await upgradeDeno(server, request)).status, 403);
 * ```
 */
export function upgradeDeno(
  server: LhttpServer,
  request: Request,
  options: { idleTimeout?: number } = {},
): Promise<Response> {
  return upgradeRequest(server, request, denoUpgrade, options.idleTimeout);
}

/** Serves `server` with `Deno.serve`: WebSocket upgrades, the HTTP routes, static files. */
export function serveDeno(server: LhttpServer, options: ServeOptions = {}): RunningServer {
  server.attach({ runtime: "deno" });
  const app = createApp(server, (request) => upgradeDeno(server, request, options), options);
  if (options.static) app.use("/*", serveStatic({ root: options.static }));
  // Streamed bodies: Deno.serve's chunks are views into large buffers (RoutesOptions.bodies).
  const publish = new HttpPublish(server);
  const httpServer = Deno.serve({
    port: options.port ?? 8081,
    hostname: options.hostname ?? "0.0.0.0",
    onListen: (address) => options.onListen?.(address),
  }, (request, info) =>
    // POST /publish skips Hono (no context, no routing); upgrades stay first.
    request.method === "POST" && isPublishUrl(request.url) && !isWebSocketUpgrade(request)
      ? publish.handle(request, (info.remoteAddr as Deno.NetAddr).hostname)
      : app.fetch(request, info));
  const address = httpServer.addr as Deno.NetAddr;
  return {
    port: address.port,
    hostname: address.hostname,
    finished: httpServer.finished,
    shutdown: stopOnce(async () => {
      await server.shutdown();
      await httpServer.shutdown();
    }),
  };
}
