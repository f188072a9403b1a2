// NATS faults: down at startup, killed and restarted mid-traffic, and two NATS
// servers joined as a cluster with lhttp nodes on different servers.

import assert from "node:assert/strict";
import { Client, healthBus, httpPublish, startDenoNode } from "./harness/cluster.ts";
import { skipNats, startNatsServer, waitFor } from "./harness/nats_server.ts";

Deno.test({
  name: "nats faults: NATS down at startup, local traffic served, bus joins when NATS comes up",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    await nats.kill();
    const a = startDenoNode({ servers: nats.url, subjectPrefix: "f1", maxRetryDelayMs: 200 });
    const b = startDenoNode({ servers: nats.url, subjectPrefix: "f1", maxRetryDelayMs: 200 });
    const clients: Client[] = [];
    try {
      await waitFor(
        async () => (await healthBus(a.url)) === "disconnected",
        "healthz: disconnected",
      );
      assert.equal(a.logs.filter((line) => line.includes("NATS bus unavailable")).length, 1);
      const [onA, onB, local] = await Promise.all([
        Client.open(a.url),
        Client.open(b.url),
        Client.open(a.url),
      ]);
      clients.push(onA, onB, local);
      await onA.subscribe("room");
      await onB.subscribe("room");
      await local.publish("room", "local only");
      await onA.waitForCount(1);
      assert.equal(a.bus.stats.dropped, 1);

      await nats.restart();
      await waitFor(async () => (await healthBus(a.url)) === "connected", "healthz: connected");
      await waitFor(() => b.bus.state === "connected", "node b connected");
      await waitFor(async () => (await nats.subscriptions()).length === 2, "subscriptions made");
      await local.publish("room", "across");
      await onB.waitForCount(1);
      assert.deepEqual(onB.texts(), ["across"]);
      assert.deepEqual(onA.texts(), ["local only", "across"]);
      // Still one "unavailable" line despite many retries, then one "connected".
      assert.equal(a.logs.filter((line) => line.includes("NATS bus unavailable")).length, 1);
      assert.equal(a.logs.filter((line) => line.includes("NATS bus connected")).length, 1);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all([a.stop(), b.stop()]);
      await nats.stop();
    }
  },
});

Deno.test({
  name: "nats faults: NATS killed and restarted mid-traffic, subscriptions restored",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const a = startDenoNode({ servers: nats.url, subjectPrefix: "f2" });
    const b = startDenoNode({ servers: nats.url, subjectPrefix: "f2" });
    const clients: Client[] = [];
    try {
      await waitFor(() => a.bus.state === "connected" && b.bus.state === "connected", "buses");
      const [onA, onB] = await Promise.all([Client.open(a.url), Client.open(b.url)]);
      clients.push(onA, onB);
      await onA.subscribe("r1 r2");
      await onB.subscribe("r1 r2");
      await waitFor(async () => (await nats.subscriptions()).length === 4, "4 subscriptions");
      await httpPublish(a.url, "r1", "before");
      await onB.waitForCount(1);

      await nats.kill();
      await waitFor(() => a.bus.state === "disconnected", "a disconnected");
      assert.equal(await healthBus(a.url), "disconnected");
      // Local traffic goes on while NATS is gone.
      assert.equal(await httpPublish(a.url, "r1", "during"), 1);
      await onA.waitForCount(2);

      await nats.restart();
      await waitFor(() => a.bus.state === "connected" && b.bus.state === "connected", "reconnect");
      // nats.js resubscribes by itself: the server sees every channel again.
      await waitFor(async () => (await nats.subscriptions()).length === 4, "subscriptions back");
      await httpPublish(a.url, "r2", "after-a");
      await httpPublish(b.url, "r1", "after-b");
      await waitFor(() => onB.texts().includes("after-a"), "a → b after restart");
      await waitFor(() => onA.texts().includes("after-b"), "b → a after restart");
      const states = (node: typeof a) =>
        node.logs.filter((line) => /NATS bus (dis|re)connected/.test(line)).length;
      assert.equal(states(a), 2); // one "disconnected", one "reconnected"
      assert.equal(states(b), 2);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all([a.stop(), b.stop()]);
      await nats.stop();
    }
  },
});

Deno.test({
  name: "nats faults: lhttp nodes on two clustered NATS servers, one lhttp node stopped",
  ignore: skipNats,
  async fn() {
    const first = await startNatsServer({ cluster: true });
    const second = await startNatsServer({ routes: [first] });
    const a = startDenoNode({ servers: first.url, subjectPrefix: "f3" });
    const b = startDenoNode({ servers: second.url, subjectPrefix: "f3" });
    const c = startDenoNode({ servers: second.url, subjectPrefix: "f3" });
    const clients: Client[] = [];
    let cStopped = false;
    try {
      await waitFor(() => [a, b, c].every((node) => node.bus.state === "connected"), "buses");
      const [onA, onB, onC] = await Promise.all([a, b, c].map((node) => Client.open(node.url)));
      clients.push(onA, onB, onC);
      await Promise.all([onA, onB, onC].map((client) => client.subscribe("room")));
      // Interest must have crossed the route before frames can.
      await waitFor(async () => {
        await httpPublish(a.url, "room", "probe");
        return onB.texts().includes("probe");
      }, "route interest");
      for (let i = 0; i < 50; i++) await httpPublish(a.url, "room", `n${i}`);
      await waitFor(() => onB.texts().includes("n49"), "n49 on b");
      const got = onB.texts().filter((text) => text !== "probe");
      assert.deepEqual(got, [...Array(50).keys()].map((i) => `n${i}`));

      // An lhttp node going away does not disturb the others.
      await onC.close();
      clients.pop();
      await c.stop();
      cStopped = true;
      await httpPublish(b.url, "room", "after-c");
      await waitFor(() => onA.texts().includes("after-c"), "b → a across the route");
      assert.ok(onB.texts().includes("after-c"));
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all([a.stop(), b.stop(), cStopped ? undefined : c.stop()]);
      await second.stop();
      await first.stop();
    }
  },
});
