// The server `scripts/load.ts` measures, the same source on every runtime
// (Deno runs it, Bun and Node run its bundle): production defaults, on a free
// loopback port. Prints `PORT <n>`; SIGTERM shuts it down (exit 0).
//
//   deno run -A scripts/_load_server.ts [--slow-consumer drop] [--no-pacing] [--publish-token T]

import process from "node:process";
import { parseArgs } from "node:util";
import { serve } from "../src/adapters/serve.ts";
import { LhttpServer } from "../src/server/lhttp_server.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    "max-buffered-bytes": { type: "string" },
    "slow-consumer": { type: "string", default: "close" },
    "no-pacing": { type: "boolean", default: false },
    "publish-token": { type: "string" },
  },
});
const buffered = values["max-buffered-bytes"];
const server = new LhttpServer({
  maxBufferedBytes: buffered === undefined ? undefined : Number(buffered),
  slowConsumer: values["slow-consumer"] === "drop" ? "drop" : "close",
  pacing: values["no-pacing"] ? false : undefined,
  publishToken: values["publish-token"],
});
const running = await serve(server, { port: 0, hostname: "127.0.0.1" });
process.stdout.write(`PORT ${running.port}\n`);
process.once("SIGTERM", () => void running.shutdown());
await running.finished;
process.exit(0);
