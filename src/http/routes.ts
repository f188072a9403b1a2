/**
 * lhttp's HTTP routes as a Hono app: `POST /publish`, `GET /healthz`, `GET /metrics`. Mount them
 * into your own Hono application or let an adapter serve them.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { lhttpRoutes } from "@lhttp/lhttp/hono";
 * const server = new LhttpServer();
 * const app = new Hono().route("/", lhttpRoutes(server));
 * const response = await app.request("/healthz");
 * console.assert(response.status === 200);
 * ```
 *
 * @module
 */

import { Hono } from "hono";
import type { LhttpServer } from "../server/lhttp_server.ts";
import { isWebSocketUpgrade } from "../adapters/serve_options.ts";

/**
 * The HTTP routes of a server, as a Hono app.
 *
 * @example
 * ```ts
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { lhttpRoutes } from "@lhttp/lhttp/hono";
 * const app = lhttpRoutes(new LhttpServer());
 * const response = await app.request("/publish", { method: "POST", body: "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi" });
 * console.assert(response.status === 200);
 * ```
 */
export function lhttpRoutes(server: LhttpServer): Hono {
  const app = new Hono();
  app.post("/publish", (c) => server.handlePublish(c.req.raw));
  app.get("/healthz", (c) => c.json(server.health()));
  app.get(
    "/metrics",
    (c) => c.text(server.renderMetrics(), 200, { "content-type": "text/plain; version=0.0.4" }),
  );
  return app;
}

/**
 * The app adapters serve: WebSocket upgrades (through `upgrade`, on any path or
 * only on `path`), then the lhttp routes. Adapters add static files after it.
 *
 * @example
 * ```ts
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { createApp } from "@lhttp/lhttp/hono";
 * const app = createApp(new LhttpServer(), () => new Response(null, { status: 101 }));
 * console.assert((await app.request("/healthz")).status === 200);
 * ```
 */
export function createApp(
  server: LhttpServer,
  upgrade: (request: Request) => Response | Promise<Response>,
  options: { path?: string } = {},
): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    if (isWebSocketUpgrade(c.req.raw, options.path)) return await upgrade(c.req.raw);
    return next();
  });
  app.route("/", lhttpRoutes(server));
  return app;
}
