// Several Durable Objects in local workerd: one object per room (and sharded),
// a publication reaching subscribers in other objects through the bus between
// objects, and the refusals of bad routes and oversized connection data.

import assert from "node:assert/strict";
import { Sockets } from "../harness/ws_client.ts";
import { FIXTURE } from "../fixtures/app.ts";
import { sharded } from "../../src/adapters/cloudflare.ts";
import { startWorkerd, workerdTest } from "../harness/workerd.ts";

const publish = (url: string, channel: string, body: string) =>
  fetch(`${url}/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${FIXTURE.publishToken}` },
    body: `LHTTP/1.0 chat\r\npublish:${channel}\r\n\r\n${body}`,
  }).then((response) => response.json());

workerdTest("one object per room: publications cross objects, both ways", async (t) => {
  const worker = await startWorkerd("tests/edge/_worker_fixture.ts", { vars: { ROUTE: "rooms" } });
  const ws = worker.url.replace(/^http/, "ws");
  const a = new Sockets(`${ws}/rooms/a/`);
  const b = new Sockets(`${ws}/rooms/b/`);
  try {
    const inA = await a.open();
    const inB = await b.open();
    await inA.request("LHTTP/1.0 chat\r\nsubscribe:news\r\n\r\n");
    await inB.request("LHTTP/1.0 chat\r\nsubscribe:news\r\n\r\n");
    // Each object serves its own socket only.
    const health = async (room: string) =>
      await (await fetch(`${worker.url}/rooms/${room}/healthz`)).json();
    assert.equal((await health("a")).connections, 1);
    assert.equal((await health("b")).connections, 1);

    await t.step("a publication in room a reaches room b, and a once", async () => {
      await inA.request("LHTTP/1.0 chat\r\npublish:news\r\n\r\nfrom a");
      assert.equal((await inB.next()).body, "from a");
      assert.equal((await inA.next()).body, "from a");
      inB.send("LHTTP/1.0 chat\r\npublish:news\r\n\r\nfrom b");
      assert.equal((await inA.next()).body, "from b");
      assert.equal((await inB.next()).body, "from b");
      assert.deepEqual([inA.inbox.length, inB.inbox.length], [0, 0]);
    });

    await t.step("POST /publish on the fallback object reaches both rooms", async () => {
      const answer = await publish(worker.url, "news", "over http");
      assert.equal(answer.status, 200);
      assert.equal((await inA.next()).body, "over http");
      assert.equal((await inB.next()).body, "over http");
    });

    await t.step("frames of one publisher keep their order across objects", async () => {
      for (let i = 0; i < 50; i++) inA.send(`LHTTP/1.0 chat\r\npublish:news\r\n\r\n${i}`);
      for (let i = 0; i < 50; i++) assert.equal((await inB.next()).body, String(i));
      for (let i = 0; i < 50; i++) assert.equal((await inA.next()).body, String(i));
    });

    await t.step("an object whose last subscriber left gets nothing more", async () => {
      await inB.request("LHTTP/1.0 chat\r\nunsubscribe:news\r\n\r\n");
      await inA.request("LHTTP/1.0 chat\r\npublish:news\r\n\r\nonly a");
      assert.equal((await inA.next()).body, "only a");
      const echo = await inB.request("LHTTP/1.0 ping\r\n\r\n");
      assert.equal(echo.headers.status, "200");
      assert.equal(inB.inbox.length, 0, JSON.stringify(inB.inbox));
    });
  } catch (error) {
    throw new Error(`workerd output:\n${worker.output()}`, { cause: error });
  } finally {
    await a.closeAll();
    await b.closeAll();
    await worker.stop();
  }
});

workerdTest("bad routes and oversized connection data get clear statuses", async (t) => {
  const worker = await startWorkerd("tests/edge/_worker_fixture.ts", { vars: { ROUTE: "rooms" } });
  const upgrade = (path: string) =>
    fetch(`${worker.url}${path}`, {
      headers: {
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "x3JJHMbDL1EzLkh9GBhXDw==",
      },
    });
  try {
    await t.step("an upgrade to a room that does not exist: 404 unknown_room", async () => {
      const response = await upgrade("/rooms/closed-1/");
      assert.equal(response.status, 404);
      assert.equal((await response.json()).code, "unknown_room");
    });
    await t.step("an invalid room name: 400 bad_room", async () => {
      for (const path of ["/rooms/a%20b/", "/rooms//", "/rooms/%E0%A4%A/"]) {
        const response = await upgrade(path);
        assert.equal(response.status, 400, path);
        assert.equal((await response.json()).code, "bad_room", path);
      }
    });
    await t.step("the calls between objects are not reachable from outside: 404", async () => {
      const response = await fetch(`${worker.url}/.lhttp/bus/publish`, {
        method: "POST",
        body: "x",
      });
      assert.equal(response.status, 404);
      assert.equal((await response.json()).code, "internal_route");
    });
    await t.step(
      "connection data over the attachment limit: 413 attachment_too_large",
      async () => {
        const response = await upgrade(`/rooms/a/?token=${"t".repeat(20_000)}`);
        assert.equal(response.status, 413);
        assert.equal((await response.json()).code, "attachment_too_large");
        // The object serves others as before.
        const sockets = new Sockets(`${worker.url.replace(/^http/, "ws")}/rooms/a/`);
        const socket = await sockets.open("?token=small");
        socket.send("LHTTP/1.0 who\r\n\r\n");
        assert.equal((await socket.next()).body, '{"token":"small"}');
        await sockets.closeAll();
      },
    );
  } catch (error) {
    throw new Error(`workerd output:\n${worker.output()}`, { cause: error });
  } finally {
    await worker.stop();
  }
});

workerdTest("sharded: rooms hashed to different shards still reach each other", async () => {
  const worker = await startWorkerd("tests/edge/_worker_fixture.ts", { vars: { ROUTE: "shards" } });
  const route = sharded({ shards: 4 });
  const shardOf = (room: string) => {
    const url = new URL(`http://h/?room=${room}`);
    return route(new Request(url), url).object;
  };
  const rooms = ["r0", "r1", "r2", "r3", "r4", "r5"];
  const [x, y] = [rooms[0], rooms.find((room) => shardOf(room) !== shardOf(rooms[0]))!];
  const ws = worker.url.replace(/^http/, "ws") + "/";
  const sockets = new Sockets(ws);
  try {
    const inX = await sockets.open(`?room=${x}`);
    const inY = await sockets.open(`?room=${y}`);
    await inX.request("LHTTP/1.0 chat\r\nsubscribe:s\r\n\r\n");
    await inY.request("LHTTP/1.0 chat\r\nsubscribe:s\r\n\r\n");
    const health = await (await fetch(`${worker.url}/healthz?room=${x}`)).json();
    assert.equal(health.connections, 1, "one socket per shard");
    inY.send("LHTTP/1.0 chat\r\npublish:s\r\n\r\nacross shards");
    assert.equal((await inX.next()).body, "across shards");
  } catch (error) {
    throw new Error(`workerd output:\n${worker.output()}`, { cause: error });
  } finally {
    await sockets.closeAll();
    await worker.stop();
  }
});
