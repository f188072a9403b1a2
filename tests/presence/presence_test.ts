import assert from "node:assert/strict";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { lhttpRoutes } from "../../src/http/routes.ts";
import type { Frame } from "../../src/codec/frame.ts";
import { FakeClient } from "../harness/fake_peer.ts";

const frame = (command: string, headers: Record<string, string> = {}) =>
  `LHTTP/1.0 ${command}\r\n${
    Object.entries(headers).map(([k, v]) => `${k}:${v}\r\n`).join("")
  }\r\n`;
const answer = (client: FakeClient): Frame => {
  const frames = client.take().filter((f) => f.command === "presence");
  assert.equal(frames.length, 1);
  return frames[0];
};
const page = (client: FakeClient) => JSON.parse(String(answer(client).body));
const errorOf = (client: FakeClient, ack: string) =>
  client.take().find((f) => f.headers.get("ack") === ack && f.headers.has("code"))?.headers
    .get("code");

Deno.test("presence: members with user and info, O(1) counts of clients and unique users", () => {
  const server = new LhttpServer({ presence: { prefixes: ["chat."], node: "n" } });
  const ann1 = new FakeClient(server, { user: "ann", presenceInfo: { name: "Ann" } });
  const ann2 = new FakeClient(server, { user: "ann" });
  const bob = new FakeClient(server, "bob");
  ann1.send(frame("chat", { subscribe: "chat.a" }));
  ann2.send(frame("chat", { subscribe: "chat.a", "presence-info": '{"device":"phone"}' }));
  bob.send(frame("chat", { subscribe: "chat.a news", presence: "chat.a" }));
  const got = page(bob);
  assert.equal(got.clients, 3);
  assert.equal(got.users, 2);
  assert.deepEqual(got.members, [
    { connection: `n-${ann1.connection.id}`, user: "ann", info: { name: "Ann" } },
    { connection: `n-${ann2.connection.id}`, user: "ann", info: { device: "phone" } },
    { connection: `n-${bob.connection.id}`, user: "bob" },
  ]);
  assert.equal(got.next, null);
  ann1.disconnect();
  ann2.send(frame("chat", { unsubscribe: "chat.a" }));
  assert.deepEqual(
    { ...server.presence("chat.a", { limit: 0 }), members: undefined },
    { channel: "chat.a", clients: 1, users: 1, members: undefined, next: null },
  );
});

Deno.test("presence: pages with opaque cursors cover every member once; forged and stale cursors are refused", () => {
  const server = new LhttpServer({ presence: { prefixes: ["big"] } });
  const clients = Array.from({ length: 250 }, (_, i) => new FakeClient(server, `u${i}`));
  for (const client of clients) client.send(frame("x", { subscribe: "big" }));
  const reader = clients[0];
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    reader.send(
      frame("x", {
        presence: "big",
        "presence-limit": "100",
        ...(cursor ? { "presence-cursor": cursor } : {}),
      }),
    );
    const got = page(reader);
    seen.push(...got.members.map((m: { user: string }) => m.user));
    cursor = got.next;
  } while (cursor);
  assert.deepEqual(seen, clients.map((_, i) => `u${i}`));
  reader.send(frame("x", { presence: "big", "presence-limit": "100" }));
  const next = page(reader).next;
  reader.send(
    frame("x", { presence: "big", "presence-cursor": next.slice(0, -3) + "abc", ack: "f" }),
  );
  assert.equal(errorOf(reader, "f"), "bad_cursor");
  // The channel empties and fills again: the old cursor is stale, not wrong.
  for (const client of clients) client.send(frame("x", { unsubscribe: "big" }));
  reader.send(frame("x", { subscribe: "big", presence: "big", "presence-cursor": next, ack: "s" }));
  assert.equal(errorOf(reader, "s"), "stale_cursor");
  assert.equal(reader.connection.channels.has("big"), false, "a refused frame changes nothing");
  assert.throws(() => server.presence("big", { cursor: "bm9wZQ" }), { code: "bad_cursor" });
});

Deno.test("presence: bad info, channels the client may not see, presence off: clear errors, others unaffected", () => {
  const server = new LhttpServer({ presence: { prefixes: ["chat."], maxInfoBytes: 32 } });
  const a = new FakeClient(server);
  const b = new FakeClient(server);
  b.send(frame("x", { subscribe: "chat.a" }));
  b.take();
  a.send(
    frame("x", {
      subscribe: "chat.a",
      "presence-info": JSON.stringify({ n: "x".repeat(40) }),
      ack: "1",
    }),
  );
  assert.equal(errorOf(a, "1"), "bad_presence_info");
  a.send(frame("x", { subscribe: "chat.a", "presence-info": "{nope", ack: "2" }));
  assert.equal(errorOf(a, "2"), "bad_presence_info");
  a.send(frame("x", { subscribe: "chat.a", "presence-info": "[1]", ack: "3" }));
  assert.equal(errorOf(a, "3"), "bad_presence_info");
  assert.equal(a.connection.channels.size, 0, "nothing of a refused frame applies");
  a.send(frame("x", { presence: "chat.a", ack: "4" }));
  assert.equal(errorOf(a, "4"), "forbidden");
  a.send(frame("x", { subscribe: "news", presence: "news", ack: "5" }));
  assert.equal(errorOf(a, "5"), "presence_off");
  a.send(
    frame("x", {
      subscribe: "chat.a",
      "presence-watch": "chat.a",
      presence: "chat.a chat.b",
      ack: "6",
    }),
  );
  assert.equal(errorOf(a, "6"), "bad_presence_request");
  a.send(
    frame("x", { subscribe: "chat.a", presence: "chat.a", "presence-limit": "5000", ack: "7" }),
  );
  assert.equal(errorOf(a, "7"), "bad_presence_request");
  b.send(frame("x", { presence: "chat.a" }));
  assert.equal(page(b).clients, 1, "b still sees itself alone");
});

Deno.test("presence: a join storm of 5000 in one interval reaches a watcher as one diff, counts exact", async () => {
  const server = new LhttpServer({ presence: { prefixes: ["room"], diffIntervalMs: 20 } });
  const watcher = new FakeClient(server, "w");
  watcher.send(frame("x", { subscribe: "room", "presence-watch": "room" }));
  const storm = Array.from({ length: 5000 }, (_, i) => new FakeClient(server, `u${i}`));
  for (const client of storm) client.send(frame("x", { subscribe: "room" }));
  storm[0].send(frame("x", { unsubscribe: "room" })); // joined and left in one interval
  const diffs: Frame[] = [];
  while (diffs.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    diffs.push(...watcher.take().filter((f) => f.command === "presence-diff"));
  }
  assert.equal(diffs.length, 1);
  const diff = JSON.parse(String(diffs[0].body));
  assert.equal(diff.joins.length, 4999);
  assert.equal(diff.leaves.length, 0);
  assert.equal(diff.clients, 5000);
  assert.equal(server.presence("room", { limit: 0 }).users, 5000);
  storm[1].disconnect();
  const next: Frame[] = [];
  while (next.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    next.push(...watcher.take().filter((f) => f.command === "presence-diff"));
  }
  assert.deepEqual(JSON.parse(String(next[0].body)).leaves, [{
    connection: server.presence("room", { limit: 1 }).members[0].connection.replace(
      /\d+$/,
      String(storm[1].connection.id),
    ),
  }]);
  await server.shutdown();
});

Deno.test("presence: namespaces turn it on per prefix; GET /presence is token-protected", async () => {
  const server = new LhttpServer({
    namespaces: [{ prefix: "room.", presence: true }],
    publishToken: "tok",
  });
  const a = new FakeClient(server, "ann");
  a.send(frame("x", { subscribe: "room.1 other", "presence-watch": "room.1", ack: "w" }));
  assert.equal(errorOf(a, "w"), "presence_off", "no joinLeave in that namespace");
  a.send(frame("x", { subscribe: "room.1 other" }));
  const app = lhttpRoutes(server);
  const get = (path: string, token?: string) =>
    app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const ok = await (await get("/presence/room.1", "tok")).json();
  assert.equal(ok.clients, 1);
  assert.equal(ok.members[0].user, "ann");
  assert.equal((await get("/presence/room.1")).status, 401);
  assert.equal((await get("/presence/room.1", "bad")).status, 403);
  const off = await get("/presence/other", "tok");
  assert.equal(off.status, 404);
  assert.equal((await off.json()).code, "presence_off");
  assert.equal((await get("/presence/room.1?cursor=forged", "tok")).status, 400);
  a.send(frame("x", { subscribe: "room.a/b room.c#ann" }));
  assert.equal((await (await get("/presence/room.a/b", "tok")).json()).clients, 1);
  assert.equal((await (await get("/presence/room.c%23ann", "tok")).json()).clients, 1);
});

Deno.test("presence: info set after joining applies to later joins; leaving still removes the member", () => {
  const server = new LhttpServer({ presence: { prefixes: ["c"] } });
  const a = new FakeClient(server, "ann");
  a.send(frame("x", { subscribe: "c1" }));
  a.send(frame("x", { subscribe: "c2", "presence-info": '{"mood":"ok"}' }));
  assert.equal(server.presence("c1").members[0].info, undefined);
  assert.deepEqual(server.presence("c2").members[0].info, { mood: "ok" });
  a.send(frame("x", { unsubscribe: "c1 c2" }));
  assert.equal(server.presence("c1", { limit: 0 }).clients, 0);
  a.send(frame("x", { subscribe: "c1" }));
  a.send(frame("x", { "presence-info": '{"mood":"busy"}' })); // no join in this frame
  a.send(frame("x", { unsubscribe: "c1" }));
  assert.equal(server.presence("c1", { limit: 0 }).clients, 0);
  assert.equal(server.presence("c2", { limit: 0 }).clients, 0);
});
