// The chat demo's server: a plain lhttp server that serves this folder and
// gives every connection a unique display name (see names.ts).
//
//   deno task start                     (deno run -A examples/chat/server.ts)
//   deno task start:bun | start:node    (its bundle on Bun or Node, via run_on.ts)
//
// Flags: --port N (8081) --host ADDR (0.0.0.0) --static DIR (this folder)
// --publish-token TOKEN; or LHTTP_PORT, LHTTP_HOST, LHTTP_STATIC, LHTTP_PUBLISH_TOKEN.

import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LhttpServer } from "@lhttp/lhttp";
import { serve } from "@lhttp/lhttp/serve";
import { uniqueNames } from "./names.ts";

const USAGE = "Usage: server.ts [--port N] [--host ADDR] [--static DIR] [--publish-token TOKEN]\n";

let flags;
try {
  ({ values: flags } = parseArgs({
    args: process.argv.slice(2),
    options: {
      port: { type: "string", default: process.env.LHTTP_PORT ?? "8081" },
      host: { type: "string", default: process.env.LHTTP_HOST ?? "0.0.0.0" },
      static: {
        type: "string",
        default: process.env.LHTTP_STATIC ?? fileURLToPath(new URL(".", import.meta.url)),
      },
      "publish-token": { type: "string", default: process.env.LHTTP_PUBLISH_TOKEN },
      help: { type: "boolean", short: "h", default: false },
    },
  }));
} catch (error) {
  process.stderr.write(`chat server: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const port = Number(flags.port);
if (flags.port.trim() === "" || !Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`chat server: --port needs a port number, got ${flags.port}\n`);
  process.exit(2);
}

// Each room (channel chat.<room>) keeps its last 100 frames for an hour: a
// newcomer sees the room's recent messages, a reconnecting tab recovers what it
// missed (PROTOCOL.md section 13).
const server = new LhttpServer({
  publishToken: flags["publish-token"],
  history: [{ prefix: "chat.", size: 100, ttlMs: 3_600_000 }],
});
server.use(uniqueNames());

let running;
try {
  running = await serve(server, { port, hostname: flags.host, static: flags.static });
} catch (error) {
  process.stderr.write(`chat server: cannot listen on ${flags.host}:${port}: ${error}\n`);
  process.exit(1);
}
const shown = flags.host === "0.0.0.0" ? "localhost" : flags.host;
process.stderr.write(`lhttp chat demo listening on http://${shown}:${running.port}/\n`);

const stop = () => {
  // Clients get 1001 at once; a hung drain must not keep the process alive.
  setTimeout(() => process.exit(0), 10_000).unref?.();
  void running.shutdown();
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
await running.finished;
process.stderr.write("lhttp chat demo stopped\n");
process.exit(0);
