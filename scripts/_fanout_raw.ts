// REFERENCE, not lhttp: the raw server `scripts/bench_fanout.ts` measures lhttp
// against — the least a server can do
// for the same traffic, in the runtime it runs on. A message containing
// `subscribe:` subscribes the socket (answered with `ack`); any other message
// goes to every subscriber. Deno: a send loop; Bun: native `server.publish`;
// Node: a `ws` send loop. Prints `PORT <n>`; SIGTERM stops it (exit 0).

import process from "node:process";
// @ts-types="@types/ws"
import { type WebSocket, WebSocketServer } from "ws";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { bunGlobal, type BunServerWebSocket } from "../src/adapters/_bun_types.ts";
import { detectRuntime } from "../src/adapters/serve.ts";

const isSubscribe = (data: unknown) => typeof data === "string" && data.includes("subscribe:");

function serveDenoRaw(): Promise<void> {
  const subscribers = new Set<WebSocket | globalThis.WebSocket>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = (event) => {
      if (isSubscribe(event.data)) {
        subscribers.add(socket);
        socket.send("ack");
      } else {
        for (const subscriber of subscribers) subscriber.send(event.data);
      }
    };
    socket.onclose = () => subscribers.delete(socket);
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
          ws.subscribe("bench");
          ws.send("ack");
        } else {
          server.publish("bench", message);
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
  const subscribers = new Set<WebSocket>();
  wss.on("connection", (ws) => {
    ws.on("message", (data, binary) => {
      const message = binary ? data : data.toString();
      if (isSubscribe(message)) {
        subscribers.add(ws);
        ws.send("ack");
      } else {
        for (const subscriber of subscribers) subscriber.send(message as string);
      }
    });
    ws.on("close", () => subscribers.delete(ws));
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
