// lhttp inside an existing Hono app on Deno: WebSockets on /ws, the lhttp HTTP
// routes (POST /publish, GET /healthz) next to the app's own.
//
//   deno run -A examples/hono_deno.ts          (PORT=8082 by default)
//   curl -X POST localhost:8082/publish --data-binary $'LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi'

import { Hono } from "hono";
import { LhttpServer } from "@lhttp/lhttp";
import { upgradeDeno } from "@lhttp/lhttp/deno";
import { lhttpRoutes } from "@lhttp/lhttp/hono";

const lhttp = new LhttpServer();
lhttp.processor("chat", { onMessage: (ctx) => void ctx.setHeader("runtime", "deno") });

const app = new Hono();
app.get("/", (c) => c.text("my app, with lhttp on /ws\n"));
app.get("/ws", (c) => upgradeDeno(lhttp, c.req.raw));
app.route("/", lhttpRoutes(lhttp));

const server = Deno.serve({
  port: Number(Deno.env.get("PORT") ?? 8082),
  onListen: ({ port }) =>
    console.log(`lhttp example listening on http://localhost:${port} (WebSocket on /ws)`),
}, app.fetch);
Deno.addSignalListener("SIGTERM", async () => {
  await lhttp.shutdown(); // clients see 1001
  await server.shutdown();
  Deno.exit(0);
});
