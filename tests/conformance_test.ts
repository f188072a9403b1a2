// The conformance suite against a real fixture server on each runtime:
// Deno, Bun, Node 20 and Node 24, each as its own test with steps.

import { conformance } from "./conformance/suite.ts";
import { startUpstream } from "./conformance/_upstream.ts";
import { RUNTIMES, startChild } from "./_runtimes.ts";

// Deno's WebSocket server drops the TCP connection without a close frame when
// a text message is not UTF-8, and when it closes a socket while the peer's
// frames are still arriving; nothing in JavaScript sees those frames first.
const DENO_ABRUPT_CLOSE = "Deno's WebSocket layer drops the connection for 1007 and busy 1008";

for (const runtime of RUNTIMES) {
  Deno.test(`conformance on ${runtime.name}`, async (t) => {
    const upstream = startUpstream();
    const child = await startChild(runtime, "tests/fixtures/serve_fixture.ts", [
      "--upstream",
      upstream.url,
    ]);
    try {
      await conformance(t, {
        url: `http://127.0.0.1:${child.port}`,
        upstream: upstream.url,
        abruptClose: runtime.name === "deno" ? DENO_ABRUPT_CLOSE : undefined,
      });
    } catch (error) {
      throw new Error(`${runtime.name} fixture output:\n${child.output()}`, { cause: error });
    } finally {
      await child.stop();
      await upstream.shutdown();
    }
  });
}
