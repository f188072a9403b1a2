// lhttp inside an existing Hono app on Bun: WebSockets on /ws (Bun's native
// topics do the fan-out), the lhttp HTTP routes next to the app's own.
//
//   deno bundle --platform deno -o /tmp/hono_bun.mjs examples/hono_bun.ts && bun /tmp/hono_bun.mjs
//   (or, with the npm package installed: bun examples/hono_bun.ts)

import { Hono } from "hono";
import { LhttpServer } from "@lhttp/lhttp";
import { upgradeBun } from "@lhttp/lhttp/bun";
import { lhttpRoutes } from "@lhttp/lhttp/hono";

const lhttp = new LhttpServer();
lhttp.processor("chat", { onMessage: (ctx) => void ctx.setHeader("runtime", "bun") });
const bun = upgradeBun(lhttp);

const app = new Hono();
app.get("/", (c) => c.text("my app, with lhttp on /ws\n"));
// On Bun, Hono's `c.env` is the Bun server.
app.get("/ws", (c) => bun.upgrade(c.req.raw, c.env as Parameters<typeof bun.upgrade>[1]));
app.route("/", lhttpRoutes(lhttp));

// Bun serves a default export with `fetch` and `websocket`.
export default { port: 8082, fetch: app.fetch, websocket: bun.websocket };
