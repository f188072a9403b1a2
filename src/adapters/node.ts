/**
 * The Node adapter (Node 20, 22, 24): `@hono/node-server` serves the Hono app
 * and `ws` (`WebSocketServer({ noServer: true })`) takes the upgrades, on one
 * port. A published frame is framed once and the same bytes are written to
 * every subscriber's socket.
 *
 * ```ts ignore
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serveNode } from "@lhttp/lhttp/node";
 * const running = await serveNode(new LhttpServer(), { port: 8081, static: "public" });
 * ```
 *
 * @module
 */

import { serve as serveHttp, upgradeWebSocket } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import type { MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Buffer } from "node:buffer";
// @ts-types="@types/ws"
import { type WebSocket, WebSocketServer } from "ws";
import type { FrameData } from "../codec/frame.ts";
import { lhttpRoutes } from "../http/routes.ts";
import { HttpPublish } from "../http/publish.ts";
import { isPublishTarget } from "../http/_publish_route.ts";
import { answerPublish } from "./_node_publish.ts";
import type { RunningServer, ServeOptions } from "./serve_options.ts";
import type { LhttpServer, UpgradeDecision } from "../server/lhttp_server.ts";
import { frameOnce, WriteBatcher } from "./_ws_fast.ts";
import { frameDeflated } from "./_ws_deflate.ts";
import { type Fanning, openSocket, startHeartbeat } from "./_node_socket.ts";
import { refuseUpgrade, upgradeRequest } from "./_node_upgrade.ts";

/** The Hono handler that upgrades, and the `ws` server to give `@hono/node-server`. */
export interface NodeLhttp {
  /**
   * A Hono handler (`app.get("/ws", lhttp.handler)`) that upgrades to lhttp.
   * Hono's WebSocket helper keeps each socket's context and request alive;
   * {@linkcode NodeLhttp.upgrade} keeps nothing of the request.
   */
  handler: MiddlewareHandler;
  /** Pass as `websocket: { server: lhttp.wss }` to `@hono/node-server`'s `serve`. */
  wss: WebSocketServer;
  /**
   * Takes a Node `upgrade` event (`httpServer.on("upgrade", lhttp.upgrade)`)
   * straight to lhttp: admission, then `ws`. A refusal is answered on the socket.
   */
  upgrade(incoming: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  /** Stops the heartbeat timer. */
  close(): void;
}

/**
 * Builds the Node upgrade handler of `server`, for mounting lhttp into your
 * own Hono app on `@hono/node-server`. Installs the frame-once fan-out.
 *
 * ```ts ignore
 * import { serve } from "@hono/node-server";
 * import { Hono } from "hono";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { lhttpRoutes } from "@lhttp/lhttp/hono";
 * import { upgradeNode } from "@lhttp/lhttp/node";
 * const server = new LhttpServer();
 * const lhttp = upgradeNode(server);
 * const app = new Hono().get("/ws", lhttp.handler).route("/", lhttpRoutes(server));
 * serve({ fetch: app.fetch, port: 8081, websocket: { server: lhttp.wss } });
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { upgradeNode } from "@lhttp/lhttp/node";
 * const lhttp = upgradeNode(new LhttpServer());
 * assert.equal(lhttp.wss.options.maxPayload, 1024 * 1024);
 * lhttp.close();
 * ```
 */
export function upgradeNode(
  server: LhttpServer,
  options: { idleTimeout?: number } = {},
): NodeLhttp {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: server.limits.maxFrameBytes,
    perMessageDeflate: deflateOptions(server),
    // The heartbeat's set already tracks every socket; ws's would add a
    // listener closure per socket.
    clientTracking: false,
  });
  const fanning: Fanning = { batcher: new WriteBatcher(), server, peers: new Set() };
  server.attach({
    runtime: "node",
    fanout: {
      fanOut(_channel, data, subscribers) {
        fanning.current = {
          data,
          framed: frameOnce(data),
          compression: server.settings.compression !== undefined,
          deflated: deflatedOnce(server, data),
        };
        try {
          for (const subscriber of subscribers) subscriber.deliver(data);
        } finally {
          fanning.current = undefined;
        }
      },
    },
  });
  const heartbeat = startHeartbeat(fanning.peers, (options.idleTimeout ?? 120) * 1000);
  return {
    wss,
    close: () => clearInterval(heartbeat),
    async handler(c, next) {
      const decision = await server.accept(c.req.raw);
      if (decision instanceof Response) return decision;
      return await upgradeWebSocket(() => ({
        onOpen: (_event: Event, ctx: { raw?: unknown }) =>
          void openSocket(ctx.raw as WebSocket, fanning, decision),
      }))(c, next);
    },
    async upgrade(incoming, socket, head) {
      // A socket that breaks during admission is dropped; its error must not throw.
      const ignore = () => {};
      socket.on("error", ignore);
      let decision: UpgradeDecision;
      try {
        decision = await server.accept(upgradeRequest(incoming));
      } catch {
        return refuseUpgrade(socket, 400);
      }
      if (decision instanceof Response) {
        return refuseUpgrade(socket, decision.status, decision.headers);
      }
      if (socket.destroyed) return;
      socket.off("error", ignore);
      wss.handleUpgrade(incoming, socket, head, (ws) => void openSocket(ws, fanning, decision));
    },
  };
}

/**
 * Serves an lhttp server on Node: WebSockets on any path (or `options.path`),
 * the HTTP routes and an optional static folder, on one port.
 *
 * ```ts ignore
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { serveNode } from "@lhttp/lhttp/node";
 * const running = await serveNode(new LhttpServer(), { port: 0, hostname: "127.0.0.1" });
 * await running.shutdown();
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveNode } from "@lhttp/lhttp/node";
 * assert.equal(typeof serveNode, "function");
 * ```
 */
export async function serveNode(
  server: LhttpServer,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const lhttp = upgradeNode(server, options);
  const app = new Hono();
  app.route("/", lhttpRoutes(server));
  if (options.static) app.use("/*", serveStatic({ root: options.static }));
  let listening!: (info: AddressInfo) => void;
  let failed!: (error: unknown) => void;
  const ready = new Promise<AddressInfo>((resolve, reject) => {
    listening = resolve;
    failed = reject;
  });
  // POST /publish is answered from node:http before @hono/node-server makes a
  // Web Request of it (src/adapters/_node_publish.ts); the rest goes to Hono.
  const publish = new HttpPublish(server);
  const http = serveHttp({
    fetch: app.fetch,
    port: options.port ?? 8081,
    hostname: options.hostname ?? "0.0.0.0",
    createServer: ((serverOptions: object, listener: Listener) =>
      createServer(serverOptions, (incoming, response) =>
        incoming.method === "POST" && isPublishTarget(incoming.url)
          ? answerPublish(publish, incoming, response)
          : listener(incoming, response))) as unknown as typeof createServer,
  }, (info) =>
    listening(info));
  // Upgrades go straight to lhttp (no Hono context kept per socket); any other
  // upgrade is answered by the app, as a plain request to that path would be.
  http.on("upgrade", (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isLhttpUpgrade(incoming, options.path)) return void lhttp.upgrade(incoming, socket, head);
    socket.on("error", () => {});
    Promise.resolve()
      .then(() => app.fetch(upgradeRequest(incoming), { incoming }))
      .then(
        (response) => refuseUpgrade(socket, response.status, response.headers),
        () => refuseUpgrade(socket, 400),
      );
  });
  http.once("error", (error) => failed(error));
  const finished = new Promise<void>((resolve) => http.once("close", () => resolve()));
  const address = await ready;
  options.onListen?.({ hostname: address.address, port: address.port });
  let stopping: Promise<void> | undefined;
  return {
    port: address.port,
    hostname: address.address,
    finished,
    shutdown() {
      return stopping ??= (async () => {
        lhttp.close();
        // Stop accepting first; upgraded sockets keep the server open until
        // their close handshakes (1001) complete.
        http.close();
        (http as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        await server.shutdown();
        await finished;
      })();
    },
  };
}

type Listener = (incoming: IncomingMessage, response: ServerResponse) => void;

// What isWebSocketUpgrade tells of a Request, from the IncomingMessage.
function isLhttpUpgrade(incoming: IncomingMessage, path: string | undefined): boolean {
  if (incoming.headers.upgrade?.toLowerCase() !== "websocket") return false;
  if (path === undefined) return true;
  try {
    return new URL(incoming.url ?? "/", "http://localhost").pathname === path;
  } catch {
    return false;
  }
}

// permessage-deflate when `compression` is on: the server keeps no context
// (one compressed message fits every socket), small frames stay plain, and
// ws's zlib queue (process-wide) runs at most `maxConcurrent` operations.
function deflateOptions(server: LhttpServer) {
  const compression = server.settings.compression;
  if (!compression) return false;
  return {
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    threshold: compression.minBytes,
    concurrencyLimit: compression.maxConcurrent,
  };
}

// The compressed copy of a publication, made once, on first use; none for small frames.
function deflatedOnce(server: LhttpServer, data: FrameData): (() => Uint8Array) | undefined {
  const compression = server.settings.compression;
  const size = typeof data === "string" ? data.length : data.byteLength;
  if (!compression || size < compression.minBytes) return undefined;
  let framed: Uint8Array | undefined;
  return () => framed ??= frameDeflated(data);
}
