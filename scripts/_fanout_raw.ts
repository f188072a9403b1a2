// REFERENCE, not lhttp: the raw server `scripts/bench_fanout.ts` measures lhttp
// against, the least a server can do for the same traffic in the runtime it
// runs on. A message with `subscribe:NAME` subscribes the socket to NAME
// (answered with `ack`); any other goes as is to the subscribers of the channel
// its `publish:NAME` names (so the latency run, one channel per client, sends
// each frame to one client, as lhttp does). Deno: a send loop; Bun: native
// `server.publish`; Node: a `ws` send loop. Prints `PORT <n>`; SIGTERM stops it.

import process from "node:process";
// @ts-types="@types/ws"
import { type WebSocket, WebSocketServer } from "ws";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { bunGlobal, type BunServerWebSocket } from "../src/adapters/_bun_types.ts";
import { detectRuntime } from "../src/adapters/serve.ts";

const isSubscribe = (data: unknown) => typeof data === "string" && data.includes("subscribe:");
// The channel a frame names after `subscribe:` or `publish:` (the first one).
function channelOf(data: unknown, header: "subscribe" | "publish"): string {
  const text = typeof data === "string" ? data : new TextDecoder().decode(data as Uint8Array);
  const at = text.indexOf(`${header}:`);
  if (at < 0) return "";
  const start = at + header.length + 1;
  const end = text.indexOf("\r", start);
  return text.slice(start, end < 0 ? undefined : end);
}

// Channel → sockets, for the runtimes without native topics.
class Channels<T> {
  #map = new Map<string, Set<T>>();
  add(channel: string, socket: T): void {
    let set = this.#map.get(channel);
    if (!set) this.#map.set(channel, set = new Set());
    set.add(socket);
  }
  get(channel: string): Iterable<T> {
    return this.#map.get(channel) ?? [];
  }
  remove(socket: T): void {
    for (const set of this.#map.values()) set.delete(socket);
  }
}

function serveDenoRaw(): Promise<void> {
  const subscribers = new Channels<globalThis.WebSocket>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = (event) => {
      if (isSubscribe(event.data)) {
        subscribers.add(channelOf(event.data, "subscribe"), socket);
        socket.send("ack");
      } else {
        for (const subscriber of subscribers.get(channelOf(event.data, "publish"))) {
          subscriber.send(event.data);
        }
      }
    };
    socket.onclose = () => subscribers.remove(socket);
    return response;
  });
  process.stdout.write(`PORT ${server.addr.port}\n`);
  process.once("SIGTERM", () => void server.shutdown());
  return server.finished;
}

function serveBunRaw(): Promise<void> {
  const server = bunGlobal().serve<undefined>({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (request, bun) =>
      bun.upgrade(request) ? undefined : new Response("upgrade", { status: 400 }),
    websocket: {
      perMessageDeflate: false,
      message(ws: BunServerWebSocket<undefined>, message) {
        if (isSubscribe(message)) {
          ws.subscribe(channelOf(message, "subscribe"));
          ws.send("ack");
        } else {
          server.publish(channelOf(message, "publish"), message);
        }
      },
    },
  });
  process.stdout.write(`PORT ${server.port}\n`);
  return new Promise((resolve) =>
    process.once("SIGTERM", () => void Promise.resolve(server.stop(true)).then(resolve))
  );
}

function serveNodeRaw(): Promise<void> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const subscribers = new Channels<WebSocket>();
  wss.on("connection", (ws) => {
    ws.on("message", (data, binary) => {
      const message = binary ? data : data.toString();
      if (isSubscribe(message)) {
        subscribers.add(channelOf(message, "subscribe"), ws);
        ws.send("ack");
      } else {
        for (const subscriber of subscribers.get(channelOf(message, "publish"))) {
          subscriber.send(message as string);
        }
      }
    });
    ws.on("close", () => subscribers.remove(ws));
  });
  return new Promise((resolve) => {
    http.listen(0, "127.0.0.1", () => {
      process.stdout.write(`PORT ${(http.address() as AddressInfo).port}\n`);
    });
    process.once("SIGTERM", () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.close(() => resolve());
    });
  });
}

const runtime = detectRuntime();
await (runtime === "deno" ? serveDenoRaw() : runtime === "bun" ? serveBunRaw() : serveNodeRaw());
process.exit(0);
