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
import type { AddressInfo } from "node:net";
// @ts-types="@types/ws"
import { type WebSocket, WebSocketServer } from "ws";
import type { FrameData } from "../codec/frame.ts";
import type { Connection, Peer } from "../connection/connection.ts";
import { lhttpRoutes } from "../http/routes.ts";
import { isWebSocketUpgrade, type RunningServer, type ServeOptions } from "./serve_options.ts";
import type { LhttpServer, UpgradeDecision } from "../server/lhttp_server.ts";
import { frameOnce, WriteBatcher, writeFramed } from "./_ws_fast.ts";
import { frameDeflated, writeToDeflateSocket } from "./_ws_deflate.ts";

/** The Hono handler that upgrades, and the `ws` server to give `@hono/node-server`. */
export interface NodeLhttp {
  /** A Hono handler (`app.get("/ws", lhttp.handler)`) that upgrades to lhttp. */
  handler: MiddlewareHandler;
  /** Pass as `websocket: { server: lhttp.wss }` to `@hono/node-server`'s `serve`. */
  wss: WebSocketServer;
  /** Stops the heartbeat timer. */
  close(): void;
}

// PROTOCOL.md, "Errors": 4009 closes a peer silent through a whole idle timeout.
const IDLE_CLOSE_CODE = 4009;

// The message being fanned out, framed once; peers compare by identity.
interface Fanning {
  // `deflated`: the compressed message, made on first use (compression on, frame not small).
  current?: {
    data: FrameData;
    framed: Uint8Array;
    compression?: boolean;
    deflated?: () => Uint8Array;
  };
  readonly batcher: WriteBatcher;
}

class NodePeer implements Peer {
  alive = true;
  idleClosed = false;
  constructor(readonly ws: WebSocket, readonly fanning: Fanning) {}
  send(data: FrameData): void {
    const fanning = this.fanning.current;
    if (fanning?.data === data && writeFramed(this.ws, fanning.framed, this.fanning.batcher)) {
      return;
    }
    if (fanning?.data === data && fanning.compression) {
      // A deflate socket: the compressed copy, or the plain frame for small ones.
      const framed = fanning.deflated?.() ?? fanning.framed;
      if (writeToDeflateSocket(this.ws, framed, this.fanning.batcher)) return;
    }
    this.ws.send(data);
  }
  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
  // While the core paces this connection (src/pacing.ts), stop reading its
  // socket: TCP pushes back on the publisher instead of frames queueing here.
  pause(): void {
    this.ws.pause();
  }
  resume(): void {
    this.ws.resume();
  }
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
  });
  const peers = new Set<NodePeer>();
  const fanning: Fanning = { batcher: new WriteBatcher() };
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
  const idle = (options.idleTimeout ?? 120) * 1000;
  // Ping every idle/2: a peer that answered neither the previous ping nor sent
  // anything since is closed with 4009 and its subscriptions released. A dead
  // peer cannot answer the close either (ws would wait 30 s for it), so one
  // still there a round later is cut.
  const heartbeat = idle > 0
    ? setInterval(() => {
      for (const peer of peers) {
        if (!peer.alive) {
          if (peer.idleClosed) peer.ws.terminate();
          else peer.ws.close(IDLE_CLOSE_CODE, "idle timeout");
          peer.idleClosed = true;
          continue;
        }
        peer.alive = false;
        peer.ws.ping();
      }
    }, idle / 2)
    : undefined;
  (heartbeat as { unref?: () => void } | undefined)?.unref?.();
  const events = (decision: Exclude<UpgradeDecision, Response>) => {
    let connection: Connection | undefined;
    let peer: NodePeer | undefined;
    return {
      onOpen(_event: Event, ctx: { raw?: unknown }) {
        const ws = ctx.raw as WebSocket;
        peer = new NodePeer(ws, fanning);
        peers.add(peer);
        const alive = () => void (peer!.alive = true);
        ws.on("pong", alive);
        ws.on("message", alive);
        connection = server.open(peer, decision.data, decision.refusal);
      },
      onMessage(event: MessageEvent) {
        if (!connection) return;
        const data = event.data;
        server.receive(connection, typeof data === "string" ? data : new Uint8Array(data));
      },
      onClose() {
        if (peer) peers.delete(peer);
        if (connection) server.release(connection);
      },
      onError() {},
    };
  };
  return {
    wss,
    close: () => clearInterval(heartbeat),
    async handler(c, next) {
      const decision = await server.accept(c.req.raw);
      if (decision instanceof Response) return decision;
      return await upgradeWebSocket(() => events(decision))(c, next);
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
  app.use(
    "*",
    (c, next) => isWebSocketUpgrade(c.req.raw, options.path) ? lhttp.handler(c, next) : next(),
  );
  app.route("/", lhttpRoutes(server));
  if (options.static) app.use("/*", serveStatic({ root: options.static }));
  let listening!: (info: AddressInfo) => void;
  let failed!: (error: unknown) => void;
  const ready = new Promise<AddressInfo>((resolve, reject) => {
    listening = resolve;
    failed = reject;
  });
  const http = serveHttp({
    fetch: app.fetch,
    port: options.port ?? 8081,
    hostname: options.hostname ?? "0.0.0.0",
    websocket: { server: lhttp.wss },
  }, (info) => listening(info));
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
