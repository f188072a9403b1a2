// lhttp inside an existing Hono app on Bun: WebSockets on /ws (Bun's native
// topics do the fan-out), the lhttp HTTP routes next to the app's own.
//
//   deno bundle --platform deno -o /tmp/hono_bun.mjs examples/hono_bun.ts && bun /tmp/hono_bun.mjs
//   (or, with the npm package installed: bun examples/hono_bun.ts)

import process from "node:process";
import { Hono } from "hono";
import { LhttpServer } from "@lhttp/lhttp";
import { upgradeBun } from "@lhttp/lhttp/bun";
import { lhttpRoutes } from "@lhttp/lhttp/hono";

// The one Bun API used here (no dependency on Bun's type package).
declare const Bun: {
  serve(options: { port: number; fetch: unknown; websocket: unknown }): {
    port: number;
    stop(): Promise<void>;
  };
};

const lhttp = new LhttpServer();
lhttp.processor("chat", { onMessage: (ctx) => void ctx.setHeader("runtime", "bun") });
const bun = upgradeBun(lhttp);

const app = new Hono();
app.get("/", (c) => c.text("my app, with lhttp on /ws\n"));
// On Bun, Hono's `c.env` is the Bun server.
app.get("/ws", (c) => bun.upgrade(c.req.raw, c.env as Parameters<typeof bun.upgrade>[1]));
app.route("/", lhttpRoutes(lhttp));

const server = Bun.serve({
  port: Number(process.env.PORT ?? 8082),
  fetch: app.fetch,
  websocket: bun.websocket,
});
console.log(`lhttp example listening on http://localhost:${server.port} (WebSocket on /ws)`);
process.once("SIGTERM", async () => {
  await lhttp.shutdown(); // clients see 1001
  await server.stop();
  process.exit(0);
});
