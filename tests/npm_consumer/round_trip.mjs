// Copied into a fresh project that installed the packed npm tarball, and run
// there by Node or Bun (tests/npm_consumer_test.ts): imports the package the
// way a user does, serves it through `serve()` and through the runtime's own
// adapter, and sends one subscribe + publish round trip through each. Prints
// one JSON line per round trip.

import process from "node:process";
import { LhttpServer } from "@lhttp/lhttp";
import { detectRuntime, serve } from "@lhttp/lhttp/serve";
import { LhttpClient, textOf } from "@lhttp/lhttp/client";

const runtime = detectRuntime();
// Node 20 has no global WebSocket: the client takes `ws` in its options.
const WebSocket = globalThis.WebSocket ?? (await import("ws")).WebSocket;

const adapters = {
  serve: (server, options) => serve(server, options),
  [runtime]: runtime === "bun"
    ? async (server, options) => (await import("@lhttp/lhttp/bun")).serveBun(server, options)
    : async (server, options) =>
      await (await import("@lhttp/lhttp/node")).serveNode(server, options),
};

for (const [via, start] of Object.entries(adapters)) {
  const server = new LhttpServer();
  const running = await start(server, { port: 0, hostname: "127.0.0.1" });
  const client = new LhttpClient(`ws://127.0.0.1:${running.port}/`, {
    WebSocket,
    reconnect: false,
  });
  let received;
  const delivered = new Promise((resolve) => received = resolve);
  const subscription = client.subscribe("room", (frame) => received(frame));
  await subscription.ready;
  await client.publish("room", `hello from ${via}`, { command: "chat" });
  const frame = await delivered;
  await client.close();
  await running.shutdown();
  console.log(JSON.stringify({ runtime, via, command: frame.command, body: textOf(frame) }));
}
process.exitCode = 0;
