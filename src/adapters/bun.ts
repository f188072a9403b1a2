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
import type { Connection, Peer } from "../connection/connection.ts";
import type { FrameData } from "../codec/frame.ts";
import { createApp } from "../http/routes.ts";
import { chosenProtocol } from "./web_socket_bridge.ts";
import type { RunningServer, ServeOptions } from "./serve_options.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";
import {
  bunGlobal,
  type BunMessage,
  type BunServer,
  type BunServerWebSocket,
  type BunWebSocketHandler,
} from "./_bun_types.ts";

/** The Bun types this module's API names, declared here rather than taken from bun-types. */
export type { BunMessage, BunServer, BunServerWebSocket, BunWebSocketHandler };

/** What the adapter keeps on each Bun socket. */
export interface BunSocketData {
  /** What `authenticate` returned. */
  accepted: unknown;
  /** Set when `authenticate` refused: the socket is closed with this at once. */
  refusal?: { code: number; reason: string };
  /** The lhttp connection, once open. */
  connection?: Connection;
}

/** An upgrade function and the `websocket` handler to give `Bun.serve`. */
export interface BunLhttp {
  /**
   * Upgrades `request` through `bunServer` (in Hono on Bun, `c.env`). Answers
   * a refusal, or an empty response that Bun ignores once upgraded.
   */
  upgrade(request: Request, bunServer: BunServer): Promise<Response>;
  /** Pass as `websocket` to `Bun.serve` (or export it beside `fetch`). */
  websocket: BunWebSocketHandler<BunSocketData>;
}

/** Wraps a Bun socket: Bun's send status feeds the slow-consumer policy. */
class BunPeer implements Peer {
  constructor(readonly ws: BunServerWebSocket<BunSocketData>) {}
  send(data: FrameData): number {
    return this.ws.send(data);
  }
  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
  get bufferedAmount(): number {
    return this.ws.getBufferedAmount();
  }
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
  const closing = (server.options.slowConsumer ?? "close") === "close";
  let native: BunServer | undefined;
  const socketOf = (connection: Connection) =>
    connection.peer instanceof BunPeer ? connection.peer.ws : undefined;
  const metrics = server.metrics;
  const compression = server.settings.compression;
  if (compression) {
    server.logger.log(
      "info",
      "Bun compresses each publication once per subscriber (see PROTOCOL.md section 18)",
    );
  }
  // Channel → subscribers that are not Bun sockets (SSE sessions).
  const others = new Map<string, number>();
  server.attach({
    runtime: "bun",
    fanout: {
      subscribe(connection, channel) {
        const ws = socketOf(connection);
        if (ws) ws.subscribe(channel);
        else others.set(channel, (others.get(channel) ?? 0) + 1);
      },
      unsubscribe(connection, channel) {
        const ws = socketOf(connection);
        if (!ws) {
          const left = (others.get(channel) ?? 1) - 1;
          if (left > 0) others.set(channel, left);
          else others.delete(channel);
        }
        try {
          ws?.unsubscribe(channel);
        } catch {
          // The socket is already closed; Bun dropped its topics with it.
        }
      },
      fanOut(channel, data, subscribers) {
        if (!native) {
          for (const subscriber of subscribers) subscriber.deliver(data);
          return;
        }
        // Bun's server.publish reaches every subscriber, the publisher included
        // (ws.publish would skip it, and the protocol requires self-delivery).
        const status = compression
          ? native.publish(channel, data, sizeOf(data) >= compression.minBytes)
          : native.publish(channel, data);
        // Subscribers that are not Bun sockets (SSE sessions) get it one by one.
        if (others.has(channel)) {
          for (const subscriber of subscribers) if (!socketOf(subscriber)) subscriber.deliver(data);
        }
        // 0 or -1: some socket is past backpressureLimit; find it and apply the policy.
        if (status <= 0) applySlowConsumerPolicy(subscribers, data, maxBuffered, socketOf);
        else {
          metrics.framesOut += subscribers.size;
          if (pacingDue(subscribers)) observeBuffers(subscribers, socketOf);
        }
      },
    },
  });
  return {
    async upgrade(request, bunServer) {
      const decision = await server.accept(request);
      if (decision instanceof Response) return decision;
      native = bunServer;
      const data: BunSocketData = { accepted: decision.data, refusal: decision.refusal };
      const protocol = chosenProtocol(request);
      const headers = protocol ? { "sec-websocket-protocol": protocol } : undefined;
      if (bunServer.upgrade(request, { data, headers })) return new Response(null);
      return new Response("Expected a WebSocket upgrade\n", { status: 400 });
    },
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
        ws.data.connection = server.open(new BunPeer(ws), ws.data.accepted, ws.data.refusal);
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

type SocketOf = (connection: Connection) => BunServerWebSocket<BunSocketData> | undefined;

// `hono/bun` reads the `Bun` global when it loads, so it is imported only once
// a static file is asked for: this module stays importable on Deno and Node.
function lazyStatic(root: string): MiddlewareHandler {
  let handler: MiddlewareHandler | undefined;
  return async (c, next) => {
    handler ??= (await import("hono/bun")).serveStatic({ root });
    return await handler(c, next);
  };
}

function applySlowConsumerPolicy(
  subscribers: ReadonlySet<Connection>,
  data: FrameData,
  max: number,
  socketOf: SocketOf,
): void {
  const size = typeof data === "string" ? data.length : data.byteLength;
  for (const connection of subscribers) {
    const ws = socketOf(connection);
    if (!ws) continue;
    const buffered = ws.getBufferedAmount();
    if (buffered + size > max) connection.slow();
    else connection.options.pacer?.observe(connection, buffered);
  }
}

// Native publish never passes through Connection.deliver, so publisher pacing
// (src/pacing.ts) looks at the subscribers' buffers here. Bun writes topic
// messages at the end of an event-loop turn, so buffers cannot change within
// one: a look per channel and millisecond is as good as one per publish, and
// keeps a 10 000-subscriber channel from costing 10 000 calls per frame.
const lastLook = new WeakMap<ReadonlySet<Connection>, number>();

function pacingDue(subscribers: ReadonlySet<Connection>): boolean {
  const now = performance.now();
  if (now - (lastLook.get(subscribers) ?? -1) < 1) return false;
  lastLook.set(subscribers, now);
  return true;
}

function observeBuffers(subscribers: ReadonlySet<Connection>, socketOf: SocketOf): void {
  for (const connection of subscribers) {
    const pacer = connection.options.pacer;
    if (!pacer) return;
    const ws = socketOf(connection);
    if (ws) pacer.observe(connection, ws.getBufferedAmount());
  }
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
  const app = createApp(server, (request) => lhttp.upgrade(request, holder.bun!), options);
  if (options.static) app.use("/*", lazyStatic(options.static));
  const started = holder.bun = bunGlobal().serve<BunSocketData>({
    port: options.port ?? 8081,
    hostname: options.hostname ?? "0.0.0.0",
    fetch: (request, bun) => app.fetch(request, bun),
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

function sizeOf(data: FrameData): number {
  return typeof data === "string" ? data.length : data.byteLength;
}
