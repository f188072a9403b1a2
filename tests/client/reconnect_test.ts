// The client's state machine and reconnect timing, against an in-memory socket
// and a manual clock: no real time passes, so nothing here depends on timing.

import assert from "node:assert/strict";
import { backoffDelay, ClientError, LhttpClient } from "../../src/client/mod.ts";
import type { ClientState } from "../../src/client/mod.ts";
import { fakeWebSocket, ManualClock, settle } from "./_fake_ws.ts";

function setup(options: { maxAttempts?: number; queueSize?: number } = {}) {
  const { WebSocket, sockets } = fakeWebSocket();
  const clock = new ManualClock();
  const client = new LhttpClient("ws://test/", {
    WebSocket,
    clock,
    random: () => 0.5,
    reconnect: { initialDelay: 100, maxDelay: 1000, maxAttempts: options.maxAttempts },
    queueSize: options.queueSize,
  });
  const states: string[] = [];
  client.on("state", ({ from, to }) => states.push(`${from}>${to}`));
  return { client, sockets, clock, states };
}

Deno.test("backoff: full jitter under an exponential ceiling capped at maxDelay", () => {
  const options = { initialDelay: 100, maxDelay: 1000 };
  assert.equal(backoffDelay(0, options, () => 0.999), 99);
  assert.equal(backoffDelay(3, options, () => 0.5), 400);
  assert.equal(backoffDelay(20, options, () => 0.5), 500);
  assert.equal(backoffDelay(5000, options, () => 0.5), 500);
  assert.equal(backoffDelay(2, options, () => 0), 0);
});

Deno.test("states: connecting, open, reconnecting with growing delays, open again", async () => {
  const { client, sockets, clock, states } = setup();
  assert.equal(client.state, "connecting");
  sockets[0].open();
  assert.equal(client.state, "open");
  const reconnects: number[] = [];
  client.on("reconnecting", ({ attempt, delay }) => reconnects.push(attempt * 10000 + delay));
  sockets[0].drop();
  assert.equal(client.state, "reconnecting");
  assert.equal(sockets.length, 1, "no new socket before the timer fires");
  assert.ok(clock.fire());
  assert.equal(sockets.length, 2);
  sockets[1].drop(); // the retry fails
  assert.ok(clock.fire());
  sockets[2].drop();
  assert.ok(clock.fire());
  sockets[3].drop();
  assert.ok(clock.fire());
  sockets[4].drop();
  // 0.5 × min(1000, 100 × 2^n) for n = 0, 1, 2, 3, 4.
  assert.deepEqual(clock.delays, [50, 100, 200, 400, 500]);
  assert.deepEqual(reconnects, [10050, 20100, 30200, 40400, 50500]);
  assert.ok(clock.fire());
  sockets[5].open();
  assert.equal(client.state, "open");
  assert.deepEqual(states, ["connecting>open", "open>reconnecting", "reconnecting>open"]);
  sockets[5].drop();
  assert.equal(clock.delays.at(-1), 50, "attempts count again from zero after an open");
  await client.close();
  assert.equal(clock.timers.size, 0, "close cancels the pending retry");
  assert.equal(client.state, "closed");
});

Deno.test("reconnect gives up after maxAttempts and fails what waits", async () => {
  const { client, sockets, clock, states } = setup({ maxAttempts: 2 });
  const opened = client.opened();
  const queued = client.publish("room", "hello");
  sockets[0].drop(); // the first connect fails
  clock.fire();
  sockets[1].drop();
  clock.fire();
  sockets[2].drop();
  assert.equal(clock.timers.size, 0);
  assert.equal(client.state, "closed");
  assert.deepEqual(states, ["connecting>reconnecting", "reconnecting>closed"]);
  await assert.rejects(opened, (error) => error instanceof ClientError && error.code === "closed");
  await assert.rejects(queued, (error) => error instanceof ClientError && error.code === "closed");
  await assert.rejects(client.publish("room", "late"), { code: "closed" });
});

Deno.test("reconnect: false stays closed after the first loss", () => {
  const { WebSocket, sockets } = fakeWebSocket();
  const clock = new ManualClock();
  const client = new LhttpClient("ws://test/", { WebSocket, clock, reconnect: false });
  sockets[0].open();
  const closes: boolean[] = [];
  client.on("close", ({ reconnecting, wasOpen }) => closes.push(reconnecting, wasOpen));
  sockets[0].drop(1001);
  assert.equal(client.state, "closed");
  assert.deepEqual(closes, [false, true]);
  assert.equal(clock.timers.size, 0);
});

Deno.test("subscriptions are restored after a reconnect, before queued frames", async () => {
  const { client, sockets, clock } = setup();
  sockets[0].open();
  const seen: string[] = [];
  const sub = client.subscribe("room", (frame) => seen.push(String(frame.body)));
  client.subscribe("news");
  sockets[0].ackAll();
  await sub.ready;
  sockets[0].drop();
  const queued = client.publish("room", "while offline", { command: "chat" });
  assert.equal(client.queued, 1);
  clock.fire();
  sockets[1].open();
  const sent = sockets[1].frames();
  assert.deepEqual(sent.map((f) => f.headers.get("subscribe") ?? f.headers.get("publish")), [
    "room",
    "news",
    "room",
  ]);
  assert.equal(sent[2].command, "chat");
  assert.equal(sent[2].body, "while offline");
  sockets[1].ackAll();
  await queued;
  sockets[1].receive("LHTTP/1.0 chat\r\npublish:room\r\n\r\nback");
  assert.deepEqual(seen, ["back"]);
  await client.close();
});

Deno.test("a full offline queue rejects the send with queue_full and emits queuefull", async () => {
  const { client, sockets } = setup({ queueSize: 2 });
  const events: number[] = [];
  client.on("queuefull", ({ capacity }) => events.push(capacity));
  const first = client.publish("room", "1");
  const second = client.send({ command: "raw", body: "2" });
  const third = client.publish("room", "3");
  await assert.rejects(
    third,
    (error) => error instanceof ClientError && error.code === "queue_full",
  );
  assert.deepEqual(events, [2]);
  sockets[0].open();
  assert.deepEqual(sockets[0].frames().map((f) => f.body), ["1", "2"]);
  await second; // resolved once written: no acknowledgement asked
  sockets[0].ackAll();
  await first;
  await client.close();
});

Deno.test("frames written but not acknowledged are rejected as disconnected; queued ones wait", async () => {
  const { client, sockets, clock } = setup();
  sockets[0].open();
  const written = client.publish("room", "in flight");
  sockets[0].drop();
  await assert.rejects(
    written,
    (error) => error instanceof ClientError && error.code === "disconnected",
  );
  const later = client.publish("room", "queued");
  clock.fire();
  sockets[1].open();
  sockets[1].ackAll();
  await later;
  await client.close();
});

Deno.test("close() ends iterators, rejects waiting acks and closes the socket", async () => {
  const { client, sockets, states } = setup();
  sockets[0].open();
  const pending = client.publish("room", "x");
  const frames: string[] = [];
  const reading = (async () => {
    for await (const frame of client) frames.push(frame.command);
  })();
  sockets[0].receive("LHTTP/1.0 one\r\n\r\n");
  await settle();
  await client.close(1000, "bye");
  await reading;
  assert.deepEqual(frames, ["one"]);
  assert.equal(sockets[0].closedWith, 1000);
  await assert.rejects(pending, { name: "ClientError", code: "closed" });
  assert.deepEqual(states, ["connecting>open", "open>closed"]);
  const closedState: ClientState = client.state;
  assert.equal(closedState, "closed");
});

Deno.test("no WebSocket constructor: a no_websocket error", () => {
  const global = globalThis as { WebSocket?: unknown };
  const saved = global.WebSocket;
  try {
    delete global.WebSocket;
    assert.throws(() => new LhttpClient("ws://test/"), { code: "no_websocket" });
  } finally {
    global.WebSocket = saved;
  }
});
