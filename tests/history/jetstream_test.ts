// The JetStream history engine with real processes, on one JetStream
// nats-server with file storage: nats-server restarted mid-traffic (history
// kept, same epoch), the stream recreated (a new epoch, `recovered: false`),
// and a small recovery storm where each connection recovers its own gap. The
// full-scale faults are in node_death_test.ts (kill -9 a node under 100
// clients, three runtimes) and storm_test.ts (1000 connections).

import assert from "node:assert/strict";
import { skipNats } from "../harness/nats_server.ts";
import { startJetStream } from "../harness/jetstream_nodes.ts";
import { type Frame, LhttpClient, type SubscribedEvent } from "../../src/client/mod.ts";
import { within } from "../client/_guard.ts";
import { RawPeer } from "./_raw.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { serveDeno } from "../../src/adapters/deno.ts";
import { connectNats } from "../../src/nats/mod.ts";
import { JetStreamHistory } from "../../src/jetstream/mod.ts";
import { jetstreamManager } from "@nats-io/jetstream";

async function waitUntil(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((resolve) => setTimeout(resolve, 20));
}

Deno.test({
  name: "nats-server restarts: history is still there; a recreated stream is a new epoch",
  ignore: skipNats,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const nats = await startJetStream();
    const connection = await connectNats({ servers: nats.url });
    const rules = [{ prefix: "chat.", size: 100, ttlMs: 3_600_000 }];
    const history = await JetStreamHistory.create({ connection, rules });
    let server = new LhttpServer({ history });
    let running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
    const port = running.port;
    const client = new LhttpClient(`ws://127.0.0.1:${port}/`, {
      reconnect: { initialDelay: 50, maxDelay: 200 },
    });
    const bodies: string[] = [];
    const events: SubscribedEvent[] = [];
    client.on("subscribed", (event) => void events.push(event));
    client.subscribe("chat.room", (frame: Frame) => void bodies.push(String(frame.body)));
    let replacement: JetStreamHistory | undefined;
    try {
      await within(waitUntil(() => events.length === 1), "position");
      for (let i = 0; i < 5; i++) server.publish("chat.room", { command: "chat", body: `a${i}` });
      await within(waitUntil(() => bodies.length === 5), "before the restart");
      await nats.restart();
      await within(waitFor(() => history.top("chat.room")), "NATS back");
      for (let i = 0; i < 3; i++) server.publish("chat.room", { command: "chat", body: `b${i}` });
      await within(waitUntil(() => bodies.length === 8), "after the restart");
      const kept = await client.history("chat.room");
      assert.deepEqual(kept.publications.map((frame) => String(frame.body)), bodies);
      assert.equal(kept.epoch, history.epoch, "the same stream, the same epoch");
      assert.equal(kept.offset, 8);

      // The stream is lost and recreated: nodes restart with a new epoch.
      await running.shutdown();
      await history.close();
      await (await jetstreamManager(connection)).streams.delete("LHTTP_HISTORY");
      await new Promise((resolve) => setTimeout(resolve, 10)); // creation times differ
      replacement = await JetStreamHistory.create({ connection, rules });
      assert.notEqual(replacement.epoch, history.epoch);
      server = new LhttpServer({ history: replacement });
      running = serveDeno(server, { port, hostname: "127.0.0.1" });
      await within(waitUntil(() => events.length === 2), "resubscribed");
      assert.deepEqual(
        [events[1].wasRecovering, events[1].recovered, events[1].epoch],
        [true, false, replacement.epoch],
      );
      server.publish("chat.room", { command: "chat", body: "fresh" });
      await within(waitUntil(() => bodies.length === 9), "the new stream live");
      assert.equal(bodies[8], "fresh");
      assert.equal(await nats.consumers(), 0);
    } finally {
      await client.close();
      await running.shutdown();
      await replacement?.close();
      await connection.close();
      await nats.stop();
    }
  },
});

async function waitFor(read: () => Promise<unknown>): Promise<void> {
  for (;;) {
    try {
      await read();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

Deno.test({
  name: "a reconnect storm: 100 connections recover at once, each exactly its gap; no consumers",
  ignore: skipNats,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const nats = await startJetStream();
    const connection = await connectNats({ servers: nats.url });
    const rules = [{ prefix: "chat.", size: 500, ttlMs: 3_600_000 }];
    const history = await JetStreamHistory.create({ connection, rules });
    const server = new LhttpServer({ history });
    const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
    const peers: RawPeer[] = [];
    try {
      for (let i = 0; i < 60; i++) server.publish("chat.storm", { command: "chat", body: `m${i}` });
      await within(
        waitUntil2(async () => (await history.last("chat.storm", 100)).length === 60),
        "stored",
      );
      const stored = await history.last("chat.storm", 100);
      const offsets = stored.map((p) => p.offset);
      const url = `ws://127.0.0.1:${running.port}/`;
      for (let i = 0; i < 100; i++) peers.push(await RawPeer.open(url));
      // Each peer saw a different prefix: peer i recovers from the (i % 50)th message.
      for (const [i, peer] of peers.entries()) {
        peer.send(
          `LHTTP/1.0 subscribe\r\nsubscribe:chat.storm\r\nrecover:chat.storm,${
            offsets[i % 50]
          },${history.epoch}\r\nack:s\r\n\r\n`,
        );
      }
      await within(
        Promise.all(
          peers.map((peer) => peer.until((all) => all.some((m) => m.includes("\r\nack:s\r\n")))),
        ),
        "every recovery",
      );
      for (const [i, peer] of peers.entries()) {
        const got = peer.received.filter((m) => m.includes("\r\npublish:")).map((m) =>
          Number(/\r\noffset:(\d+)/.exec(m)![1])
        );
        assert.deepEqual(got, offsets.slice((i % 50) + 1), `peer ${i}`);
        const position = peer.received.find((m) => m.startsWith("LHTTP/1.0 position"))!;
        assert.match(position, /\r\nrecovered:true\r\n/);
      }
      assert.equal(await nats.consumers(), 0);
    } finally {
      await Promise.all(peers.map((peer) => peer.close()));
      await running.shutdown();
      await history.close();
      await connection.close();
      await nats.stop();
    }
  },
});

async function waitUntil2(test: () => Promise<boolean>): Promise<void> {
  while (!(await test())) await new Promise((resolve) => setTimeout(resolve, 20));
}
