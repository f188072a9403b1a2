// The client against a real lhttp server on Deno (in-process, random port).

import assert from "node:assert/strict";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { serveDeno } from "../../src/adapters/deno.ts";
import type { RunningServer } from "../../src/adapters/serve_options.ts";
import { binaryFrame, type Frame, LhttpClient, RemoteError } from "../../src/client/mod.ts";
import { Lhttp } from "../../src/client/compat.ts";
import { within } from "./_guard.ts";
import { ManualClock } from "./_fake_ws.ts";

function start(port = 0): RunningServer {
  const server = new LhttpServer({
    authorize: ({ action, target }) => !(action === "publish" && target.includes("admin")),
  });
  return serveDeno(server, { port, hostname: "127.0.0.1" });
}

/** Resolves with the next frame `client` gets that matches `test`. */
function next(client: LhttpClient, test: (frame: Frame) => boolean = () => true): Promise<Frame> {
  return new Promise((resolve) => {
    const off = client.on("frame", (frame) => {
      if (test(frame)) (off(), resolve(frame));
    });
  });
}

Deno.test("two clients: subscribe, publish with ack, self-delivery, refusal", async () => {
  const running = start();
  const url = `ws://127.0.0.1:${running.port}/`;
  const alice = new LhttpClient(url);
  const bob = new LhttpClient(url);
  try {
    const aliceSub = alice.subscribe("room");
    const bobSub = bob.subscribe("room");
    await within(Promise.all([aliceSub.ready, bobSub.ready]), "subscriptions");
    const atBob = next(bob);
    const atAlice = next(alice);
    await alice.publish("room", "hello bob", { command: "chat", headers: { nick: "alice" } });
    const [toBob, toAlice] = await within(Promise.all([atBob, atAlice]), "deliveries");
    assert.equal(toBob.command, "chat");
    assert.equal(toBob.body, "hello bob");
    assert.equal(toBob.headers.get("nick"), "alice");
    assert.equal(toBob.headers.has("ack"), false, "the server strips ack from published frames");
    assert.equal(toAlice.body, "hello bob", "a subscribed publisher gets its own message");
    await assert.rejects(alice.publish("admin", "x"), (error) => {
      assert.ok(error instanceof RemoteError);
      assert.equal(error.status, 403);
      assert.equal(error.code, "forbidden");
      assert.ok(error.reason.length > 0);
      return true;
    });
    const binary = next(bob, (frame) => frame.command === "image");
    await alice.send(binaryFrame("image", new Uint8Array([0, 1, 2, 255]), { publish: "room" }), {
      ack: true,
    });
    assert.deepEqual(
      (await within(binary, "binary delivery")).body,
      new Uint8Array([0, 1, 2, 255]),
    );
    await bobSub();
    await alice.publish("room", "after bob left");
  } finally {
    await Promise.all([alice.close(), bob.close()]);
    await running.shutdown();
  }
});

Deno.test("after a server restart on the same port the client reconnects and keeps its room", async () => {
  let running = start();
  const port = running.port;
  const url = `ws://127.0.0.1:${port}/`;
  const client = new LhttpClient(url, { reconnect: { initialDelay: 20, maxDelay: 200 } });
  let other: LhttpClient | undefined;
  try {
    await within(client.subscribe("room").ready, "subscription");
    const reconnected = new Promise<void>((resolve) => {
      client.on("open", ({ reconnected }) => reconnected && resolve());
    });
    const dropped = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await running.shutdown();
    await within(dropped, "the drop");
    assert.notEqual(client.state, "open");
    running = start(port);
    await within(reconnected, "the reconnect");
    // A connection's frames are processed in order: once this ping is
    // acknowledged, the resubscription sent before it has been applied.
    await client.send({ command: "ping" }, { ack: true });
    other = new LhttpClient(url);
    const received = next(client);
    await other.publish("room", "welcome back");
    const frame = await within(received, "delivery after reconnect");
    assert.equal(frame?.body, "welcome back");
  } finally {
    await Promise.all([client.close(), other?.close()]);
    await running.shutdown();
  }
});

Deno.test("compat Lhttp: the original API's subscribe, publish and context getters", async () => {
  const running = start();
  const ws = new Lhttp(`ws://127.0.0.1:${running.port}/`);
  try {
    const bodies: string[] = [];
    const got = new Promise<void>((resolve) => {
      ws.on_open = (context) => context.subscribe("chatroom", "chat", null, "");
      ws.on_message = (context) => {
        if (context.getBody() === "") return;
        bodies.push(`${context.getCommand()}|${context.getHeader("Publish")}|${context.getBody()}`);
        resolve();
      };
    });
    await within(ws.client.opened(), "compat open");
    ws.context.addHeader("nick", "jack");
    ws.context.publish("chatroom", "chat", { mood: "ok" }, "hello mike");
    await within(got, "compat delivery");
    assert.deepEqual(bodies, ["chat|chatroom|hello mike"]);
    assert.equal(ws.context.getHeader("nick"), "jack");
    assert.equal(ws.context.getHeader("subscribe"), undefined, "headers no longer pile up");
  } finally {
    await ws.close();
    await running.shutdown();
  }
});

Deno.test("the real server refuses a login with 4401: unauthorized, then a fresh token gets in", async () => {
  const server = new LhttpServer({
    authenticate: (request) => {
      const token = new URL(request.url).searchParams.get("token");
      if (token === "good") return { user: "ann" };
      return new Response(token === null ? "token required" : "token expired", { status: 401 });
    },
  });
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
  const url = `ws://127.0.0.1:${running.port}/`;
  const plain = new LhttpClient(url, { ackTimeout: 0 });
  const clock = new ManualClock();
  const tokens = ["stale", "good"];
  const renewing = new LhttpClient(url, { clock, token: () => tokens.shift(), ackTimeout: 0 });
  const second = new Promise<string>((resolve) =>
    renewing.once("unauthorized", ({ reason }) => resolve(reason))
  );
  try {
    const refused = new Promise<{ code: number; reason: string; reconnecting: boolean }>(
      (resolve) => plain.once("unauthorized", resolve),
    );
    const queued = plain.publish("room", "hello");
    const event = await within(refused, "the refusal without a token");
    assert.deepEqual(event, {
      ...event,
      code: 4401,
      reason: "token required",
      reconnecting: false,
    });
    assert.equal(plain.state, "closed");
    await assert.rejects(queued, { name: "ClientError", code: "unauthorized" });

    assert.equal(await within(second, "the refusal of the stale token"), "token expired");
    assert.equal(renewing.state, "reconnecting");
    const opened = new Promise<void>((resolve) => renewing.once("open", () => resolve()));
    assert.ok(clock.fire());
    await within(opened, "the open with the fresh token");
    await renewing.subscribe("room").ready;
    await renewing.send({ command: "ping" }, { ack: true });
  } finally {
    await Promise.all([plain.close(), renewing.close()]);
    await running.shutdown();
  }
});
