// SharedLhttpClient under Deno, which has Web Locks, BroadcastChannel and
// MessageChannel: several clients in one process stand for the tabs. The
// leader path, and the worker path with a SharedWorker stand-in that hands
// each tab's port to a SharedWorkerHost. Chromium runs the real thing in
// shared_tabs_test.ts.

import assert from "node:assert/strict";
import { serveDeno } from "../../src/adapters/deno.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { SharedLhttpClient } from "../../src/client/shared_client.ts";
import type { SharedClientOptions } from "../../src/client/shared_options.ts";
import { SharedWorkerHost } from "../../src/client/shared_worker.ts";
import { until } from "../harness/serve_child.ts";

async function withServer(
  server: LhttpServer,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
  try {
    await fn(`ws://127.0.0.1:${running.port}/`);
  } finally {
    await running.shutdown();
  }
}

// A SharedWorker whose every tab's port goes to `host`; returns the undo.
function standIn(host: SharedWorkerHost): () => void {
  const scope = globalThis as { SharedWorker?: unknown };
  scope.SharedWorker = class {
    port: MessagePort;
    constructor() {
      const { port1, port2 } = new MessageChannel();
      host.connect(port1);
      this.port = port2;
    }
  };
  return () => delete scope.SharedWorker;
}

function tab(url: string, options: SharedClientOptions) {
  const client = new SharedLhttpClient(url, options);
  const got: string[] = [];
  const subscribe = (channel: string) =>
    client.subscribe(channel, (frame) => got.push(`${frame.headers.get("publish")}:${frame.body}`));
  return { client, got, subscribe };
}

Deno.test("leader path: one connection, own frames, acks and errors to the asker, takeover", async () => {
  const server = new LhttpServer();
  await withServer(server, async (url) => {
    const options = { name: crypto.randomUUID() };
    const [a, b, c] = [tab(url, options), tab(url, options), tab(url, options)];
    await Promise.all([a.subscribe("x"), b.subscribe("y"), c.subscribe("x")]);
    assert.equal(a.client.mode, "leader");
    assert.deepEqual([a.client.leader, b.client.leader, c.client.leader], [true, false, false]);
    assert.equal(server.connections.size, 1);
    assert.equal(server.hub.subscriptionCount, 2, "x counted once");
    await b.client.publish("x", "from b");
    server.publish("y", { command: "m", body: "to y" });
    await until(() => a.got.length === 1 && c.got.length === 1 && b.got.length === 1, "frames");
    assert.deepEqual([a.got, b.got, c.got], [["x:from b"], ["y:to y"], ["x:from b"]]);
    await assert.rejects(c.client.publish("bad channel!", "x"), { code: "bad_channel" });

    await a.client.close();
    await until(() => b.client.leader || c.client.leader, "a new leader");
    await until(() => server.hub.subscriptionCount === 2, "resubscribed");
    assert.equal(server.connections.size, 1);
    await b.client.close();
    await until(() => server.hub.subscriptionCount === 1, "y released");
    await c.client.close();
    await until(() => server.connections.size === 0, "the last tab closed the connection");
  });
});

Deno.test("leader path: the leader closes mid-stream; with history nothing is lost or repeated", async () => {
  const server = new LhttpServer({ history: [{ prefix: "chat.", size: 1000, ttlMs: 60_000 }] });
  await withServer(server, async (url) => {
    const options = { name: crypto.randomUUID() };
    const tabs = [tab(url, options), tab(url, options), tab(url, options)];
    await Promise.all(tabs.map((t) => t.subscribe("chat.r")));
    let sent = 0;
    let stop = false;
    const publishing = (async () => {
      while (!stop) {
        server.publish("chat.r", { command: "m", body: String(sent++) });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await until(() => tabs[1].got.length >= 50, "some traffic");
    await tabs[0].client.close();
    const atTakeover = sent;
    await until(() => tabs[1].client.leader || tabs[2].client.leader, "a new leader");
    await until(() => tabs[2].got.length >= atTakeover + 50, "traffic after the takeover");
    stop = true;
    await publishing;
    const expected = Array.from({ length: sent }, (_, i) => `chat.r:${i}`);
    for (const t of tabs.slice(1)) {
      await until(() => t.got.length >= sent, "every frame");
      assert.deepEqual(t.got, expected, "every frame once, in order");
      assert.deepEqual(t.client.position("chat.r")?.offset, sent);
    }
    await Promise.all(tabs.slice(1).map((t) => t.client.close()));
  });
});

Deno.test("worker path: tabs on one SharedWorkerHost share a connection; a leaving tab releases its channels", async () => {
  const server = new LhttpServer();
  const host = new SharedWorkerHost();
  const restore = standIn(host);
  try {
    await withServer(server, async (url) => {
      const options: SharedClientOptions = { workerUrl: "unused.js", name: crypto.randomUUID() };
      const [a, b, c] = [tab(url, options), tab(url, options), tab(url, options)];
      assert.equal(a.client.mode, "worker");
      await Promise.all([a.subscribe("x"), b.subscribe("y"), c.subscribe("x")]);
      assert.equal(host.tabs, 3);
      assert.equal(server.connections.size, 1);
      assert.equal(server.hub.subscriptionCount, 2);
      await b.client.publish("x", "from b");
      server.publish("y", { command: "m", body: "to y" });
      await until(() => a.got.length === 1 && c.got.length === 1 && b.got.length === 1, "frames");
      assert.deepEqual([a.got, b.got, c.got], [["x:from b"], ["y:to y"], ["x:from b"]]);
      await assert.rejects(a.client.publish("bad channel!", ""), { code: "bad_channel" });
      await b.client.close();
      await until(() => server.hub.subscriptionCount === 1, "y released");
      await a.client.close();
      assert.equal(server.hub.subscriptionCount, 1, "c still holds x");
      await c.client.close();
      await until(() => server.connections.size === 0 && host.tabs === 0, "all gone");
    });
  } finally {
    restore();
  }
});

Deno.test("worker path: the worker's client gets its token from a tab (a function cannot cross postMessage)", async () => {
  const tokens: (string | null)[] = [];
  const server = new LhttpServer({
    authenticate: (request) => {
      const token = new URL(request.url).searchParams.get("token");
      tokens.push(token);
      return token === "secret" ? { user: "ann" } : new Response("no", { status: 401 });
    },
  });
  const host = new SharedWorkerHost();
  const restore = standIn(host);
  try {
    await withServer(server, async (url) => {
      const a = tab(url, {
        workerUrl: "unused.js",
        name: crypto.randomUUID(),
        token: () => "secret",
      });
      await a.subscribe("x");
      server.publish("x", { command: "m", body: "hi" });
      await until(() => a.got.length === 1, "a frame");
      assert.deepEqual(tokens, ["secret"]);
      await a.client.close();
      await until(() => server.connections.size === 0, "closed");
    });
  } finally {
    restore();
  }
});

Deno.test("leader path: a wildcard subscription gets the channels it matches, in the tab that holds it", async () => {
  const server = new LhttpServer();
  await withServer(server, async (url) => {
    const options = { name: crypto.randomUUID() };
    const [a, b] = [tab(url, options), tab(url, options)];
    await Promise.all([a.subscribe("sensors.*"), b.subscribe("sensors.attic")]);
    assert.equal(server.connections.size, 1);
    for (const channel of ["sensors.attic", "sensors.attic.temp", "sensors.cellar"]) {
      server.publish(channel, { command: "t", body: "1" });
    }
    await until(() => a.got.length === 2 && b.got.length === 1, "frames");
    assert.deepEqual(a.got, ["sensors.attic:1", "sensors.cellar:1"]);
    assert.deepEqual(b.got, ["sensors.attic:1"]);
    await a.client.close();
    await b.client.close();
  });
});
