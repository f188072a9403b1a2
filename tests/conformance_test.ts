// The conformance suite against a real fixture server on each runtime:
// Deno, Bun, Node 20 and Node 24, each as its own test with steps.

import { conformance } from "./conformance/suite.ts";
import { startUpstream } from "./conformance/_upstream.ts";
import { RUNTIMES, startChild } from "./harness/runtimes.ts";

// Deno's own WebSocket server (the "web" transport: Deno.upgradeWebSocket) drops
// the TCP connection without a close frame when a text message is not UTF-8, and
// when it closes a socket while the peer's frames are still arriving; nothing in
// JavaScript sees those frames first. Deno's default transport (node:http and ws)
// closes with the codes.
const DENO_ABRUPT_CLOSE = "Deno's WebSocket layer drops the connection for 1007 and busy 1008";

const TARGETS = [
  ...RUNTIMES.map((runtime) => ({ name: runtime.name, runtime, args: [] as string[] })),
  {
    name: "deno (web transport)",
    runtime: RUNTIMES.find((runtime) => runtime.name === "deno")!,
    args: ["--transport", "web"],
  },
];

for (const { name, runtime, args } of TARGETS) {
  Deno.test(`conformance on ${name}`, async (t) => {
    const upstream = startUpstream();
    const child = await startChild(runtime, "tests/fixtures/serve_fixture.ts", [
      "--upstream",
      upstream.url,
      ...args,
    ]);
    try {
      await conformance(t, {
        url: `http://127.0.0.1:${child.port}`,
        upstream: upstream.url,
        abruptClose: args.includes("web") ? DENO_ABRUPT_CLOSE : undefined,
      });
    } catch (error) {
      throw new Error(`${name} fixture output:\n${child.output()}`, { cause: error });
    } finally {
      await child.stop();
      await upstream.shutdown();
    }
  });
}
