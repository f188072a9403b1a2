import assert from "node:assert/strict";
import { CloseCode, LhttpError, LhttpServer, MemoryBroker } from "../mod.ts";
import { FakeClient, settle } from "./harness/fake_peer.ts";

const frame = (command: string, headers: Record<string, string> = {}, body = "") =>
  `LHTTP/1.0 ${command}\r\n${
    Object.entries(headers).map(([k, v]) => `${k}:${v}\r\n`).join("")
  }\r\n${body}`;

Deno.test("pub/sub: subscribers get the same serialized data, the publisher included", () => {
  const server = new LhttpServer();
  const [a, b, c] = [new FakeClient(server), new FakeClient(server), new FakeClient(server)];
  a.send(frame("chat", { subscribe: "room" }));
  b.send(frame("chat", { subscribe: "room" }));
  c.send(frame("chat", { publish: "room" }, "hello room"));
  assert.equal(a.sent.length, 1);
  assert.equal(b.sent.length, 1);
  assert.equal(c.sent.length, 0, "c is not subscribed");
  assert.equal(a.sent[0], frame("chat", { publish: "room" }, "hello room"));
  assert.equal(a.sent[0], b.sent[0]);
  a.send(frame("chat", { publish: "room" }, "mine"));
  assert.equal(
    a.frames()[1].body,
    "mine",
    "a publisher subscribed to the channel gets its own message",
  );
});

Deno.test("unsubscribe and multi-channel subscribe", () => {
  const server = new LhttpServer();
  const a = new FakeClient(server);
  const pub = new FakeClient(server);
  a.send(frame("chat", { subscribe: "one two  three" }));
  assert.deepEqual([...a.connection.channels], ["one", "two", "three"]);
  pub.send(frame("chat", { publish: "two three" }, "x"));
  assert.equal(a.take().length, 2, "once per channel");
  a.send(frame("chat", { unsubscribe: "two" }));
  pub.send(frame("chat", { publish: "two" }, "gone"));
  pub.send(frame("chat", { publish: "one" }, "kept"));
  assert.deepEqual(a.take().map((f) => f.body), ["kept"]);
  a.send(frame("chat", { unsubscribe: "nope" }));
  assert.equal(a.take().length, 0, "unsubscribing from an unknown channel is a no-op");
});

Deno.test("the original SDK's accumulated subscribe+publish headers work", () => {
  const server = new LhttpServer();
  const a = new FakeClient(server);
  a.send(frame("chat", { subscribe: "chatroom" }));
  a.send(frame("chat", { subscribe: "chatroom", publish: "chatroom" }, "hi all"));
  assert.deepEqual(a.take().map((f) => f.body), ["hi all"]);
  assert.equal(server.hub.subscriptionCount, 1);
});

Deno.test("processor reply overrides what is published; onOpen once per command", () => {
  const server = new LhttpServer();
  const calls: string[] = [];
  server.processor("chat", {
    onOpen: () => void calls.push("open"),
    onMessage(ctx) {
      calls.push(`message:${ctx.text}`);
      ctx.setCommand("chat-reply").setHeader("Seen", "yes").setBody(ctx.text.toUpperCase());
    },
    onClose: (connection) => void calls.push(`close:${connection.id}`),
  });
  server.processor("other", { onClose: () => void calls.push("close-other") });
  const a = new FakeClient(server);
  a.send(frame("chat", { subscribe: "room" }));
  a.send(frame("chat", { publish: "room" }, "hi"));
  a.send(frame("other"));
  assert.deepEqual(calls, ["open", "message:", "message:hi"]);
  assert.equal(a.sent[0], frame("chat-reply", { publish: "room", seen: "yes" }, "HI"));
  a.disconnect();
  assert.deepEqual(calls.slice(3), [`close:${a.connection.id}`, "close-other"]);
});

Deno.test("ctx.send replies to the sender only, with overrides", () => {
  const server = new LhttpServer();
  server.processor("echo", {
    onMessage(ctx) {
      ctx.send(undefined, { headers: { echoed: "1" } });
      ctx.send("custom", { command: "other" });
    },
  });
  const a = new FakeClient(server);
  a.send(frame("echo", { k: "v" }, "body"));
  assert.deepEqual(a.sent, [
    frame("echo", { k: "v", echoed: "1" }, "body"),
    frame("other", { k: "v" }, "custom"),
  ]);
});

Deno.test("middleware wraps processing in order and can refuse a frame", async () => {
  const server = new LhttpServer();
  const order: string[] = [];
  server.use(async (ctx, next) => {
    order.push("outer-in");
    if (ctx.header("token") !== "ok") throw new LhttpError("forbidden", "Token is wrong");
    await next();
    order.push("outer-out");
  });
  server.use((ctx, next) => {
    ctx.setHeader("x-mw", "1");
    order.push("inner");
    return next();
  });
  server.processor("chat", { onMessage: () => void order.push("processor") });
  const a = new FakeClient(server);
  a.send(frame("chat", { token: "ok", subscribe: "room", publish: "room" }, "hi"));
  await settle();
  assert.deepEqual(order, ["outer-in", "inner", "processor", "outer-out"]);
  assert.equal(a.frames()[0].headers.get("x-mw"), "1");
  a.take();
  a.send(frame("chat", { token: "bad", publish: "room", ack: "7" }, "no"));
  await settle();
  const [refusal] = a.take();
  assert.equal(refusal.headers.get("status"), "403");
  assert.equal(refusal.headers.get("ack"), "7");
});

Deno.test("multipart parts reach the processor", () => {
  const server = new LhttpServer();
  let seen: string[] = [];
  server.processor("upload", {
    onMessage(ctx) {
      seen = ctx.parts!.map((part) => `${[...part.headers].join()}=${part.body}`);
    },
  });
  const a = new FakeClient(server);
  a.send("LHTTP/1.0 upload\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2");
  assert.deepEqual(seen, ["k1,v1=body1", "k2,v2=body2"]);
  a.send("LHTTP/1.0 upload\r\nmultipart:0 99\r\n\r\nk:v");
  assert.equal(a.frames()[0].headers.get("code"), "bad_multipart");
});

Deno.test("binary frames are published as binary", () => {
  const server = new LhttpServer();
  const a = new FakeClient(server);
  a.send(frame("img", { subscribe: "cam" }));
  const head = new TextEncoder().encode("LHTTP/1.0 img\r\npublish:cam\r\n\r\n");
  a.send(new Uint8Array([...head, 0, 1, 255]));
  assert.ok(a.sent[0] instanceof Uint8Array);
  assert.deepEqual([...(a.frames()[0].body as Uint8Array)], [0, 1, 255]);
});

Deno.test("acknowledgements: status 200 after pub/sub, ack stripped from published frames", () => {
  const server = new LhttpServer();
  const a = new FakeClient(server);
  a.send(frame("chat", { subscribe: "room", ack: "s1" }));
  a.send(frame("chat", { publish: "room", ack: "p1" }, "hi"));
  const [subAck, published, pubAck] = a.take();
  assert.deepEqual([...subAck.headers], [["ack", "s1"], ["status", "200"]]);
  assert.equal(published.headers.has("ack"), false);
  assert.equal(published.body, "hi");
  assert.deepEqual([...pubAck.headers], [["ack", "p1"], ["status", "200"]]);
});

Deno.test("malformed input gets an error frame and the connection keeps working", () => {
  const server = new LhttpServer();
  const a = new FakeClient(server);
  const cases: [string, string, string][] = [
    ["hello", "not_lhttp", "400"],
    ["LHTTP/2.0 chat\r\n\r\n", "bad_version", "505"],
    ["LHTTP/1.0 chat\r\nnocolon\r\n\r\n", "bad_header", "400"],
    [frame("chat", { subscribe: "bad!name", ack: "a" }), "bad_channel", "400"],
    [
      frame("chat", { subscribe: Array.from({ length: 41 }, (_, i) => `c${i}`).join(" ") }),
      "too_many_channels",
      "400",
    ],
    [frame("chat", { upstream: "GET http://127.0.0.1:1/" }), "upstream_forbidden", "403"],
  ];
  for (const [input, code, status] of cases) {
    a.send(input);
    const [error] = a.take();
    assert.equal(error.headers.get("code"), code, input);
    assert.equal(error.headers.get("status"), status, input);
    assert.ok(error.headers.get("reason")!.length > 0);
  }
  a.send(frame("chat", { subscribe: "bad!name", ack: "a" }));
  const [withAck] = a.take();
  assert.equal(withAck.command, "chat");
  assert.equal(withAck.headers.get("ack"), "a");
  assert.equal(a.closedWith, undefined);
  a.send(frame("chat", { subscribe: "room", ack: "ok" }));
  assert.equal(a.frames()[0].headers.get("status"), "200");
});

Deno.test("an invalid publish list subscribes nothing either", () => {
  const server = new LhttpServer();
  const a = new FakeClient(server);
  a.send(frame("chat", { subscribe: "room", publish: "bad!" }));
  assert.equal(a.connection.channels.size, 0);
});

Deno.test("limits: oversize closes with 1009; subscription limit is all-or-nothing", () => {
  const server = new LhttpServer({ limits: { maxFrameBytes: 100, maxSubscriptions: 3 } });
  const a = new FakeClient(server);
  a.send(frame("chat", { subscribe: "a b" }));
  a.send(frame("chat", { subscribe: "c d" }));
  assert.equal(a.frames()[0].headers.get("code"), "subscription_limit");
  assert.equal(a.frames()[0].headers.get("status"), "429");
  assert.deepEqual([...a.connection.channels], ["a", "b"]);
  a.send(frame("chat", {}, "x".repeat(200)));
  assert.equal(a.closedWith?.code, CloseCode.tooBig);
  assert.equal(server.hub.channelCount, 0, "closing released the subscriptions");
});

Deno.test("a processor that throws gets a 500 and the connection survives", () => {
  const errors: string[] = [];
  const server = new LhttpServer({
    logger: { enabled: () => true, log: (level) => void errors.push(level) },
  });
  server.processor("boom", {
    onMessage() {
      throw new Error("kaboom");
    },
  });
  const a = new FakeClient(server);
  a.send(frame("boom", { ack: "1" }));
  const [error] = a.take();
  assert.equal(error.headers.get("status"), "500");
  assert.equal(error.headers.get("code"), "internal");
  assert.ok(!error.headers.get("reason")!.includes("kaboom"), "internals are not leaked");
  assert.ok(errors.includes("error"));
  a.send(frame("chat", { subscribe: "room", ack: "2" }));
  assert.equal(a.frames()[0].headers.get("status"), "200");
});

Deno.test("frames of one connection are handled in order across async processors", async () => {
  const server = new LhttpServer();
  server.processor("slow", { onMessage: () => settle(5) });
  const a = new FakeClient(server);
  a.send(frame("chat", { subscribe: "room" }));
  a.send(frame("slow", { publish: "room" }, "1"));
  a.send(frame("chat", { publish: "room" }, "2"));
  a.send(frame("slow", { publish: "room" }, "3"));
  a.send(frame("chat", { publish: "room" }, "4"));
  await settle(50);
  assert.deepEqual(a.frames().map((f) => f.body), ["1", "2", "3", "4"]);
});

Deno.test("read-ahead beyond maxQueuedFrames closes with 1008", async () => {
  const server = new LhttpServer({ maxQueuedFrames: 2 });
  server.processor("slow", { onMessage: () => settle(5) });
  const a = new FakeClient(server);
  for (let i = 0; i < 4; i++) a.send(frame("slow"));
  assert.equal(a.closedWith?.code, CloseCode.policy);
  await settle(20);
});

Deno.test("authorize refuses per action and changes nothing", async () => {
  const server = new LhttpServer({
    authorize: ({ action, target, connection }) =>
      Promise.resolve(
        !(action === "subscribe" && target.includes("admin")) || connection.data === "root",
      ),
  });
  const a = new FakeClient(server, "guest");
  a.send(frame("chat", { subscribe: "news admin", ack: "1" }));
  await settle();
  const [refusal] = a.take();
  assert.equal(refusal.headers.get("code"), "forbidden");
  assert.equal(a.connection.channels.size, 0);
  const root = new FakeClient(server, "root");
  root.send(frame("chat", { subscribe: "admin", ack: "2" }));
  await settle();
  assert.equal(root.frames()[0].headers.get("status"), "200");
});

Deno.test("slow consumers: close with 4008, or drop and count", () => {
  const closing = new LhttpServer({ maxBufferedBytes: 10 });
  const slow = new FakeClient(closing);
  const fast = new FakeClient(closing);
  slow.send(frame("chat", { subscribe: "room" }));
  fast.send(frame("chat", { subscribe: "room" }));
  slow.bufferedAmount = 11;
  closing.publish("room", { command: "chat", body: "x" });
  assert.equal(slow.closedWith?.code, CloseCode.slowConsumer);
  assert.equal(fast.sent.length, 1, "one slow client never costs the others");

  const dropping = new LhttpServer({ maxBufferedBytes: 10, slowConsumer: "drop" });
  const lagging = new FakeClient(dropping);
  lagging.send(frame("chat", { subscribe: "room" }));
  lagging.bufferedAmount = 11;
  dropping.publish("room", { command: "chat", body: "x" });
  dropping.publish("room", { command: "chat", body: "y" });
  assert.equal(lagging.connection.dropped, 2);
  assert.equal(lagging.closedWith, undefined);
});

Deno.test("server.publish from application code; close releases everything", () => {
  const server = new LhttpServer();
  const a = new FakeClient(server);
  a.send(frame("chat", { subscribe: "mike" }));
  assert.equal(server.publish("mike", { command: "yourCommand", body: "hello mike!" }), 1);
  assert.equal(a.sent[0], "LHTTP/1.0 yourCommand\r\npublish:mike\r\n\r\nhello mike!");
  assert.throws(() => server.publish("bad name!", { command: "x" }), { code: "bad_channel" });
  a.disconnect();
  assert.deepEqual(server.gauges(), {
    connections: 0,
    channels: 0,
    subscriptions: 0,
    bus: "local",
  });
});

Deno.test("a memory bus joins two servers without double delivery", () => {
  const broker = new MemoryBroker();
  const one = new LhttpServer({ bus: broker.connect() });
  const two = new LhttpServer({ bus: broker.connect() });
  const a = new FakeClient(one);
  const b = new FakeClient(two);
  a.send(frame("chat", { subscribe: "room" }));
  b.send(frame("chat", { subscribe: "room" }));
  a.send(frame("chat", { publish: "room" }, "hi"));
  assert.equal(a.sent.length, 1);
  assert.equal(b.sent.length, 1);
  b.disconnect();
  a.send(frame("chat", { publish: "room" }, "again"));
  assert.equal(a.sent.length, 2);
});

Deno.test("read-ahead queue keeps order and byte counts across compaction", async () => {
  const { FrameQueue } = await import("../src/connection/_frame_queue.ts");
  const queue = new FrameQueue();
  for (let i = 0; i < 5000; i++) queue.push(String(i), 3);
  const out: string[] = [];
  for (let i = 0; i < 3000; i++) out.push(queue.shift() as string);
  for (let i = 5000; i < 6000; i++) queue.push(String(i), 3);
  assert.equal(queue.length, 3000);
  assert.equal(queue.bytes, 9000);
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item as string);
  assert.deepEqual(out, Array.from({ length: 6000 }, (_, i) => String(i)));
  assert.equal(queue.bytes, 0);
});
