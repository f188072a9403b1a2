/**
 * `/admin`: the admin page and its API (`/admin/api/...`), behind the admin
 * token; every route answers 404 unless `admin.token` is configured.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context as HonoContext } from "hono";
import { LhttpError } from "../../codec/errors.ts";
import { parseChannels } from "../../codec/channels.ts";
import type { LhttpServer } from "../../server/lhttp_server.ts";
import { AdminAuth, type AuthRefusal, SESSION_COOKIE } from "./auth.ts";
import { ClusterView } from "./cluster_view.ts";
import { AdminError, NodeOps } from "./node_ops.ts";
import { ADMIN_PAGE } from "./page.ts";
import { readLimited } from "../../router/_read_body.ts";
import { MAX_TRACES, openTraces, traceResponse } from "./trace.ts";

const MAX_BODY = 256 * 1024;

/**
 * The `/admin` routes of `server` (mount at `/admin`); `address` names the caller.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { adminRoutes } from "./admin_routes.ts";
 * const server = new LhttpServer({ admin: { token: "t0ken" } });
 * const app = new Hono().route("/admin", adminRoutes(server, () => "10.0.0.9"));
 * assert.equal((await app.request("/admin/api/nodes")).status, 401);
 * const ok = await app.request("/admin/api/nodes", { headers: { authorization: "Bearer t0ken" } });
 * assert.equal((await ok.json()).nodes.length, 1);
 * const off = new Hono().route("/admin", adminRoutes(new LhttpServer(), () => undefined));
 * assert.equal((await off.request("/admin")).status, 404);
 * ```
 */
export function adminRoutes(
  server: LhttpServer,
  address: (c: HonoContext) => string | undefined,
): Hono {
  const app = new Hono();
  const options = server.options.admin;
  if (!options?.token) return app.all("*", (c) => c.notFound());
  const auth = new AdminAuth(options.token);
  const node = options.node ?? `node-${crypto.randomUUID().slice(0, 8)}`;
  const ops = new NodeOps(server, node, options.version ?? "unknown");
  const view = new ClusterView(ops, options.cluster, options.clusterTimeoutMs ?? 1500);
  const traceRate = options.traceRate ?? 20;

  app.get("/", (c) =>
    c.html(ADMIN_PAGE, 200, {
      "cache-control": "no-store",
      "content-security-policy":
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      "x-frame-options": "DENY",
    }));
  app.post("/api/login", async (c) => {
    const body = await jsonBody(c.req.raw);
    const result = auth.login((body as { token?: unknown }).token, address(c));
    if (result.status !== 200) return refusal(result);
    const secure = new URL(c.req.url).protocol === "https:" ? "; Secure" : "";
    return c.json({ status: 200, node }, 200, {
      "set-cookie":
        `${SESSION_COOKIE}=${result.session}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=${result.maxAgeS}${secure}`,
    });
  });
  app.post("/api/logout", (c) => {
    auth.logout(c.req.header("cookie"));
    return c.json({ status: 200 }, 200, {
      "set-cookie": `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0`,
    });
  });
  app.use("/api/*", async (c, next) => {
    const authorization = c.req.header("authorization");
    if (auth.allows(authorization, c.req.header("cookie"))) return await next();
    return refusal(auth.refuse(address(c), authorization !== undefined));
  });
  app.get("/api/nodes", async (c) => c.json({ node, nodes: await view.nodes() }));
  app.get("/api/channels", async (c) => c.json(await view.channels()));
  app.get("/api/channels/:channel/presence", async (c) => {
    const channel = c.req.param("channel");
    parseChannels(channel, { ...server.limits, maxChannelsPerFrame: 1 });
    return c.json(await view.presence(channel));
  });
  app.get(
    "/api/nodes/:node/connections",
    async (c) => c.json(await view.connections(c.req.param("node"))),
  );
  app.post("/api/disconnect", async (c) => {
    const body = await jsonBody(c.req.raw) as { node?: unknown; connection?: unknown };
    const target = typeof body.node === "string" ? body.node : node;
    return c.json(await view.disconnect(target, body.connection));
  });
  app.post("/api/publish", async (c) => {
    const body = await jsonBody(c.req.raw) as {
      channel?: unknown;
      body?: unknown;
      command?: unknown;
    };
    if (typeof body.channel !== "string") {
      throw new AdminError(
        "bad_request",
        `"channel" must be a string, got ${JSON.stringify(body.channel)}`,
      );
    }
    if (typeof body.body !== "string") {
      throw new AdminError(
        "bad_request",
        `"body" must be a string, got ${JSON.stringify(body.body)}`,
      );
    }
    const command = body.command ?? "message";
    if (typeof command !== "string" || !/^[A-Za-z0-9_.:-]{1,64}$/.test(command)) {
      throw new AdminError(
        "bad_request",
        `"command" must be a word of up to 64 letters, digits, _ . : -, got ${
          JSON.stringify(command)
        }`,
      );
    }
    const channels = parseChannels(body.channel, server.limits);
    if (channels.length === 0) throw new AdminError("bad_request", `"channel" names no channel`);
    const delivered = server.publish(channels, {
      command,
      headers: { admin: "true" },
      body: body.body,
    });
    return c.json({ status: 200, channels, delivered });
  });
  app.get("/api/trace", (c) => {
    const channel = c.req.query("channel") ?? "";
    parseChannels(channel, { ...server.limits, maxChannelsPerFrame: 1 });
    if (channel.trim() === "") throw new AdminError("bad_request", `"channel" names no channel`);
    if (openTraces() >= MAX_TRACES) {
      throw new AdminError("too_many_traces", `At most ${MAX_TRACES} traces are open at once`, 429);
    }
    return traceResponse(server, channel.trim(), traceRate);
  });
  app.all("/api/*", () => {
    throw new AdminError("not_found", "No such admin API route", 404);
  });
  app.onError((error) => {
    if (error instanceof AdminError || error instanceof LhttpError) {
      const status = error instanceof AdminError ? error.status : error.status;
      return Response.json({ status, code: error.code, reason: error.message }, { status });
    }
    server.logger.log("error", "admin API failed", { error: String(error) });
    return Response.json({ status: 500, code: "internal", reason: "The admin API failed" }, {
      status: 500,
    });
  });
  return app;
}

function refusal(refused: AuthRefusal): Response {
  const headers: Record<string, string> = refused.retryAfterS
    ? { "retry-after": String(refused.retryAfterS) }
    : {};
  return Response.json({ status: refused.status, code: refused.code, reason: refused.reason }, {
    status: refused.status,
    headers,
  });
}

async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
    throw new AdminError(
      "bad_request",
      "The body must be JSON (Content-Type: application/json)",
      415,
    );
  }
  const tooLarge = () => new AdminError("bad_request", `The body is over ${MAX_BODY} bytes`, 413);
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY) throw tooLarge();
  const text = new TextDecoder().decode(
    await readLimited(request.body, MAX_BODY, tooLarge, AbortSignal.timeout(10_000)),
  );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new AdminError("bad_request", `The body is not JSON: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AdminError("bad_request", `The body must be a JSON object, got ${text.slice(0, 40)}`);
  }
  return body as Record<string, unknown>;
}
