// The conformance suite's pub/sub steps (tests/conformance/_protocol_steps.ts)
// over the SSE fallback instead of WebSocket, against the fixture server on
// Deno, Bun and Node 20. The suite's sockets are WebSockets; here each one is
// an SSE session behind the same surface (the client's SseSocket: GET /sse
// down, POST /sse/<id> up).

import assert from "node:assert/strict";
import { protocolSteps } from "../conformance/_protocol_steps.ts";
import { Sockets } from "../conformance/_client.ts";
import { startUpstream } from "../conformance/_upstream.ts";
import { RUNTIMES, startChild } from "../_runtimes.ts";
import { SseSocket, sseUrl } from "../../src/client/sse_socket.ts";

class SseAsWebSocket extends SseSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static made = 0;
  constructor(url: string) {
    super(sseUrl(url));
    SseAsWebSocket.made++;
  }
}

for (const name of ["deno", "bun", "node20"]) {
  Deno.test(`conformance pub/sub steps over SSE on ${name}`, async (t) => {
    const runtime = RUNTIMES.find((candidate) => candidate.name === name)!;
    const upstream = startUpstream();
    const child = await startChild(runtime, "tests/fixtures/serve_fixture.ts", [
      "--upstream",
      upstream.url,
    ]);
    const url = `http://127.0.0.1:${child.port}`;
    const real = globalThis.WebSocket;
    globalThis.WebSocket = SseAsWebSocket as unknown as typeof WebSocket;
    try {
      const before = SseAsWebSocket.made;
      for (const step of protocolSteps) {
        await t.step(step.name, async () => {
          const sockets = new Sockets(url.replace(/^http/, "ws") + "/");
          try {
            await step.run(sockets, { url, upstream: upstream.url });
          } finally {
            await sockets.closeAll();
          }
        });
      }
      assert.ok(SseAsWebSocket.made - before >= 10, "the steps' sockets were SSE sessions");
    } catch (error) {
      throw new Error(`${name} fixture output:\n${child.output()}`, { cause: error });
    } finally {
      globalThis.WebSocket = real;
      await child.stop();
      await upstream.shutdown();
    }
  });
}
