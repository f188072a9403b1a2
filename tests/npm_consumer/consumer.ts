// A typical Node consumer, type-checked with `tsc --noEmit` (module and
// moduleResolution nodenext) against the declarations installed from the
// packed tarball (tests/npm_consumer_test.ts). Deno type-checks it too, through
// the workspace's own exports, so both views of the API stay the same.

import { type Frame, LhttpServer, parseFrame, type ServerOptions } from "@lhttp/lhttp";
import { lhttpRoutes } from "@lhttp/lhttp/hono";
import { type NodeLhttp, serveNode, upgradeNode } from "@lhttp/lhttp/node";
import { detectRuntime, type Runtime, serve } from "@lhttp/lhttp/serve";
import { LhttpClient, type Subscription, textOf } from "@lhttp/lhttp/client";
import { main } from "@lhttp/lhttp/cli";
import { WebSocket } from "ws";

const options: ServerOptions = { publishToken: "secret" };
const server = new LhttpServer(options);
server.processor("chat", {
  onMessage: (ctx) => void ctx.setHeader("seen", "yes"),
});

const frame: Frame = parseFrame("LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi");
const command: string = frame.command;
const runtime: Runtime = detectRuntime();
const routes = lhttpRoutes(server);
const lhttp: NodeLhttp = upgradeNode(server);
lhttp.close();

export async function roundTrip(): Promise<string> {
  const running = await serve(server, { port: 0, hostname: "127.0.0.1" });
  const client = new LhttpClient(`ws://127.0.0.1:${running.port}/`, { WebSocket });
  const received = new Promise<string>((resolve) => {
    const subscription: Subscription = client.subscribe("room", (f) => resolve(textOf(f)));
    void subscription.ready;
  });
  await client.publish("room", "hello", { command });
  const text = await received;
  await client.close();
  await running.shutdown();
  return text;
}

export const exported = { routes, runtime, main, serveNode };
