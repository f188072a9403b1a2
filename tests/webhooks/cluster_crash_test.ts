// Crash-safe webhooks with real processes: three lhttp nodes on one JetStream
// nats-server, a receiver in the test, clients across the nodes; kill -9 one
// node; the receiver ends with exactly one disconnect per connection of the
// dead node (after de-duplication by id), from exactly one surviving node.

import assert from "node:assert/strict";
import { Kvm } from "@nats-io/kv";
import { connectNats } from "../../src/nats/connect.ts";
import { Client } from "../harness/cluster.ts";
import { skipNats, waitFor } from "../harness/nats_server.ts";
import { type ServeChild, spawnServe } from "../harness/serve_child.ts";
import { startJetStream } from "./_jetstream.ts";
import { startReceiver } from "./_receiver.ts";

const CLIENTS = 300;

Deno.test({
  name:
    "cluster webhooks: kill -9 one of three nodes, one surviving node reports each lost connection once",
  ignore: skipNats,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const nats = await startJetStream();
  const receiver = await startReceiver("cluster-secret");
  const nodes: { child: ServeChild; id: string }[] = [];
  const clients: Client[][] = [[], [], []];
  const nc = await connectNats({ servers: nats.url });
  try {
    for (let i = 0; i < 3; i++) {
      const child = await spawnServe(Deno.execPath(), [
        "run",
        "-A",
        "tests/webhooks/_cluster_node.ts",
        nats.url,
        receiver.url,
      ]);
      nodes.push({ child, id: child.output().match(/node (\w+)/)![1] });
    }
    for (let i = 0; i < CLIENTS; i++) {
      const client = await Client.open(nodes[i % 3].child.url);
      await client.request({ subscribe: `room${i % 10}`, "presence-info": `{"n":${i}}` });
      clients[i % 3].push(client);
    }
    const conns = await new Kvm(nc).open("lhttp_conns");
    const ledgered = async () => {
      let subscribed = 0;
      for await (const key of await conns.keys()) {
        if ((await conns.get(key))?.json<{ channels: string[] }>().channels.length) subscribed++;
      }
      return subscribed;
    };
    await waitFor(async () => await ledgered() === CLIENTS, "every connection in the ledger");
    await receiver.until((events) =>
      events.filter((e) => e.type === "subscribe").length === CLIENTS
    );

    const count = async (node: ServeChild, channel: string) =>
      (await (await fetch(`${node.url}/presence/${channel}?limit=0`)).json()).clients;
    const inRoom0 = (alive: (i: number) => boolean) =>
      Array.from({ length: CLIENTS }, (_, i) => i).filter((i) => i % 10 === 0 && alive(i)).length;
    for (const node of nodes) {
      await waitFor(
        async () => await count(node.child, "room0") === inRoom0(() => true),
        "presence",
      );
    }
    // Members of other nodes carry their info too.
    const page = await (await fetch(`${nodes[2].child.url}/presence/room0?limit=1000`)).json();
    assert.deepEqual(
      page.members.map((m: { info: { n: number } }) => m.info.n).sort((a: number, b: number) =>
        a - b
      ),
      Array.from({ length: CLIENTS / 10 }, (_, k) => k * 10),
    );
    const dead = nodes[1];
    const lost = new Set(
      receiver.events.filter((e) => e.type === "connect" && e.connection!.startsWith(`${dead.id}-`))
        .map((e) => e.connection!),
    );
    assert.equal(lost.size, CLIENTS / 3);
    await dead.child.stop("SIGKILL");
    await Promise.all(clients[1].map((client) => client.close()));

    const disconnects = () =>
      new Map(
        receiver.events.filter((e) => e.type === "disconnect" && lost.has(e.connection!))
          .map((e) => [e.id, e]),
      );
    await waitFor(
      () => disconnects().size === lost.size,
      "a disconnect per lost connection",
      30_000,
    );
    const unique = [...disconnects().values()];
    assert.deepEqual(
      new Set(unique.map((e) => e.connection)),
      lost,
      "one per connection, none missing",
    );
    assert.ok(unique.every((e) => e.reason === "node_lost"));
    const emitters = new Set(unique.map((e) => e.node));
    assert.equal(emitters.size, 1, "exactly one surviving node emitted them");
    assert.ok(!emitters.has(dead.id));
    assert.equal(
      receiver.events.filter((e) => e.type === "disconnect" && !lost.has(e.connection!)).length,
      0,
      "the connections of the surviving nodes are not reported",
    );
    await receiver.until((events) =>
      events.some((e) => e.type === "channel_vacated") ||
      events.filter((e) => e.type === "unsubscribe").length >= lost.size
    );
    // Presence on the survivors counts the clients still connected, on every node.
    for (const node of [nodes[0], nodes[2]]) {
      await waitFor(
        async () => await count(node.child, "room0") === inRoom0((i) => i % 3 !== 1),
        "presence without the lost node",
      );
    }
    // The dead node's keys are gone, and its claim is taken: nobody can emit them again.
    const left: string[] = [];
    for await (const key of await conns.keys(`${dead.id}.>`)) left.push(key);
    assert.deepEqual(left, []);
    const reaps = await new Kvm(nc).open("lhttp_reaps");
    await assert.rejects(reaps.create(dead.id, "test"));
    assert.equal(receiver.forged, 0);
  } finally {
    await Promise.all([clients[0], clients[2]].flat().map((client) => client.close()));
    for (const node of nodes) await node.child.stop("SIGKILL");
    await nc.close();
    await receiver.close();
    await nats.stop();
  }
});
