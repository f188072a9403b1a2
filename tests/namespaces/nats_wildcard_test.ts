// Wildcards and hostile channel names across two Deno nodes and a real
// nats-server: NATS does the matching between nodes, every node delivers once,
// and every subject lhttp uses stays inside its prefix and maps back one-to-one.

import assert from "node:assert/strict";
import { Client, startDenoNode } from "../harness/cluster.ts";
import { skipNats, startNatsServer, waitFor } from "../harness/nats_server.ts";
import { connectNats, NatsBus, subjectToChannel } from "../../src/nats/mod.ts";
import { LhttpServer } from "../../mod.ts";
import { serveDeno } from "../../src/adapters/deno.ts";

const TRICKY = [
  "a..b",
  ".a",
  "a.",
  "t~7E",
  "t~",
  "Room",
  "room",
  "inbox#u",
  Array(64).fill("d").join("."),
];
// The nodes authenticate nobody, so nobody may subscribe to inbox#u: it is only published.
const EXACT = TRICKY.filter((channel) => !channel.includes("#"));

Deno.test({
  name:
    "nats wildcards: patterns become NATS wildcards, one copy each, subjects stay in the prefix",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const a = startDenoNode({ servers: nats.url, subjectPrefix: "w1" });
    const b = startDenoNode({ servers: nats.url, subjectPrefix: "w1" });
    const raw = await connectNats({ servers: nats.url, connectOptions: { noEcho: false } });
    const seen: string[] = [];
    const everything = raw.subscribe(">", {
      callback: (_error, msg) => void seen.push(msg.subject),
    });
    const clients: Client[] = [];
    try {
      await waitFor(() => a.bus.state === "connected" && b.bus.state === "connected", "buses");
      const [watcher, all, exact, publisher] = await Promise.all([
        Client.open(b.url),
        Client.open(b.url),
        Client.open(b.url),
        Client.open(a.url),
      ]);
      clients.push(watcher, all, exact, publisher);
      await watcher.subscribe("sensors.a sensors.* sensors.>");
      await all.subscribe(">");
      await exact.subscribe(EXACT.join(" "));
      await waitFor(async () => {
        const subjects = await nats.subscriptions();
        return ["w1.sensors.a", "w1.sensors.*", "w1.sensors.>", "w1.>", "w1.a.~.b"].every((s) =>
          subjects.includes(s)
        );
      }, "subjects on the NATS server");

      // Refused names never reach NATS; a wildcard cannot be published to.
      for (
        const bad of ["sensors.*", ">", "a b.>", "$SYS.x", "a\u0000b", "caf\u00e9", "x".repeat(129)]
      ) {
        await assert.rejects(publisher.request({ publish: bad }, "nope"), /Cannot publish|must be/);
      }
      for (
        const channel of [
          "sensors.a",
          "sensors.a.b",
          "sensors.x",
          "sensor.a",
          ...TRICKY,
          "sensors.end",
        ]
      ) {
        await publisher.publish(channel, channel);
      }
      await watcher.waitForCount(4);
      await all.waitForCount(4 + EXACT.length + 1);
      await exact.waitForCount(EXACT.length);
      assert.deepEqual(watcher.texts(), ["sensors.a", "sensors.a.b", "sensors.x", "sensors.end"]);
      assert.deepEqual(
        watcher.received.map((f) => f.headers.get("publish")),
        watcher.texts(),
        "deliveries name the concrete channel",
      );
      const expectedAll = [
        "sensors.a",
        "sensors.a.b",
        "sensors.x",
        "sensor.a",
        ...TRICKY,
        "sensors.end",
      ]
        .filter((c) => !c.includes("#"));
      assert.deepEqual(all.texts(), expectedAll, "> matches everything but user-limited channels");
      assert.deepEqual(exact.texts(), EXACT, "each tricky name reaches only itself");

      await raw.flush();
      const published = seen.filter((subject) => !subject.startsWith("_INBOX."));
      for (const subject of published) {
        assert.ok(subject.startsWith("w1."), `subject ${subject} is inside the prefix`);
      }
      const channels = published.map((subject) => subjectToChannel(subject, "w1"));
      assert.deepEqual(channels, [
        "sensors.a",
        "sensors.a.b",
        "sensors.x",
        "sensor.a",
        ...TRICKY,
        "sensors.end",
      ]);
      assert.equal(new Set(published).size, published.length, "one subject per channel: injective");
    } finally {
      for (const client of clients) await client.close();
      everything.unsubscribe();
      await raw.close();
      await a.stop();
      await b.stop();
      await a.bus.close();
      await b.bus.close();
      await nats.stop();
    }
  },
});

Deno.test({
  name: "nats wildcards: a name too long for NATS is refused and the bus keeps serving everyone",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const bus = new NatsBus({ servers: nats.url, subjectPrefix: "w2" });
    const server = new LhttpServer({ bus, limits: { maxChannelLength: 5000 } });
    const other = startDenoNode({ servers: nats.url, subjectPrefix: "w2" });
    const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
    const clients: Client[] = [];
    try {
      await waitFor(() => bus.state === "connected" && other.bus.state === "connected", "buses");
      const url = `http://127.0.0.1:${running.port}`;
      const [client, remote] = [await Client.open(url), await Client.open(other.url)];
      clients.push(client, remote);
      const long = "~".repeat(1500); // 4500 characters once mapped
      await assert.rejects(client.subscribe(long), /maps to a NATS subject over 3000/);
      assert.equal(server.hub.channelCount, 0, "the refused subscription left nothing behind");
      await client.publish(long, "local only"); // never sent to NATS
      await remote.subscribe("after");
      await waitFor(async () => (await nats.subscriptions()).includes("w2.after"), "w2.after");
      await client.publish("after", "still connected");
      await remote.waitForCount(1);
      assert.deepEqual(remote.texts(), ["still connected"]);
      assert.equal(bus.state, "connected");
    } finally {
      for (const c of clients) await c.close();
      await running.shutdown();
      await other.stop();
      await bus.close();
      await other.bus.close();
      await nats.stop();
    }
  },
});
