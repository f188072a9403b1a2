// lhttp inside an existing Hono app on Node (20+): @hono/node-server for HTTP,
// `ws` for WebSockets on /ws, one port.
//
//   deno bundle --platform deno -o /tmp/hono_node.mjs examples/hono_node.ts && node /tmp/hono_node.mjs
//   (or, with the npm package installed: node --experimental-strip-types examples/hono_node.ts)

import process from "node:process";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { LhttpServer } from "@lhttp/lhttp";
import { lhttpRoutes } from "@lhttp/lhttp/hono";
import { upgradeNode } from "@lhttp/lhttp/node";

const lhttp = new LhttpServer();
lhttp.processor("chat", { onMessage: (ctx) => void ctx.setHeader("runtime", "node") });
const node = upgradeNode(lhttp);

const app = new Hono();
app.get("/", (c) => c.text("my app, with lhttp on /ws\n"));
app.get("/ws", node.handler);
app.route("/", lhttpRoutes(lhttp));

// The ws server handles the upgrades @hono/node-server routes through the app.
const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 8082), websocket: { server: node.wss } },
  (info) =>
    console.log(`lhttp example listening on http://localhost:${info.port} (WebSocket on /ws)`),
);
process.once("SIGTERM", async () => {
  node.close(); // the heartbeat timer
  await lhttp.shutdown(); // clients see 1001
  server.close(() => process.exit(0));
});
