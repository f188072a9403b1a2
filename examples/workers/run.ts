// `deno task start:workers`: the chat demo in local workerd (no Wrangler, no
// login, no network): bundles examples/workers/worker.ts, serves the page
// from examples/chat/, and listens on http://localhost:8081/ (--port N).
// Needs workerd from npm: see .ci/run, or set LHTTP_WORKERD.

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startWorkerd } from "../../tests/harness/workerd.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "8081" },
    host: { type: "string", default: "127.0.0.1" },
  },
});
const worker = await startWorkerd("examples/workers/worker.ts", {
  address: `${values.host}:${values.port}`,
  assets: fileURLToPath(new URL("../chat/", import.meta.url)),
});
console.error(`lhttp chat demo on workerd: http://localhost:${worker.port}/ (Ctrl-C stops)`);
const stop = async () => {
  await worker.stop();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
