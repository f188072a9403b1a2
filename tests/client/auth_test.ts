// Login refusals (close codes 4401 and 4403 after the upgrade), the token
// option, and the legacy refusal (1006 before open), against an in-memory
// socket and a manual clock.

import assert from "node:assert/strict";
import { ClientError, type ClientOptions, LhttpClient } from "../../src/client/mod.ts";
import { fakeWebSocket, ManualClock, settle } from "./_fake_ws.ts";
import { within } from "./_guard.ts";
import { refusingServer } from "./_stand_ins.ts";

function setup(options: ClientOptions = {}) {
  const { WebSocket, sockets } = fakeWebSocket();
  const clock = new ManualClock();
  const client = new LhttpClient("ws://test/?room=1", {
    WebSocket,
    clock,
    random: () => 0.5,
    ackTimeout: 0,
    reconnect: { initialDelay: 100, maxDelay: 1000 },
    ...options,
  });
  const events: string[] = [];
  client.on("unauthorized", ({ code, reason, reconnecting, error }) => {
    events.push(`${code} ${reason} ${reconnecting} ${error.code}`);
  });
  return { client, sockets, clock, events };
}

Deno.test("4401 without a token option: unauthorized, no retry, everything waiting rejected", async () => {
  const { client, sockets, clock, events } = setup();
  const states: string[] = [];
  client.on("state", ({ to }) => states.push(to));
  const queued = client.publish("room", "before open");
  const sub = client.subscribe("room");
  // The server accepts the upgrade, then closes: the client saw an open.
  sockets[0].open();
  const inFlight = client.publish("room", "written");
  const opened = client.opened();
  sockets[0].drop(4401, "bad token");
  assert.deepEqual(events, ["4401 bad token false unauthorized"]);
  assert.equal(client.state, "closed");
  assert.deepEqual(states, ["open", "closed"]);
  assert.equal(clock.timers.size, 0, "no retry scheduled");
  assert.equal(sockets.length, 1);
  for (const promise of [queued, inFlight, sub.ready]) {
    await assert.rejects(promise, (error) => {
      assert.ok(error instanceof ClientError);
      assert.equal(error.code, "unauthorized");
      assert.match(error.message, /4401: bad token/);
      return true;
    });
  }
  await opened; // it did open, briefly
  await assert.rejects(client.opened(), { code: "unauthorized" });
  await assert.rejects(client.publish("room", "later"), { code: "unauthorized" });
});

Deno.test("4403 before any frame: forbidden, queued publishes rejected at once", async () => {
  const { client, sockets, events } = setup();
  const queued = client.publish("room", "x");
  sockets[0].drop(4403, "not allowed here");
  assert.deepEqual(events, ["4403 not allowed here false forbidden"]);
  assert.equal(client.state, "closed");
  await assert.rejects(queued, { name: "ClientError", code: "forbidden" });
});

Deno.test("a token option is called on each connect, goes in the query, and a 4401 retries", async () => {
  const tokens = ["t1", "t2", "t3"];
  const { client, sockets, clock, events } = setup({ token: () => tokens.shift() });
  assert.equal(sockets[0].url, "ws://test/?room=1&token=t1");
  const sub = client.subscribe("room");
  sockets[0].open();
  const inFlight = client.publish("room", "x");
  sockets[0].drop(4401, "expired");
  assert.deepEqual(events, ["4401 expired true unauthorized"]);
  assert.equal(client.state, "reconnecting");
  await assert.rejects(inFlight, { code: "unauthorized" });
  assert.ok(clock.fire());
  assert.equal(sockets[1].url, "ws://test/?room=1&token=t2");
  sockets[1].open();
  sockets[1].drop(4401, "still expired");
  assert.ok(clock.fire());
  // The brief opens do not reset the backoff: 0.5 × 100, then 0.5 × 200.
  assert.deepEqual(clock.delays, [50, 100]);
  assert.equal(sockets[2].url, "ws://test/?room=1&token=t3");
  sockets[2].open();
  assert.equal(sockets[2].frames()[0].headers.get("subscribe"), "room", "restored");
  sockets[2].ackAll();
  await sub.ready; // kept pending across the refusals, since the client reconnected
  assert.equal(client.url, "ws://test/?room=1", "the token is not part of url");
  await client.close();
});

Deno.test("an async token is awaited; a failing token is an error event and a retry", async () => {
  let calls = 0;
  const { client, sockets, clock } = setup({
    token: () => {
      calls++;
      if (calls === 1) return Promise.reject(new Error("refresh failed"));
      return Promise.resolve(`async${calls}`);
    },
  });
  const errors: Error[] = [];
  client.on("error", (error) => errors.push(error));
  assert.equal(sockets.length, 0, "waiting for the token");
  await settle();
  assert.equal((errors[0] as ClientError).code, "token_failed");
  assert.equal(client.state, "reconnecting");
  assert.ok(clock.fire());
  await settle();
  assert.equal(sockets[0].url, "ws://test/?room=1&token=async2");
  sockets[0].open();
  assert.equal(client.state, "open");
  await client.close();
});

Deno.test("legacy refusal: 1006 before open (a refused upgrade) retries as before", () => {
  const { client, sockets, clock, events } = setup();
  sockets[0].drop(1006);
  assert.deepEqual(events, [], "not an auth refusal: a browser cannot tell");
  assert.equal(client.state, "reconnecting");
  assert.ok(clock.fire());
  assert.equal(sockets.length, 2);
  void client.close();
});

Deno.test("real socket: a server that accepts, then closes 4401, stops the client without a token", async () => {
  const server = refusingServer(4401);
  const clock = new ManualClock();
  const client = new LhttpClient(server.url, { clock });
  try {
    const refused = new Promise<{ code: number; reason: string; reconnecting: boolean }>(
      (resolve) => client.once("unauthorized", resolve),
    );
    const queued = client.publish("room", "hello");
    const event = await within(refused, "the unauthorized event");
    assert.deepEqual(event.code, 4401);
    assert.equal(event.reason, "token required");
    assert.equal(event.reconnecting, false);
    assert.equal(client.state, "closed");
    await assert.rejects(queued, { name: "ClientError", code: "unauthorized" });
    assert.equal(clock.timers.size, 0, "no reconnect scheduled");
    assert.deepEqual(server.tokens, [null]);
  } finally {
    await client.close();
    await server.shutdown();
  }
});

Deno.test("real socket: with a token option the client retries with a fresh token and opens", async () => {
  const server = refusingServer(4403);
  const clock = new ManualClock();
  const tokens = ["stale", "good"];
  const client = new LhttpClient(server.url, { clock, token: () => tokens.shift(), acks: false });
  try {
    const refused = new Promise<number>((resolve) =>
      client.once("unauthorized", (e) => resolve(e.code))
    );
    assert.equal(await within(refused, "the refusal"), 4403);
    assert.equal(client.state, "reconnecting");
    const opened = new Promise<void>((resolve) => client.once("open", () => resolve()));
    assert.ok(clock.fire());
    await within(opened, "the second open");
    const echoed = new Promise<string>((resolve) =>
      client.once("frame", (f) => resolve(String(f.body)))
    );
    await client.send({ command: "echo", body: "in" });
    assert.equal(await within(echoed, "the echo"), "in");
    assert.deepEqual(server.tokens, ["stale", "good"]);
  } finally {
    await client.close();
    await server.shutdown();
  }
});
