// Reliability faults with real processes, per runtime (issue: memory
// amplification on POST /publish, peers that never go away, shutdown that
// never ends). Memory is measured as the child's RSS.

import assert from "node:assert/strict";
import { rawUpgrade, sendRawFrame } from "./harness/ws_client.ts";
import { backTo, load } from "./harness/hardening_steps.ts";
import { startServe } from "./harness/serve_child.ts";

const RUNTIMES = ["deno", "bun", "node20"];
const text = (value: string) => new TextEncoder().encode(value);

async function rssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+) kB/)![1]) / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const runtime of RUNTIMES) {
  Deno.test(`${runtime}: a POST /publish body trickled byte by byte costs what it is, not 45 KB a byte`, async () => {
    const server = await startServe(runtime, []);
    const sockets: Deno.TcpConn[] = [];
    try {
      const { hostname, port } = new URL(server.url);
      const before = await rssMiB(server.pid);
      for (let i = 0; i < 5; i++) {
        const conn = await Deno.connect({ hostname, port: Number(port) });
        conn.setNoDelay(true);
        await conn.write(text(
          `POST /publish HTTP/1.1\r\nHost: ${hostname}\r\nContent-Length: 1048576\r\n\r\n` +
            "LHTTP/1.0 chat\r\npublish:trickle\r\n\r\n",
        ));
        sockets.push(conn);
      }
      // 5 × 600 body bytes, one byte per TCP segment: about 130 MB retained before the fix.
      for (let round = 0; round < 600; round++) {
        for (const conn of sockets) await conn.write(text("x"));
        await sleep(1); // one byte per read on the server, not a coalesced burst
      }
      await sleep(200);
      const grown = await rssMiB(server.pid) - before;
      assert.ok(grown < 40, `RSS grew ${grown.toFixed(1)} MiB for 3000 trickled bytes`);
    } finally {
      for (const conn of sockets) conn.close();
      assert.equal(await server.stop(), 0, server.output());
    }
  });

  Deno.test(`${runtime}: subscribers that stop reading are gone from every count once closed as slow`, async () => {
    const server = await startServe(runtime, [
      "--idle-timeout",
      "60",
      "--max-buffered-bytes",
      "65536",
    ]);
    const peers: Deno.TcpConn[] = [];
    try {
      const base = await load(server.url);
      for (let i = 0; i < 10; i++) {
        const { status, conn } = await rawUpgrade(server.url.replace("http", "ws") + "/");
        assert.equal(status, 101);
        await sendRawFrame(conn, 1, text("LHTTP/1.0 sub\r\nsubscribe:stalled\r\n\r\n"));
        peers.push(conn);
      }
      await backTo(server.url, [base[0] + 10, base[1] + 10], "the stalled subscriptions");
      const big = "LHTTP/1.0 chat\r\npublish:stalled\r\n\r\n" + "z".repeat(80_000);
      for (let i = 0; i < 200; i++) {
        const response = await fetch(`${server.url}/publish`, { method: "POST", body: big });
        await response.body?.cancel();
        const [connections] = await load(server.url);
        if (connections === base[0]) break;
      }
      // Closed by the server (4008) means released at once, whatever the peer's socket does.
      await backTo(server.url, base, "the slow consumers to be released");
    } finally {
      for (const peer of peers) peer.close();
      await server.stop();
    }
  });

  Deno.test(`${runtime}: shutdown ends the process by the drain deadline, even with a peer that never reads`, async () => {
    const server = await startServe(
      runtime,
      ["--drain-timeout", "2", "--max-buffered-bytes", "65536"],
      { timeoutMs: 30_000 }, // killed (a non-zero exit) if it outlives the drain deadline by far
    );
    const base = await load(server.url);
    const { status, conn } = await rawUpgrade(server.url.replace("http", "ws") + "/");
    try {
      assert.equal(status, 101);
      await sendRawFrame(conn, 1, text("LHTTP/1.0 sub\r\nsubscribe:never-read\r\n\r\n"));
      const big = "LHTTP/1.0 chat\r\npublish:never-read\r\n\r\n" + "z".repeat(80_000);
      for (let i = 0; i < 200; i++) {
        const response = await fetch(`${server.url}/publish`, { method: "POST", body: big });
        await response.body?.cancel();
        if ((await load(server.url))[0] === base[0]) break;
      }
      await backTo(server.url, base, "the peer to be closed as a slow consumer");
      // The child launcher kills what is still alive after its own timeout; exit code 0 means
      // the process ended by itself.
      assert.equal(await server.stop(), 0, server.output());
    } finally {
      conn.close();
    }
  });
}
