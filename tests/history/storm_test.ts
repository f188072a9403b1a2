// A recovery storm on JetStream (issue 16): one JetStream nats-server, one
// lhttp node (a child process, so its memory is its own), a channel with
// history, and 1000 raw WebSocket connections that all subscribe with a
// `recover` position at once. Each must receive exactly the publications after
// its position, in order, then `recovered: true`; the server holds no consumer
// during the storm or after; the node's RSS stays under a stated bound.
//
// Scaled for a test on two shared cores: 1000 connections × 100 missed
// publications (100k deliveries, 100k direct gets: the engine reads once per
// message per recovery). scripts/bench_recovery.ts runs the full 1000 × 1000.
// The storm's duration is printed, not asserted.

import assert from "node:assert/strict";
import { skipNats } from "../harness/nats_server.ts";
import { startJetStream, startJsNode } from "../harness/jetstream_nodes.ts";
import { LhttpClient } from "../../src/client/mod.ts";
import { within } from "../client/_guard.ts";
import { RawPeer } from "./_raw.ts";

const CONNECTIONS = 1000;
const MISSED = 100;
// The node's resident memory during the storm: 1000 connections, each
// recovery holding its 100 frames until its last read, and the garbage of
// 100k direct gets. Measured 370-450 MB peak on Deno 2.9 (100-110 MB idle),
// depending on when the collector runs; the bound catches what grows with
// more than connections × missed messages (a read or a frame kept per
// delivery, replays buffered again per socket).
const RSS_BOUND = 768 * 1024 * 1024;

Deno.test({
  name: "a recovery storm: 1000 connections recover 100 messages each at once, no consumer",
  ignore: skipNats,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const nats = await startJetStream();
    const node = await startJsNode("deno", nats.url);
    const peers: RawPeer[] = [];
    try {
      for (let i = 0; i <= MISSED; i++) {
        const response = await fetch(`${node.url}/publish`, {
          method: "POST",
          body: `LHTTP/1.0 chat\r\npublish:chat.storm\r\nnick:ann\r\n\r\nm${i}`,
        });
        assert.equal(response.status, 200, await response.text());
      }
      const reader = new LhttpClient(node.url.replace("http", "ws") + "/");
      let stored = await reader.history("chat.storm", { limit: 1000 });
      while (stored.publications.length <= MISSED) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        stored = await reader.history("chat.storm", { limit: 1000 });
      }
      await reader.close();
      const offsets = stored.publications.map((frame) => Number(frame.headers.get("offset")));
      assert.deepEqual(
        stored.publications.map((frame) => String(frame.body)),
        Array.from({ length: MISSED + 1 }, (_, i) => `m${i}`),
      );
      const url = node.url.replace("http", "ws") + "/";
      for (let i = 0; i < CONNECTIONS; i += 50) {
        peers.push(...await Promise.all(Array.from({ length: 50 }, () => RawPeer.open(url))));
      }
      const idle = node.rss();

      // Watch the server while the storm runs: consumers and the node's memory.
      let storming = true;
      let peak = idle;
      const consumers: number[] = [];
      const watching = (async () => {
        while (storming) {
          peak = Math.max(peak, node.rss());
          consumers.push(await nats.consumers());
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const start = performance.now();
      const subscribe = `LHTTP/1.0 subscribe\r\nsubscribe:chat.storm\r\nrecover:chat.storm,${
        offsets[0]
      },${stored.epoch}\r\nack:s\r\n\r\n`;
      for (const peer of peers) peer.send(subscribe);
      const answered = (all: string[]) => all.some((m) => m.includes("\r\nack:s\r\n"));
      await within(
        Promise.all(peers.map((peer) => peer.until(answered, "recovery"))),
        "every recovery",
        240_000,
      );
      const ms = performance.now() - start;
      storming = false;
      await watching;

      const expected = offsets.slice(1);
      for (const [i, peer] of peers.entries()) {
        const replay = peer.received.filter((m) => m.includes("\r\npublish:chat.storm\r\n"));
        assert.deepEqual(
          replay.map((m) => Number(/\r\noffset:(\d+)\r\n/.exec(m)![1])),
          expected,
          `connection ${i}: each missed publication once, in order`,
        );
        assert.equal(replay.at(-1)!.slice(replay.at(-1)!.lastIndexOf("\n") + 1), `m${MISSED}`);
        const position = peer.received.find((m) => m.startsWith("LHTTP/1.0 position\r\n"));
        assert.match(position ?? "", /\r\nrecovered:true\r\n/, `connection ${i}`);
        assert.ok(peer.received.indexOf(position!) > peer.received.indexOf(replay.at(-1)!));
      }
      consumers.push(await nats.consumers());
      assert.ok(consumers.length > 1, "consumers were read during the storm");
      assert.deepEqual(new Set(consumers), new Set([0]), "no consumer during the storm or after");
      assert.ok(peak < RSS_BOUND, `node RSS peaked at ${peak} B (bound ${RSS_BOUND} B)`);
      console.log(
        `storm: ${CONNECTIONS} connections × ${MISSED} messages recovered in ${
          Math.round(ms)
        } ms; ` +
          `node RSS ${mb(idle)} MB idle, ${mb(peak)} MB peak; ` +
          `${consumers.length} consumer readings, all 0`,
      );
    } finally {
      await Promise.all(peers.map((peer) => peer.close()));
      await node.stop();
      await nats.stop();
    }
  },
});

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}
