// lhttp inside an existing Hono app on Deno: WebSockets on /ws, the lhttp HTTP
// routes (POST /publish, GET /healthz) next to the app's own.
//
//   deno run -A examples/hono_deno.ts
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

Deno.serve({ port: 8082 }, app.fetch);
