// The JS client's history features against a real Deno server: history(),
// recovery on every reconnect (recovered / wasRecovering), gaps on a live
// connection, and recovered: false when the server cannot fill the gap.

import type { History } from "../../src/history/history.ts";
import assert from "node:assert/strict";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { serveDeno } from "../../src/adapters/deno.ts";
import { type Frame, LhttpClient, type SubscribedEvent } from "../../src/client/mod.ts";
import { within } from "../client/_guard.ts";

function start(size = 100) {
  const server = new LhttpServer({ history: [{ prefix: "chat.", size, ttlMs: 3_600_000 }] });
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
  const url = `ws://127.0.0.1:${running.port}/`;
  const client = new LhttpClient(url, { reconnect: { initialDelay: 20, maxDelay: 50 } });
  return { server, running, client };
}

function nextEvent<T>(client: LhttpClient, name: "subscribed" | "gap"): Promise<T> {
  return new Promise((resolve) => {
    const off = client.on(name, (event) => (off(), resolve(event as T)));
  });
}

/** Receives the bodies of `channel`, and resolves `until(n)` once n arrived. */
function collect(client: LhttpClient, channel: string) {
  const bodies: string[] = [];
  let wake = () => {};
  const subscription = client.subscribe(channel, (frame: Frame) => {
    bodies.push(String(frame.body));
    wake();
  });
  const until = (n: number) =>
    within(
      (async () => {
        while (bodies.length < n) await new Promise<void>((resolve) => (wake = resolve));
      })(),
      `${n} deliveries`,
    );
  return { bodies, until, subscription };
}

async function dropConnections(server: LhttpServer, client: LhttpClient) {
  const reconnecting = new Promise<void>((resolve) => {
    const off = client.on("state", ({ to }) => to === "reconnecting" && (off(), resolve()));
  });
  for (const connection of [...server.connections.values()]) connection.close(4000, "test");
  await within(reconnecting, "reconnecting");
}

Deno.test("history(): a newcomer reads the last messages of the room", async () => {
  const { server, running, client } = start();
  try {
    for (const body of ["a", "b", "c"]) server.publish("chat.room", { command: "chat", body });
    const { publications, offset, epoch } = await within(
      client.history("chat.room", { limit: 2 }),
      "history",
    );
    assert.deepEqual(publications.map((f) => f.body), ["b", "c"]);
    assert.deepEqual(publications.map((f) => f.headers.get("offset")), ["2", "3"]);
    assert.equal(offset, 3);
    assert.equal(epoch, (server.history as History).top("chat.room")!.epoch);
    const after = await client.history("chat.room", { since: { offset: 1, epoch: epoch! } });
    assert.deepEqual(after.publications.map((f) => f.body), ["b", "c"]);
    await assert.rejects(client.history("chat.room", { limit: 5000 }), { code: "history_limit" });
    assert.deepEqual((await client.history("news")).publications, [], "no history there");
  } finally {
    await client.close(), await running.shutdown();
  }
});

Deno.test("a reconnect recovers every missed message exactly once, in order", async () => {
  const { server, running, client } = start();
  try {
    const first = nextEvent<SubscribedEvent>(client, "subscribed");
    const { bodies, until } = collect(client, "chat.room");
    const fresh = await within(first, "first position");
    assert.equal(fresh.wasRecovering, false);
    assert.equal(fresh.history, true);
    server.publish("chat.room", { command: "chat", body: "0" });
    await until(1);
    for (let round = 1; round <= 3; round++) {
      await dropConnections(server, client);
      for (let i = 0; i < 5; i++) {
        server.publish("chat.room", { command: "chat", body: `${round}.${i}` });
      }
      const event = await within(nextEvent<SubscribedEvent>(client, "subscribed"), "recovery");
      assert.equal(event.wasRecovering, true);
      assert.equal(event.recovered, true);
      assert.equal(event.offset, 6 * round);
      server.publish("chat.room", { command: "chat", body: `${round}.live` });
      await until(1 + round * 6);
    }
    const expected = ["0"];
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 5; i++) expected.push(`${round}.${i}`);
      expected.push(`${round}.live`);
    }
    assert.deepEqual(bodies, expected);
    assert.deepEqual(client.position("chat.room")?.offset, 19);
  } finally {
    await client.close(), await running.shutdown();
  }
});

Deno.test("a gap on a live connection is noticed and filled, without duplicates", async () => {
  const { server, running, client } = start();
  try {
    const first = nextEvent<SubscribedEvent>(client, "subscribed");
    const { bodies, until } = collect(client, "chat.room");
    await within(first, "position");
    server.publish("chat.room", { command: "chat", body: "1" });
    await until(1);
    // A publication that never reached this node's subscribers (a bus hiccup).
    const history = server.history as History;
    const lost = history.next("chat.room")!;
    history.append(
      "chat.room",
      lost,
      `LHTTP/1.0 chat\r\npublish:chat.room\r\noffset:${lost.offset}\r\nepoch:${lost.epoch}\r\n\r\n2`,
    );
    const gap = nextEvent<{ expected: number; received: number }>(client, "gap");
    const repaired = nextEvent<SubscribedEvent>(client, "subscribed");
    server.publish("chat.room", { command: "chat", body: "3" });
    assert.deepEqual(await within(gap, "gap"), {
      channel: "chat.room",
      expected: 2,
      received: 3,
      epochChanged: false,
    });
    assert.equal((await within(repaired, "repair")).recovered, true);
    server.publish("chat.room", { command: "chat", body: "4" });
    await until(4);
    assert.deepEqual(bodies, ["1", "2", "3", "4"]);
  } finally {
    await client.close(), await running.shutdown();
  }
});

Deno.test("recovered: false when the missed messages are gone; the client starts at the top", async () => {
  const { server, running, client } = start(2);
  try {
    const first = nextEvent<SubscribedEvent>(client, "subscribed");
    const { bodies, until } = collect(client, "chat.room");
    await within(first, "position");
    await dropConnections(server, client);
    for (let i = 0; i < 5; i++) server.publish("chat.room", { command: "chat", body: `${i}` });
    const event = await within(nextEvent<SubscribedEvent>(client, "subscribed"), "recovery");
    assert.deepEqual(
      [event.wasRecovering, event.recovered, event.offset],
      [true, false, 5],
    );
    assert.deepEqual(bodies, [], "nothing partial");
    server.publish("chat.room", { command: "chat", body: "next" });
    await until(1);
    assert.deepEqual(bodies, ["next"]);
  } finally {
    await client.close(), await running.shutdown();
  }
});
