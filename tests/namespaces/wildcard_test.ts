// Wildcard subscriptions through a real server (and an in-process cluster).

import assert from "node:assert/strict";
import { LhttpServer, MemoryBroker } from "../../mod.ts";
import { FakeClient, settle } from "../harness/fake_peer.ts";
import { frame } from "./_frames.ts";

const replyOf = (client: FakeClient) => {
  const reply = client.take().at(-1)!;
  return {
    status: reply.headers.get("status"),
    code: reply.headers.get("code"),
    reason: reply.headers.get("reason"),
  };
};

Deno.test("wildcards: deliveries name the concrete channel; * is one token, > one or more", () => {
  const server = new LhttpServer();
  const [star, rest, publisher] = [
    new FakeClient(server),
    new FakeClient(server),
    new FakeClient(server),
  ];
  star.send(frame("m", { subscribe: "sensors.*" }));
  rest.send(frame("m", { subscribe: "sensors.>" }));
  for (const channel of ["sensors.kitchen", "sensors.kitchen.temp", "sensors", "other.kitchen"]) {
    publisher.send(frame("m", { publish: channel }, channel));
  }
  assert.deepEqual(star.take().map((f) => f.headers.get("publish")), ["sensors.kitchen"]);
  assert.deepEqual(rest.take().map((f) => [f.headers.get("publish"), f.body]), [
    ["sensors.kitchen", "sensors.kitchen"],
    ["sensors.kitchen.temp", "sensors.kitchen.temp"],
  ]);
});

Deno.test("wildcards: publishing to a wildcard is refused with a clear error", () => {
  const server = new LhttpServer();
  const client = new FakeClient(server);
  client.send(frame("m", { publish: "sensors.*", ack: "1" }));
  assert.deepEqual(replyOf(client), {
    status: "400",
    code: "bad_channel",
    reason: 'Cannot publish to the wildcard "sensors.*"; publish to a concrete channel',
  });
  assert.throws(() => server.publish("sensors.>", { command: "m" }), { code: "bad_channel" });
});

Deno.test("wildcards: malformed patterns are bad_channel", () => {
  const server = new LhttpServer();
  const client = new FakeClient(server);
  for (
    const [pattern, why] of [
      ["sensors.>.x", /only as the last token/],
      ["sens*", /whole token/],
      ["a.b>", /whole token/],
      ["inbox#*", /user-limited/],
      ["a.*.é", /tokens of A-Z/],
    ] as const
  ) {
    client.send(frame("m", { subscribe: pattern, ack: "1" }));
    const reply = replyOf(client);
    assert.equal(reply.code, "bad_channel", pattern);
    assert.match(reply.reason!, why);
  }
  assert.equal(client.connection.channels.size, 0);
});

Deno.test("wildcards: authorized per pattern; a pattern spanning another namespace is refused", async () => {
  const asked: string[] = [];
  const server = new LhttpServer({
    authorize: ({ action, target }) => (asked.push(`${action} ${target}`), target !== ">"),
    namespaces: [{ prefix: "sensors.secret.", subscribe: false }],
  });
  const client = new FakeClient(server);
  client.send(frame("m", { subscribe: "rooms.*", ack: "1" }));
  await settle();
  assert.equal(replyOf(client).status, "200");
  assert.deepEqual(asked, ["subscribe rooms.*"], "the hook sees the pattern, not channels");
  client.send(frame("m", { subscribe: "sensors.>", ack: "2" }));
  assert.equal(
    replyOf(client).reason,
    'Not allowed to subscribe to "sensors.>": it spans namespace "sensors.secret."; subscribe within it',
  );
  client.send(frame("m", { subscribe: "sensors.public.*", ack: "3" }));
  await settle();
  assert.equal(replyOf(client).status, "200");
  client.send(frame("m", { subscribe: "sensors.secret.*", ack: "4" }));
  assert.equal(replyOf(client).code, "forbidden");
});

Deno.test("wildcards: a pattern counts toward the subscription limit and unsubscribes", () => {
  const server = new LhttpServer({ limits: { maxSubscriptions: 2 } });
  const [client, publisher] = [new FakeClient(server), new FakeClient(server)];
  client.send(frame("m", { subscribe: "a.* a.>" }));
  client.send(frame("m", { subscribe: "c", ack: "1" }));
  assert.equal(replyOf(client).code, "subscription_limit");
  client.send(frame("m", { unsubscribe: "a.>" }));
  publisher.send(frame("m", { publish: "a.b a.b.c" }));
  assert.deepEqual(client.take().map((f) => f.headers.get("publish")), ["a.b"]);
  client.disconnect();
  assert.equal(server.hub.channelCount, 0);
});

Deno.test("wildcards: one copy per connection, also when exact and patterns overlap", () => {
  const server = new LhttpServer();
  const [client, publisher] = [new FakeClient(server), new FakeClient(server)];
  client.send(frame("m", { subscribe: "a.b a.* a.> >" }));
  publisher.send(frame("m", { publish: "a.b" }, "once"));
  assert.deepEqual(client.take().map((f) => f.body), ["once"]);
});

Deno.test("wildcards: across an in-process cluster, one copy per subscriber", () => {
  const broker = new MemoryBroker();
  const [one, two] = [
    new LhttpServer({ bus: broker.connect() }),
    new LhttpServer({ bus: broker.connect() }),
  ];
  const watcher = new FakeClient(two);
  watcher.send(frame("m", { subscribe: "sensors.* sensors.>" }));
  new FakeClient(one).send(frame("m", { publish: "sensors.a sensors.a.b inbox#x" }, "x"));
  assert.deepEqual(watcher.take().map((f) => f.headers.get("publish")), [
    "sensors.a",
    "sensors.a.b",
  ]);
});
