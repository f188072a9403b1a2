// Three `lhttp serve --nats` nodes on Deno, Bun and Node (Node over NATS's
// WebSocket port, through the `ws` package), with a client on each.

import assert from "node:assert/strict";
import { Client, healthBus, httpPublish } from "./harness/cluster.ts";
import { type CliNode, startCliNode } from "./harness/cli_node.ts";
import { skipNats, startNatsServer, waitFor } from "./harness/nats_server.ts";

Deno.test({
  name: "nats runtimes: Deno, Bun and Node nodes fan out to each other and survive a NATS restart",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer({ websocket: true });
    const nodes: CliNode[] = [];
    const clients: Client[] = [];
    try {
      const common = ["--log-level", "info", "--nats-prefix", "rt"];
      nodes.push(
        ...await Promise.all([
          startCliNode("deno", ["--nats", nats.url, ...common]),
          startCliNode("bun", ["--nats", nats.url, ...common]),
          startCliNode("node20", ["--nats", nats.wsUrl!, ...common]),
        ]),
      );
      const allConnected = async () =>
        (await Promise.all(nodes.map((node) => healthBus(node.url)))).every((s) =>
          s === "connected"
        );
      await waitFor(allConnected, "every node's bus connected");
      clients.push(...await Promise.all(nodes.map((node) => Client.open(node.url))));
      await Promise.all(clients.map((client) => client.subscribe("room.all")));
      const roomSubs = async () =>
        (await nats.subscriptions()).filter((subject) => subject === "rt.room.all").length;
      await waitFor(async () => (await roomSubs()) === 3, "three NATS subscriptions");

      // Every client publishes 20 frames through its own node; all see all, in order per publisher.
      for (let i = 0; i < 20; i++) {
        await Promise.all(clients.map((client, n) => client.publish("room.all", `${n}:${i}`)));
      }
      for (const client of clients) await client.waitForCount(60);
      for (const client of clients) {
        assert.equal(client.received.length, 60);
        for (let n = 0; n < 3; n++) {
          const fromN = client.texts().filter((text) => text.startsWith(`${n}:`));
          assert.deepEqual(fromN, [...Array(20).keys()].map((i) => `${n}:${i}`));
        }
      }

      // POST /publish on each node; binary frames from the Node-side client.
      for (const node of nodes) await httpPublish(node.url, "room.all", `http-${node.runtime}`);
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      await clients[2].publish("room.all", bytes);
      for (const client of clients) await client.waitForCount(64);
      for (const client of clients) {
        assert.deepEqual(client.texts().slice(60, 63).sort(), [
          "http-bun",
          "http-deno",
          "http-node20",
        ]);
        assert.deepEqual(client.received[63].body, bytes);
      }

      // NATS killed and restarted: each node reconnects on its own.
      await nats.kill();
      await waitFor(
        async () =>
          (await Promise.all(nodes.map((node) => healthBus(node.url)))).every((s) =>
            s === "disconnected"
          ),
        "every node disconnected",
      );
      await nats.restart();
      await waitFor(allConnected, "every node reconnected", 20_000);
      await waitFor(async () => (await roomSubs()) === 3, "subscriptions restored");
      await clients[0].publish("room.all", "after-restart");
      for (const client of clients) {
        await waitFor(() => client.texts().includes("after-restart"), "frame after restart");
      }
      for (const node of nodes) {
        assert.equal(node.lines.filter((line) => line.includes("NATS bus disconnected")).length, 1);
        assert.equal(node.lines.filter((line) => line.includes("NATS bus reconnected")).length, 1);
      }

      // Unsubscribing on Bun releases its NATS subscription.
      await clients[1].unsubscribe("room.all");
      await waitFor(async () => (await roomSubs()) === 2, "bun's subscription released");

      // The Bun node crashes: Deno and Node keep talking.
      await clients[1].close();
      clients.splice(1, 1);
      await nodes[1].kill();
      nodes.splice(1, 1);
      await httpPublish(nodes[0].url, "room.all", "after-crash");
      await waitFor(() => clients[1].texts().includes("after-crash"), "deno → node after crash");
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(nodes.map((node) => node.stop()));
      await nats.stop();
    }
  },
});
