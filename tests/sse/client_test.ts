// The JS client falls back to SSE by itself when WebSocket fails before it
// opens, with the same API: on Deno, Bun and Node 20 (client and server on
// the same runtime, the server a real `lhttp serve`), and the switch back to
// WebSocket once one opens again.

import assert from "node:assert/strict";
import { bundle } from "../harness/bundle.ts";
import { RUNTIMES } from "../harness/runtimes.ts";
import { startServe } from "../harness/serve_child.ts";
import { LhttpClient } from "../../src/client/mod.ts";
import { serveDeno } from "../../src/adapters/deno.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";

const ENTRY = "tests/sse/_fallback_client.ts";

for (const name of ["deno", "bun", "node20"]) {
  Deno.test(`${name}: a client whose WebSocket is blocked subscribes and publishes over SSE`, async () => {
    const server = await startServe(name);
    try {
      const runtime = RUNTIMES.find((candidate) => candidate.name === name)!;
      const command = name === "deno"
        ? [Deno.execPath(), "run", "-A", ENTRY]
        : [(await runtime.command(ENTRY))[0], await bundle(ENTRY)];
      const { code, stdout, stderr } = await new Deno.Command(command[0], {
        args: [...command.slice(1), server.url],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(stdout);
      assert.equal(code, 0, new TextDecoder().decode(stderr));
      const result = JSON.parse(out.trim().split("\n").pop()!);
      assert.deepEqual(result.got, ["over sse\r\nwith a line", "bytes:0,1,255"]);
      assert.equal(result.retries, 2, "two blocked WebSockets, then SSE");
      assert.equal(result.state, "open");
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
}

Deno.test("deno: on SSE the client tries WebSocket again and switches back once one opens", async () => {
  const server = new LhttpServer();
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
  let blocked = true;
  const transports: string[] = [];
  class SometimesBlocked extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(blocked ? url.replace(/:\d+/, ":1") : url, protocols);
    }
  }
  // Fake timers for the probe only: the test fires it by hand.
  const probes: Array<() => void> = [];
  const clock = {
    setTimeout: (callback: () => void, ms: number) =>
      ms >= 1000 ? probes.push(callback) : setTimeout(callback, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as number),
  };
  const client = new LhttpClient(`ws://127.0.0.1:${running.port}/`, {
    WebSocket: SometimesBlocked,
    fallback: { after: 1, retryWebSocket: 5000 },
    reconnect: { initialDelay: 5, maxDelay: 10 },
    clock,
  });
  client.on(
    "open",
    () => transports.push([...server.connections.values()].at(-1)!.peer.constructor.name),
  );
  try {
    await client.subscribe("room").ready;
    assert.deepEqual(transports, ["SsePeer"]);
    blocked = false;
    const reopened = new Promise<void>((resolve) => client.on("open", () => resolve()));
    probes.shift()!();
    await reopened;
    assert.notEqual(transports[1], "SsePeer", "back on WebSocket");
    const got = new Promise<string>((resolve) =>
      client.on("frame", (frame) => frame.headers.get("publish") && resolve(String(frame.body)))
    );
    await client.publish("room", "after the switch");
    assert.equal(await got, "after the switch");
  } finally {
    await client.close();
    await running.shutdown();
  }
});
