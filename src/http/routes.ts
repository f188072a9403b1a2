/**
 * lhttp's HTTP routes as a Hono app: `POST /publish`, `GET /healthz` and
 * `GET /metrics`, and the app that adapters serve (upgrades first, then routes).
 *
 * @module
 */

import { Hono } from "hono";
import type { Context as HonoContext } from "hono";
import type { LhttpServer } from "../server/lhttp_server.ts";
import { renderMetrics } from "../telemetry/metrics.ts";
import { HttpPublish } from "./publish.ts";
import { presenceRoutes } from "./presence_route.ts";
import { Health } from "./health.ts";
import { adminRoutes } from "./admin/admin_routes.ts";
import { sseRoutes } from "./sse_routes.ts";
export { natsSseRelay, type SseRelay, useSseRelay } from "./sse_relay.ts";

/** Options of {@linkcode lhttpRoutes}. */
export interface RoutesOptions {
  /** The caller's IP; read from the runtime's connection info when absent. */
  remoteAddress?: (c: HonoContext) => string | undefined;
  /**
   * How `POST /publish` reads a body with a declared length: `"stream"`
   * (default) through a bounded reader that copies each chunk, safe on every
   * runtime; `"buffered"` with `request.arrayBuffer()`, for runtimes that
   * read a declared length into one buffer themselves (Bun), about twice as
   * fast there. Never `"buffered"` where chunks are views into large buffers
   * (`Deno.serve`), or a trickled body pins one per byte.
   */
  bodies?: "stream" | "buffered";
}

/** True for a WebSocket upgrade request (to `path`, when given). */
export function isWebSocketUpgrade(request: Request, path?: string): boolean {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return false;
  return path === undefined || new URL(request.url).pathname === path;
}

/**
 * The routes, to mount in any Hono app.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { lhttpRoutes } from "@lhttp/lhttp/hono";
 * const app = lhttpRoutes(new LhttpServer());
 * const health = await (await app.request("/healthz")).json();
 * assert.equal(health.status, "ok");
 * assert.equal(health.subscriptions, 0);
 * ```
 */
export function lhttpRoutes(server: LhttpServer, options: RoutesOptions = {}): Hono {
  const publish = new HttpPublish(server, { bodies: options.bodies });
  const address = options.remoteAddress ?? remoteAddressOf;
  const app = new Hono();
  app.post("/publish", (c) => publish.handle(c.req.raw, address(c)));
  app.route("/presence", presenceRoutes(server, address));
  app.route("/sse", sseRoutes(server));
  app.route("/admin", adminRoutes(server, address));
  const health = new Health(server);
  app.get("/healthz", () => health.respond());
  app.get(
    "/metrics",
    (c) =>
      c.text(renderMetrics(server.metrics, health.check(), server.hub.bus?.stats), 200, {
        "content-type": "text/plain; version=0.0.4",
      }),
  );
  return app;
}

/** The app an adapter serves: WebSocket upgrades go to `upgrade`, the rest to the routes. */
export function createApp(
  server: LhttpServer,
  upgrade: (request: Request, c: HonoContext) => Response | Promise<Response>,
  options: { path?: string } & RoutesOptions = {},
): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    if (isWebSocketUpgrade(c.req.raw, options.path)) return await upgrade(c.req.raw, c);
    return next();
  });
  app.route("/", lhttpRoutes(server, options));
  return app;
}

// Deno passes ServeHandlerInfo, Bun its server, @hono/node-server the Node request.
function remoteAddressOf(c: HonoContext): string | undefined {
  const env = c.env as {
    remoteAddr?: { hostname?: string };
    requestIP?: (request: Request) => { address: string } | null;
    incoming?: { socket?: { remoteAddress?: string } };
  } | undefined;
  try {
    return env?.remoteAddr?.hostname ?? env?.requestIP?.(c.req.raw)?.address ??
      env?.incoming?.socket?.remoteAddress;
  } catch {
    return undefined;
  }
}
