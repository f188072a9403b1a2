/**
 * `GET /presence/:channel`: a channel's presence over HTTP, token-protected
 * like `POST /publish` (a Bearer token when the server has a publish token;
 * loopback callers only without one, unless `publishOpen`).
 *
 * @module
 */

import { Hono } from "hono";
import type { Context as HonoContext } from "hono";
import { LhttpError } from "../codec/errors.ts";
import type { PresencePage } from "../presence/presence.ts";
import type { ServerSettings } from "../server/settings.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import { checkPublishCaller } from "./_publish_caller.ts";

/** What the route needs from the server. */
export interface PresenceSource {
  /** The token settings. */
  readonly settings: ServerSettings;
  /** Error counters. */
  readonly metrics: Metrics;
  /** A page of presence. */
  presence(channel: string, page?: { cursor?: string; limit?: number }): PresencePage;
}

/**
 * Answers one presence request: `?cursor=` and `?limit=` page the members
 * (`limit=0` for the counts only). Errors are JSON `{ status, code, reason }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "../server/lhttp_server.ts";
 * import { presenceResponse } from "./presence_route.ts";
 * const server = new LhttpServer({ presence: { prefixes: ["chat."] }, publishToken: "t" });
 * const request = (url: string, token = "t") =>
 *   new Request(url, { headers: { authorization: `Bearer ${token}` } });
 * const ok = presenceResponse(server, "chat.a", request("http://x/presence/chat.a?limit=0"));
 * assert.deepEqual(await ok.json(), { status: 200, channel: "chat.a", clients: 0, users: 0, members: [], next: null });
 * assert.equal(presenceResponse(server, "chat.a", request("http://x/presence/chat.a", "no")).status, 403);
 * assert.equal(presenceResponse(server, "news", request("http://x/presence/news")).status, 404);
 * ```
 */
export function presenceResponse(
  server: PresenceSource,
  channel: string,
  request: Request,
  remoteAddress?: string,
): Response {
  try {
    checkCaller(server.settings, request, remoteAddress);
    const query = new URL(request.url).searchParams;
    const limit = query.get("limit");
    const page = server.presence(channel, {
      cursor: query.get("cursor") ?? undefined,
      limit: limit === null ? undefined : limit === "0" ? 0 : Number(limit) || -1,
    });
    return Response.json({ status: 200, ...page });
  } catch (error) {
    const known = error instanceof LhttpError
      ? error
      : new LhttpError("internal", "The server failed to read the presence");
    server.metrics.count(server.metrics.errors, known.code);
    return Response.json({ status: known.status, code: known.code, reason: known.message }, {
      status: known.status,
      headers: known.status === 401 ? { "www-authenticate": 'Bearer realm="lhttp"' } : {},
    });
  }
}

function checkCaller(settings: ServerSettings, request: Request, remoteAddress?: string): void {
  checkPublishCaller(
    settings,
    request.headers.get("authorization"),
    remoteAddress,
    "GET /presence",
  );
}

/**
 * The route as a Hono app, to mount at `/presence`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { LhttpServer } from "../server/lhttp_server.ts";
 * import { presenceRoutes } from "./presence_route.ts";
 * const server = new LhttpServer({ presence: { prefixes: ["chat."] }, publishOpen: true });
 * const app = new Hono().route("/presence", presenceRoutes(server, () => undefined));
 * const answer = await (await app.request("/presence/chat.a?cursor=forged")).json();
 * assert.equal(answer.code, "bad_cursor");
 * ```
 */
export function presenceRoutes(
  server: PresenceSource,
  address: (c: HonoContext) => string | undefined,
): Hono {
  return new Hono().get(
    "/:channel{.+}",
    (c) => presenceResponse(server, c.req.param("channel"), c.req.raw, address(c)),
  );
}
