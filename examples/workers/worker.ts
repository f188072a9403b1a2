// The chat demo on Cloudflare Workers: the same lhttp server as
// examples/chat/server.ts, hosted by a Durable Object (hibernation API), with
// the chat's page served from the ASSETS binding. Runs in local workerd with
// `deno task start:workers` (examples/workers/run.ts); deploy with Wrangler
// and examples/workers/wrangler.toml (bundle this file first, see README.md).

import { LhttpServer } from "@lhttp/lhttp";
import { lhttpDurableObject, lhttpWorker } from "@lhttp/lhttp/cloudflare";
import { uniqueNames } from "../chat/names.ts";

interface Env {
  /** Static files: the chat page (workerd disk service, or Workers assets). */
  ASSETS?: { fetch(request: Request): Promise<Response> };
  PUBLISH_TOKEN?: string;
  [binding: string]: unknown;
}

/**
 * The Durable Object. One object serves the whole chat (every request goes to
 * it), so it needs no bus; its history lives in the object's memory, and a
 * hibernated object starts it afresh.
 */
export const LhttpObject = lhttpDurableObject<Env>(({ env }) => {
  const server = new LhttpServer({
    publishToken: env.PUBLISH_TOKEN,
    history: [{ prefix: "chat.", size: 100, ttlMs: 3_600_000 }],
  });
  server.use(uniqueNames());
  return server;
});

const lhttp = lhttpWorker({ binding: "LHTTP" });
const ROUTES = new Set(["/publish", "/healthz", "/metrics"]);
// workerd's disk service sends no content types; module scripts need one.
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  map: "application/json",
};

async function asset(assets: NonNullable<Env["ASSETS"]>, request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/") url.pathname = "/index.html";
  const response = await assets.fetch(new Request(url, request));
  const type = TYPES[url.pathname.split(".").pop() ?? ""];
  if (!response.ok || !type) return response;
  const headers = new Headers(response.headers);
  headers.set("content-type", type);
  return new Response(response.body, { status: response.status, headers });
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const upgrade = request.headers.get("upgrade")?.toLowerCase() === "websocket";
    if (upgrade || ROUTES.has(url.pathname) || !env.ASSETS) return lhttp.fetch(request, env);
    return asset(env.ASSETS, request);
  },
};
