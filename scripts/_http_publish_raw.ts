// REFERENCE, not lhttp: the raw server `scripts/bench_http_publish.ts` measures
// lhttp's `POST /publish` against — the least a server in this runtime does for
// a POST whose body goes to every subscribed socket. WebSocket messages
// containing `subscribe:` subscribe the socket (answered with `ack`), as in
// scripts/_fanout_raw.ts; `POST /publish` reads the body, sends it to every
// subscriber as is, and answers a small JSON body.
//   Bun: `Bun.serve` + native `server.publish`.
//   Node and Deno: `node:http` + `ws`, a send loop (on Deno this is the same
//   transport as lhttp's Deno default, src/adapters/node.ts).
// Prints `PORT <n>`; SIGTERM stops it (exit 0).

import process from "node:process";
// @ts-types="@types/ws"
import { type WebSocket, WebSocketServer } from "ws";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { bunGlobal, type BunServerWebSocket } from "../src/adapters/_bun_types.ts";
import { detectRuntime } from "../src/adapters/serve.ts";

const isSubscribe = (data: unknown) => typeof data === "string" && data.includes("subscribe:");
const ANSWER = '{"status":200}';

function serveBunRaw(): Promise<void> {
  const server = bunGlobal().serve<undefined>({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request, bun) {
      if (request.method === "POST") {
        server.publish("bench", await request.text());
        return new Response(ANSWER, { headers: { "content-type": "application/json" } });
      }
      return bun.upgrade(request) ? undefined : new Response("upgrade", { status: 400 });
    },
    websocket: {
      perMessageDeflate: false,
      message(ws: BunServerWebSocket<undefined>, message) {
        if (isSubscribe(message)) {
          ws.subscribe("bench");
          ws.send("ack");
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
  const subscribers = new Set<WebSocket>();
  const http = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      for (const subscriber of subscribers) subscriber.send(body);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(ANSWER);
    });
  });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on("connection", (ws) => {
    ws.on("message", (data, binary) => {
      if (!binary && isSubscribe(data.toString())) {
        subscribers.add(ws);
        ws.send("ack");
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
      http.closeAllConnections();
      http.close(() => resolve());
    });
  });
}

await (detectRuntime() === "bun" ? serveBunRaw() : serveNodeRaw());
process.exit(0);
