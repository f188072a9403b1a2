// Fixture process for the compression tests and the benchmark, the same
// source on every runtime: an lhttp server with permessage-deflate on (or off
// with --off), frames up to --max-frame-bytes, on a free loopback port; prints
// `PORT <n>` and stops on SIGTERM.

import process from "node:process";
import { parseArgs } from "node:util";
import { serve } from "../../src/adapters/serve.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    off: { type: "boolean", default: false },
    "min-bytes": { type: "string", default: "256" },
    "max-frame-bytes": { type: "string", default: "1048576" },
    transport: { type: "string" },
  },
});
const server = new LhttpServer({
  compression: values.off ? false : { minBytes: Number(values["min-bytes"]) },
  limits: { maxFrameBytes: Number(values["max-frame-bytes"]) },
  maxBufferedBytes: 64 * 1024 * 1024,
  pacing: false,
});
const running = await serve(server, {
  port: 0,
  hostname: "127.0.0.1",
  transport: values.transport === "web" ? "web" : undefined,
});
process.stdout.write(`PORT ${running.port}\n`);
process.once("SIGTERM", () => void running.shutdown());
await running.finished;
process.exit(0);
