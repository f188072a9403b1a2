// User-limited channels (`inbox#alice`), through a real server.

import assert from "node:assert/strict";
import { LhttpServer } from "../../mod.ts";
import { isChannelName, parseChannels } from "../../src/internal.ts";
import { FakeClient } from "../harness/fake_peer.ts";
import { frame } from "./_frames.ts";

Deno.test("user channels: the wire form has at most one # and never first or last", () => {
  for (const name of ["inbox#alice", "user.alice#x", "dm:42#7"]) {
    assert.ok(isChannelName(name), name);
  }
  for (const name of ["#alice", "inbox#", "a#b#c", "#", "a ##b"]) {
    assert.throws(() => parseChannels(name), {
      code: "bad_channel",
      message: /at most one # \(not first or last\)/,
    }, name);
  }
});

Deno.test("user channels: only the named user may subscribe; anyone allowed may publish", () => {
  const server = new LhttpServer();
  const alice = new FakeClient(server, { user: "alice" });
  const bob = new FakeClient(server, "bob");
  const anonymous = new FakeClient(server);
  alice.send(frame("m", { subscribe: "inbox#alice", ack: "1" }));
  assert.equal(alice.take()[0].headers.get("status"), "200");
  for (const client of [bob, anonymous]) {
    client.send(frame("m", { subscribe: "inbox#alice", ack: "2" }));
    const refusal = client.take()[0];
    assert.equal(refusal.headers.get("code"), "forbidden");
    assert.equal(
      refusal.headers.get("reason"),
      'Not allowed to subscribe to "inbox#alice": it is limited to user "alice"',
    );
    assert.equal(client.connection.channels.size, 0);
  }
  bob.send(frame("m", { publish: "inbox#alice" }, "hi alice"));
  assert.deepEqual(alice.take().map((f) => [f.headers.get("publish"), f.body]), [[
    "inbox#alice",
    "hi alice",
  ]]);
  assert.equal(bob.take().length, 0);
});

Deno.test("user channels: the user is found by userOf; case matters", () => {
  const server = new LhttpServer({ userOf: (data) => (data as { id: string }).id });
  const alice = new FakeClient(server, { id: "alice" });
  alice.send(frame("m", { subscribe: "inbox#alice", ack: "1" }));
  assert.equal(alice.take()[0].headers.get("status"), "200");
  alice.send(frame("m", { subscribe: "inbox#Alice", ack: "2" }));
  assert.equal(alice.take()[0].headers.get("code"), "forbidden");
});

Deno.test("user channels: server code may subscribe anyone (it is not authorized again)", () => {
  const server = new LhttpServer();
  const bob = new FakeClient(server, "bob");
  server.subscribe(bob.connection, "inbox#alice");
  assert.deepEqual([...bob.connection.channels], ["inbox#alice"]);
});
