// Runs this clone's `lhttp` CLI on another runtime, with the same arguments:
//
//   deno run -A scripts/lhttp_on.ts bun serve --static examples/chat
//   deno run -A scripts/lhttp_on.ts node20 serve --port 8082
//
// Bun and Node run a bundle of the sources (they cannot read deno.json's
// import map); runtimes: deno, bun, node20, node24 (see tests/harness/runtimes.ts).

import { RUNTIMES } from "../tests/harness/runtimes.ts";

const [name, ...args] = Deno.args;
const runtime = RUNTIMES.find((candidate) => candidate.name === name);
if (!runtime) {
  console.error(
    `Usage: lhttp_on.ts <${RUNTIMES.map((r) => r.name).join("|")}> <lhttp arguments...>` +
      (name ? `\nUnknown runtime ${JSON.stringify(name)}` : ""),
  );
  Deno.exit(2);
}
const entry = new URL("../tests/fixtures/cluster_cli.ts", import.meta.url).pathname;
const [program, ...lead] = await runtime.command(entry);
const child = new Deno.Command(program, {
  args: [...lead, ...args],
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
