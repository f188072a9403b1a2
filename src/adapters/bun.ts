/**
 * The Bun adapter: `Bun.serve` with `fetch` and `websocket` handlers. Local
 * fan-out uses Bun's native topics (`ws.subscribe`, `server.publish`), so a
 * published frame is framed once and written by Bun's native code; the hub
 * still keeps the subscription bookkeeping.
 *
 * ```ts ignore
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serveBun } from "@lhttp/lhttp/bun";
 * const running = serveBun(new LhttpServer(), { port: 8081, static: "public" });
 * ```
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { createApp, isWebSocketUpgrade } from "../http/routes.ts";
import { HttpPublish } from "../http/publish.ts";
import { PUBLISH_PATH } from "../http/_publish_route.ts";
import { chosenProtocol } from "./web_socket_bridge.ts";
import type { RunningServer, ServeOptions } from "./serve_options.ts";
import type { LhttpServer, UpgradeDecision } from "../server/lhttp_server.ts";
import { admitAtOnce } from "../server/_admission.ts";
import { BunFanout } from "./_bun_fanout.ts";
import { BunPeer, type BunSocketData } from "./_bun_peer.ts";
import {
  bunGlobal,
  type BunMessage,
  type BunServer,
  type BunServerWebSocket,
  type BunWebSocketHandler,
} from "./_bun_types.ts";

/** The Bun types this module's API names, declared here rather than taken from bun-types. */
export type { BunMessage, BunServer, BunServerWebSocket, BunSocketData, BunWebSocketHandler };

/** An upgrade function and the `websocket` handler to give `Bun.serve`. */
export interface BunLhttp {
  /**
   * Upgrades `request` through `bunServer` (in Hono on Bun, `c.env`). Answers
   * a refusal, or an empty response that Bun ignores once upgraded.
   */
  upgrade(request: Request, bunServer: BunServer): Promise<Response>;
  /**
   * The same for `Bun.serve`'s own `fetch`: undefined once upgraded, as Bun
   * expects, or the refusal. Without an `authenticate` hook it answers at
   * once, not through a promise (Bun keeps more per socket upgraded later).
   */
  upgradeNow(
    request: Request,
    bunServer: BunServer,
  ): Response | undefined | Promise<Response | undefined>;
  /** Pass as `websocket` to `Bun.serve` (or export it beside `fetch`). */
  websocket: BunWebSocketHandler<BunSocketData>;
}

/**
 * Builds the Bun handlers of `server`, for mounting lhttp into your own
 * `Bun.serve` or Hono app. Installs Bun's native topics as the server's fan-out.
 *
 * ```ts ignore
 * import { Hono } from "hono";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { lhttpRoutes } from "@lhttp/lhttp/hono";
 * import { upgradeBun } from "@lhttp/lhttp/bun";
 * const server = new LhttpServer();
 * const lhttp = upgradeBun(server);
 * const app = new Hono();
 * app.get("/ws", (c) => lhttp.upgrade(c.req.raw, c.env));
 * app.route("/", lhttpRoutes(server));
 * export default { fetch: app.fetch, websocket: lhttp.websocket };
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { upgradeBun } from "@lhttp/lhttp/bun";
 * const lhttp = upgradeBun(new LhttpServer());
 * assert.equal(lhttp.websocket.maxPayloadLength, 1024 * 1024);
 * ```
 */
export function upgradeBun(
  server: LhttpServer,
  options: { idleTimeout?: number } = {},
): BunLhttp {
  const maxBuffered = server.options.maxBufferedBytes ?? 1024 * 1024;
  const compression = server.settings.compression;
  if (compression) {
    server.logger.log(
      "info",
      "Bun compresses each publication once per subscriber (see PROTOCOL.md section 18)",
    );
  }
  const closing = (server.options.slowConsumer ?? "close") === "close";
  const fanout = new BunFanout(server);
  server.attach({ runtime: "bun", fanout });
  const compressFrom = compression?.minBytes ?? Infinity;
  const upgradeAs = (request: Request, bunServer: BunServer, decision: UpgradeDecision) => {
    if (decision instanceof Response) return decision;
    fanout.native = bunServer;
    const data = new BunPeer(decision.data, decision.refusal, compressFrom);
    const protocol = chosenProtocol(request);
    const headers = protocol ? { "sec-websocket-protocol": protocol } : undefined;
    if (bunServer.upgrade(request, { data, headers })) return undefined;
    return new Response("Expected a WebSocket upgrade\n", { status: 400 });
  };
  const upgradeNow = (request: Request, bunServer: BunServer) => {
    const now = admitAtOnce(request, server.settings, server.logger);
    if (now) return upgradeAs(request, bunServer, now);
    return server.accept(request).then((decision) => upgradeAs(request, bunServer, decision));
  };
  return {
    async upgrade(request, bunServer) {
      return (await upgradeNow(request, bunServer)) ?? new Response(null);
    },
    upgradeNow,
    websocket: {
      maxPayloadLength: server.limits.maxFrameBytes,
      idleTimeout: options.idleTimeout ?? 120,
      // With "drop", Bun drops past the cap itself. With "close", Bun's limit sits a
      // frame above the cap: lhttp closes with 4008 first, and the close frame still
      // fits (uWS drops any frame, close frames included, past its limit).
      backpressureLimit: closing ? maxBuffered + server.limits.maxFrameBytes + 1024 : maxBuffered,
      // Bun would close abruptly (1006); lhttp closes with 4008 itself.
      closeOnBackpressureLimit: false,
      // permessage-deflate with Bun's shared (context-free) compressor, when on.
      perMessageDeflate: compression ? { compress: "shared", decompress: "shared" } : false,
      open(ws) {
        ws.binaryType = "uint8array";
        const peer = ws.data as BunPeer;
        peer.ws = ws;
        peer.connection = server.open(peer, peer.accepted, peer.refusal);
      },
      message(ws, message) {
        const connection = ws.data.connection;
        if (connection) server.receive(connection, message);
      },
      close(ws) {
        const connection = ws.data.connection;
        if (connection) server.release(connection);
      },
    },
  };
}

// The caller's IP as Bun tells it (as the Hono route reads it), if it can.
function requestAddress(bun: BunServer, request: Request): string | undefined {
  try {
    return (bun as BunServer & { requestIP?(request: Request): { address: string } | null })
      .requestIP?.(request)?.address;
  } catch {
    return undefined;
  }
}

// `hono/bun` reads the `Bun` global when it loads, so it is imported only once
// a static file is asked for: this module stays importable on Deno and Node.
function lazyStatic(root: string): MiddlewareHandler {
  let handler: MiddlewareHandler | undefined;
  return async (c, next) => {
    handler ??= (await import("hono/bun")).serveStatic({ root });
    return await handler(c, next);
  };
}

/**
 * Serves an lhttp server with `Bun.serve`: WebSockets on any path (or
 * `options.path`), the HTTP routes, and an optional static folder.
 *
 * ```ts ignore
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serveBun } from "@lhttp/lhttp/bun";
 * const running = serveBun(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
 * console.log(running.port);
 * await running.shutdown();
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveBun } from "@lhttp/lhttp/bun";
 * assert.equal(typeof serveBun, "function");
 * ```
 */
export function serveBun(server: LhttpServer, options: ServeOptions = {}): RunningServer {
  const lhttp = upgradeBun(server, options);
  // Requests only arrive once Bun.serve has returned, so `holder.bun` is set by then.
  const holder: { bun?: BunServer } = {};
  // Bun reads a declared-length body into one buffer itself: no per-chunk copies to bound.
  const app = createApp(server, (request) => lhttp.upgrade(request, holder.bun!), {
    bodies: "buffered",
    ...options,
  });
  if (options.static) app.use("/*", lazyStatic(options.static));
  const publish = new HttpPublish(server, { bodies: "buffered" });
  const started = holder.bun = bunGlobal().serve<BunSocketData>({
    port: options.port ?? 8081,
    hostname: options.hostname ?? "0.0.0.0",
    // POST /publish is matched by Bun's native router (any query string
    // included): no URL string, no routing and no Hono context per request.
    routes: {
      [PUBLISH_PATH]: {
        POST: (request, bun) =>
          publish.handle(request, publish.needsAddress ? requestAddress(bun, request) : undefined),
      },
    },
    // Upgrades skip Hono too.
    fetch: (request, bun) =>
      isWebSocketUpgrade(request, options.path)
        ? lhttp.upgradeNow(request, bun)
        : app.fetch(request, bun),
    websocket: lhttp.websocket,
  });
  options.onListen?.({ hostname: started.hostname, port: started.port });
  let resolveFinished!: () => void;
  const finished = new Promise<void>((resolve) => resolveFinished = resolve);
  let stopping: Promise<void> | undefined;
  return {
    port: started.port,
    hostname: started.hostname,
    finished,
    shutdown() {
      return stopping ??= (async () => {
        await server.shutdown();
        await started.stop();
        resolveFinished();
      })();
    },
  };
}
