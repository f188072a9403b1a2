// Production hardening over real sockets, per runtime, against `lhttp serve`:
// heartbeats close dead peers and release their subscriptions, abrupt
// disconnects mid-frame leave nothing behind, rate-limit excess, header bombs
// and CR/LF injection get their status or close code, and a shutdown under
// load closes every client with 1001 and exits 0.

import assert from "node:assert/strict";
import { TestSocket } from "./harness/ws_client.ts";
import { deadPeer, hostileFrames, load, midFrame, rateLimit } from "./harness/hardening_steps.ts";
import { type ServeChild, startServe, until } from "./harness/serve_child.ts";

const RUNTIMES = ["deno", "bun", "node20"];

// Close codes a dead peer may find once the server gave up on it: 4009 (idle,
// PROTOCOL.md), 1001/1011 (runtimes that close idle sockets themselves) or
// none at all (1006: the TCP connection was cut).
const IDLE_CLOSES = [4009, 1001, 1006, 1011];

for (const runtime of RUNTIMES) {
  Deno.test(`hardening on ${runtime}: heartbeats, torn frames, hostile headers, shutdown under load`, async (t) => {
    const server = await startServe(runtime, ["--idle-timeout", "2", "--drain-timeout", "10"]);
    try {
      const base = await load(server.url);
      await t.step("a peer that never answers pings is closed and released", async () => {
        const code = await (await deadPeer(server.url, base));
        assert.ok(IDLE_CLOSES.includes(code), `closed with ${code}`);
      });
      await t.step(
        "abrupt disconnects mid-frame release the connection",
        () => midFrame(server.url, base),
      );
      await t.step(
        "header bombs and CR/LF injection get their status",
        () => hostileFrames(server.url),
      );
      await t.step(
        "shutdown under load: every client sees 1001, exit 0",
        () => shutdownUnderLoad(server),
      );
    } finally {
      const code = await server.stop();
      assert.equal(code, 0, server.output());
    }
  });

  Deno.test(`rate limit on ${runtime}: 429 status frames, then close 1008`, async () => {
    const server = await startServe(runtime, ["--rate-limit", "1"]);
    try {
      await rateLimit(server.url);
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }
  });
}

// Subscribers only read (a client still writing when the server closes gets a
// TCP reset and may never see the close frame); the load is published over
// POST /publish, which the shutdown refuses once it stops accepting.
async function shutdownUnderLoad(server: ServeChild): Promise<void> {
  const clients: TestSocket[] = [];
  let publishing = true;
  let pump: Promise<void> | undefined;
  try {
    for (let i = 0; i < 20; i++) {
      const client = await TestSocket.open(server.url.replace("http", "ws") + "/");
      await client.request("LHTTP/1.0 sub\r\nsubscribe:busy\r\n\r\n");
      clients.push(client);
    }
    pump = (async () => {
      for (let sent = 0; publishing; sent++) {
        const response = await fetch(`${server.url}/publish`, {
          method: "POST",
          body: `LHTTP/1.0 load\r\npublish:busy\r\n\r\n${sent}`,
        });
        await response.body?.cancel();
      }
    })().catch(() => {}); // refused once the server stops accepting
    await until(() => clients.every((c) => c.inbox.length > 50), "frames flowing");
    const exit = server.stop();
    const codes = await Promise.all(clients.map((client) => client.closed.then((c) => c.code)));
    assert.deepEqual(codes, clients.map(() => 1001));
    assert.equal(await exit, 0, server.output());
  } finally {
    publishing = false;
    await pump;
    await Promise.all(clients.map((client) => client.close()));
  }
}
