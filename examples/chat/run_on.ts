// Runs the chat demo's server (server.ts) on another runtime, with the same flags:
//
//   deno run -A examples/chat/run_on.ts bun --port 8082
//   deno run -A examples/chat/run_on.ts node20
//
// Bun and Node run a bundle of server.ts (they cannot read deno.json's import
// map); runtimes: deno, bun, node20, node24 (see tests/harness/runtimes.ts).

import { RUNTIMES } from "../../tests/harness/runtimes.ts";

const [name, ...args] = Deno.args;
const runtime = RUNTIMES.find((candidate) => candidate.name === name);
if (!runtime) {
  console.error(
    `Usage: run_on.ts <${RUNTIMES.map((r) => r.name).join("|")}> [server.ts flags...]` +
      (name ? `\nUnknown runtime ${JSON.stringify(name)}` : ""),
  );
  Deno.exit(2);
}
const entry = new URL("server.ts", import.meta.url).pathname;
// The bundle lives elsewhere, so it is told where the page's files are; a --static given wins.
const folder = new URL(".", import.meta.url).pathname;
const [program, ...lead] = await runtime.command(entry);
const child = new Deno.Command(program, {
  args: [...lead, "--static", folder, ...args],
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
// The child gets the signal too when it comes from a terminal; forwarding covers `kill`.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  });
}
Deno.exit((await child.status).code);
