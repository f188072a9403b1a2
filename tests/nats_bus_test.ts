// Two Deno lhttp nodes joined by a real nats-server: fan-out, binary frames,
// ordering, no double delivery, and NATS subscriptions following local ones.

import assert from "node:assert/strict";
import { Client, httpPublish, startDenoNode } from "./harness/cluster.ts";
import { skipNats, startNatsServer, waitFor } from "./harness/nats_server.ts";
import type { FrameData } from "../src/codec/frame.ts";
import { connectNats, NatsBus } from "../src/nats/mod.ts";

Deno.test({
  name: "nats bus: frames cross nodes once, in order, text and binary",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const a = startDenoNode({ servers: nats.url, subjectPrefix: "t1" });
    const b = startDenoNode({ servers: nats.url, subjectPrefix: "t1" });
    const clients: Client[] = [];
    try {
      await waitFor(() => a.bus.state === "connected" && b.bus.state === "connected", "buses");
      const [onA, onB, publisher] = await Promise.all([
        Client.open(a.url),
        Client.open(b.url),
        Client.open(a.url),
      ]);
      clients.push(onA, onB, publisher);
      await onA.subscribe("room.1");
      await onB.subscribe("room.1 other~x");
      await waitFor(() => b.bus.subscriptionCount === 2, "node b's NATS subscriptions");
      await waitFor(async () => {
        const subjects = await nats.subscriptions();
        return subjects.includes("t1.room.1") && subjects.includes("t1.other~7Ex");
      }, "subjects on the NATS server");

      // From a WebSocket on node a, then over HTTP on node b.
      for (let i = 0; i < 200; i++) await publisher.publish("room.1", `m${i}`);
      // Order holds per publisher (PROTOCOL.md section 3): an ack from node a says nothing of
      // when node b has the frames, so the second publisher starts once b has them all.
      await onB.waitForCount(200);
      assert.equal(await httpPublish(b.url, "room.1", "via-http"), 1);
      await onB.waitForCount(201);
      await onA.waitForCount(201);
      const expected = [...Array(200).keys()].map((i) => `m${i}`).concat("via-http");
      assert.deepEqual(onB.texts(), expected);
      assert.deepEqual(onA.texts(), expected);

      // Binary frames stay binary, byte for byte.
      const bytes = new Uint8Array(256).map((_, i) => i);
      await publisher.publish("other~x", bytes);
      await onB.waitForCount(202);
      const binary = onB.received[201].body;
      assert.ok(binary instanceof Uint8Array);
      assert.deepEqual(binary, bytes);

      // Nothing arrives twice (no echo of a node's own frames).
      await httpPublish(a.url, "room.1", "last");
      await onB.waitForCount(203);
      await onA.waitForCount(202);
      await publisher.unsubscribe("room.1").catch(() => {});
      assert.equal(onA.received.length, 202);
      assert.equal(a.bus.stats.received, 1); // only "via-http" came from elsewhere
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all([a.stop(), b.stop()]);
      await nats.stop();
    }
  },
});

Deno.test({
  name: "nats bus: one NATS subscription per channel, released with the last local subscriber",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const node = startDenoNode({ servers: nats.url, subjectPrefix: "t2" });
    const clients: Client[] = [];
    const subjects = async () => (await nats.subscriptions()).filter((s) => s.startsWith("t2."));
    try {
      await waitFor(() => node.bus.state === "connected", "bus");
      const [one, two] = await Promise.all([Client.open(node.url), Client.open(node.url)]);
      clients.push(one, two);
      await one.subscribe("shared solo");
      await two.subscribe("shared");
      await waitFor(async () => (await subjects()).length === 2, "two NATS subscriptions");
      assert.deepEqual((await subjects()).sort(), ["t2.shared", "t2.solo"]);

      await one.unsubscribe("shared");
      await waitFor(async () => (await subjects()).length === 2, "still two");
      await one.unsubscribe("solo");
      await waitFor(async () => (await subjects()).length === 1, "solo released");
      await two.close(); // closing the connection releases its channels too
      clients.pop();
      await waitFor(async () => (await subjects()).length === 0, "shared released");
      assert.equal(node.bus.subscriptionCount, 0);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await node.stop();
      await nats.stop();
    }
  },
});

Deno.test({
  name: "nats bus: frames larger than NATS max_payload are chunked and reassembled",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const a = startDenoNode({ servers: nats.url, subjectPrefix: "t3" });
    const b = startDenoNode({ servers: nats.url, subjectPrefix: "t3" });
    const clients: Client[] = [];
    try {
      await waitFor(() => a.bus.state === "connected" && b.bus.state === "connected", "buses");
      const [publisher, receiver] = await Promise.all([Client.open(a.url), Client.open(b.url)]);
      clients.push(publisher, receiver);
      await receiver.subscribe("big");
      await waitFor(() => b.bus.subscriptionCount === 1, "subscription");
      // Fits lhttp's default 1 MiB frame limit, but not NATS's 1 MB max_payload with the envelope.
      const text = "é".repeat(500_000) + "x".repeat(40_000);
      const bytes = new Uint8Array(1_040_000).map((_, i) => i * 7);
      await publisher.publish("big", text);
      await publisher.publish("big", bytes);
      await receiver.waitForCount(2);
      assert.equal(receiver.received[0].body, text);
      assert.deepEqual(receiver.received[1].body, bytes);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all([a.stop(), b.stop()]);
      await nats.stop();
    }
  },
});

Deno.test({
  name: "nats bus: an injected connection is shared, echo is filtered by node id, left open",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    // One connection with echo on, shared by two hubs: only the node id tells their frames apart.
    const nc = await connectNats({ servers: nats.url, connectOptions: { noEcho: false } });
    const one = new NatsBus({ connection: nc, subjectPrefix: "t4" });
    const two = new NatsBus({ connection: nc, subjectPrefix: "t4" });
    const got: Record<string, FrameData[]> = { one: [], two: [] };
    try {
      one.start((_channel, data) => got.one.push(data));
      two.start((_channel, data) => got.two.push(data));
      assert.equal(one.state, "connected");
      one.subscribe("x.y");
      two.subscribe("x.y");
      await nc.flush();
      // The hub hands a bus serialized frames: text, or bytes for a binary frame.
      const text = "LHTTP/1.0 chat\r\npublish:x.y\r\n\r\nfrom one";
      const binary = new TextEncoder().encode("LHTTP/1.0 chat\r\npublish:x.y\r\n\r\n\x07");
      one.publish("x.y", text);
      two.publish("x.y", binary);
      await waitFor(() => got.one.length === 1 && got.two.length === 1, "one frame each");
      await nc.flush();
      assert.deepEqual(got, { one: [binary], two: [text] });
      await one.close();
      await two.close();
      assert.equal(nc.isClosed(), false); // the caller owns it
      assert.equal(one.subscriptionCount + two.subscriptionCount, 0);
    } finally {
      await nc.close();
      await nats.stop();
    }
  },
});
