/**
 * The SSE fallback's routes (PROTOCOL.md section 15), as a Hono app to mount
 * at `/sse`: `GET /` opens a session stream (optionally subscribed to
 * `channel` query values), `POST /<session>` sends it one frame.
 *
 * @module
 */

import { Hono } from "hono";
import { LhttpError } from "../codec/errors.ts";
import { isOriginAllowed } from "../server/_origin.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";
import type { SsePeerOptions } from "./sse_peer.ts";
import { SsePost } from "./sse_post.ts";
import { SseError, SseSessions } from "./sse_session.ts";

/**
 * The SSE routes of `server`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { sseRoutes } from "./sse_routes.ts";
 * const app = sseRoutes(new LhttpServer(), { heartbeatMs: 0 });
 * const refused = await app.request("/?channel=bad%20name!", {});
 * assert.equal(refused.status, 400);
 * assert.equal((await refused.json()).code, "bad_channel");
 * ```
 */
export function sseRoutes(server: LhttpServer, options: SsePeerOptions = {}): Hono {
  const sessions = new SseSessions(server, options);
  const post = new SsePost(sessions);
  const app = new Hono();
  app.get("/", (c) => answer(c.req.raw, server, (cors) => sessions.open(c.req.raw, cors)));
  app.post(
    "/:session",
    (c) => answer(c.req.raw, server, () => post.handle(c.req.raw, c.req.param("session"))),
  );
  app.options("/:session", (c) =>
    answer(c.req.raw, server, (cors) =>
      Promise.resolve(
        new Response(null, {
          status: 204,
          headers: {
            ...cors,
            "access-control-allow-methods": "POST",
            "access-control-allow-headers": "authorization, content-type",
            "access-control-max-age": "600",
          },
        }),
      )));
  return app;
}

// Errors become JSON `{ status, code, reason }`; an allowed cross-origin caller gets CORS headers.
async function answer(
  request: Request,
  server: LhttpServer,
  run: (cors: Record<string, string>) => Promise<Response>,
): Promise<Response> {
  const origin = request.headers.get("origin");
  const cors: Record<string, string> = {};
  if (origin !== null && isOriginAllowed(origin, request, server.settings.allowedOrigins)) {
    cors["access-control-allow-origin"] = origin;
    cors["vary"] = "origin";
  }
  try {
    const response = await run(cors);
    for (const [name, value] of Object.entries(cors)) {
      if (!response.headers.has(name)) {
        try {
          response.headers.set(name, value);
        } catch {
          // Immutable headers (a refusal from authenticate): leave them.
        }
      }
    }
    return response;
  } catch (error) {
    const known = error instanceof SseError || error instanceof LhttpError
      ? error
      : new SseError(500, "internal", "The SSE request failed");
    if (!(known instanceof SseError || known instanceof LhttpError)) throw error;
    server.metrics.count(server.metrics.errors, known.code);
    const status = known.status;
    const headers: Record<string, string> = { ...cors };
    if (status === 408 || status === 503) headers.connection = "close";
    return Response.json({ status, code: known.code, reason: known.message }, { status, headers });
  }
}
