// The conformance suite's steps (protocol, channels, errors, contract) over
// the SSE fallback instead of WebSocket, against the fixture server on Deno,
// Bun and Node 20. The suite's sockets are WebSockets; here each one is an SSE
// session behind the same surface (the client's SseSocket: GET /sse down,
// POST /sse/<id> up), so an oversize frame's 413 is seen as 1009, as the
// client sees it. Left out: the subprotocol handshake, which SSE has not;
// steps that speak raw TCP (rawUpgrade) still test WebSocket.

import assert from "node:assert/strict";
import { protocolSteps } from "../conformance/_protocol_steps.ts";
import { channelSteps } from "../conformance/_channel_steps.ts";
import { errorSteps } from "../conformance/_error_steps.ts";
import { contractSteps } from "../conformance/_contract_steps.ts";
import { Sockets } from "../harness/ws_client.ts";
import { startUpstream } from "../conformance/_upstream.ts";
import { RUNTIMES, startChild } from "../harness/runtimes.ts";
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

// The WebSocket handshake's subprotocol has no SSE counterpart.
const WEBSOCKET_ONLY = /subprotocol/;

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
      const steps = [...protocolSteps, ...channelSteps, ...errorSteps, ...contractSteps];
      for (const step of steps.filter((step) => !WEBSOCKET_ONLY.test(step.name))) {
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
