// A cluster history engine in the server, without NATS: a scripted engine
// decides when copies come back, so the order of copy, ack and latest value
// is tested deterministically (the real nats-server runs in
// jetstream_engine_test.ts). Also the engine's LiveTracker.

import assert from "node:assert/strict";
import { LhttpError } from "../../src/codec/errors.ts";
import type { FrameData } from "../../src/codec/frame.ts";
import { type ClusterHistory, insertPosition } from "../../src/history/cluster_history.ts";
import type { HistoryRule, StoredPublication } from "../../src/history/history.ts";
import { LiveTracker } from "../../src/jetstream/live_tracker.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { FakeClient } from "../harness/fake_peer.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Stores in memory; a copy comes back only when the test says so (`flush`). */
class ScriptedEngine implements ClusterHistory {
  readonly kind = "cluster" as const;
  readonly recoveryLimit = 10;
  failing = false;
  stored: StoredPublication[] = [];
  #deliver?: (channel: string, data: FrameData) => void;
  #pending: { channel: string; publication: StoredPublication; done?: () => void }[] = [];

  rule(channel: string): HistoryRule | undefined {
    return channel.startsWith("state.")
      ? { prefix: "state.", size: 5, ttlMs: 60_000, latest: true }
      : undefined;
  }
  start(deliver: (channel: string, data: FrameData) => void): void {
    this.#deliver = deliver;
  }
  publish(channel: string, data: FrameData): void {
    void this.store(channel, data).catch(() => {});
  }
  store(channel: string, data: FrameData): Promise<void> {
    if (this.failing) return Promise.reject(new LhttpError("server_busy", "store down"));
    const offset = this.stored.length + 1;
    const publication = { offset, data: insertPosition(data, offset, undefined, "e1") };
    this.stored.push(publication);
    return new Promise((done) => this.#pending.push({ channel, publication, done }));
  }
  /** The live copies come back: delivered locally, then the stores settle. */
  flush(): void {
    for (const { channel, publication, done } of this.#pending.splice(0)) {
      this.#deliver!(channel, publication.data);
      done?.();
    }
  }
  latest(): Promise<StoredPublication | undefined> {
    return Promise.resolve(this.stored.at(-1));
  }
  top(channel: string) {
    return Promise.resolve(this.rule(channel) && { offset: this.stored.length, epoch: "e1" });
  }
  since() {
    return Promise.resolve(undefined);
  }
  last() {
    return Promise.resolve([]);
  }
  close() {
    return Promise.resolve();
  }
}

const texts = (client: FakeClient) => client.sent.map(String);

Deno.test("cluster engine: the ack waits for the store and the publisher's own copy", async () => {
  const engine = new ScriptedEngine();
  const server = new LhttpServer({ history: engine });
  const client = new FakeClient(server);
  client.send("LHTTP/1.0 subscribe\r\nsubscribe:state.a\r\n\r\n");
  await tick();
  client.send("LHTTP/1.0 set\r\npublish:state.a\r\nack:1\r\n\r\non");
  await tick();
  assert.deepEqual(texts(client), [], "no ack before the copy is back");
  engine.flush();
  await tick();
  assert.deepEqual(texts(client), [
    "LHTTP/1.0 set\r\npublish:state.a\r\noffset:1\r\nepoch:e1\r\n\r\non",
    "LHTTP/1.0 set\r\nack:1\r\nstatus:200\r\n\r\n",
  ]);
  // Without an ack nothing waits: the next frame is handled at once.
  client.send("LHTTP/1.0 set\r\npublish:state.a\r\n\r\noff");
  client.send("LHTTP/1.0 ping\r\nack:2\r\n\r\n");
  await tick();
  assert.match(texts(client).at(-1)!, /^LHTTP\/1\.0 ping\r\nack:2\r\n/);
});

Deno.test("cluster engine: a publication it cannot store is answered 503 server_busy", async () => {
  const engine = new ScriptedEngine();
  engine.failing = true;
  const server = new LhttpServer({ history: engine });
  const client = new FakeClient(server);
  client.send("LHTTP/1.0 set\r\npublish:state.a\r\nack:1\r\n\r\non");
  await tick();
  const [answer] = texts(client);
  assert.match(answer, /\r\nack:1\r\n/);
  assert.match(answer, /\r\nstatus:503\r\ncode:server_busy\r\n/);
});

Deno.test("cluster engine: the latest value goes to new subscribers only, before the ack", async () => {
  const engine = new ScriptedEngine();
  const server = new LhttpServer({ history: engine });
  server.publish("state.a", { command: "set", body: "on" });
  engine.flush();
  const client = new FakeClient(server);
  client.send("LHTTP/1.0 subscribe\r\nsubscribe:state.a news\r\nack:s\r\n\r\n");
  await tick();
  assert.deepEqual(texts(client), [
    "LHTTP/1.0 set\r\npublish:state.a\r\noffset:1\r\nepoch:e1\r\n\r\non",
    "LHTTP/1.0 subscribe\r\nack:s\r\nstatus:200\r\n\r\n",
  ]);
  client.send("LHTTP/1.0 subscribe\r\nsubscribe:state.a\r\nack:t\r\n\r\n");
  await tick();
  assert.equal(texts(client).length, 3, "subscribed already: no second latest value");
});

Deno.test("LiveTracker: waits end at the copy's sequence, at a later one, or at the bound", async () => {
  const tracker = new LiveTracker(10);
  const order: string[] = [];
  const a = tracker.until(5).then(() => void order.push("5"));
  const b = tracker.until(3).then(() => void order.push("3"));
  const c = tracker.until(9).then(() => void order.push("9 (bound)"));
  tracker.delivered("x", 3);
  await b;
  assert.deepEqual(order, ["3"]);
  tracker.delivered("y", 7); // past 5: released too
  await a;
  assert.deepEqual(order, ["3", "5"]);
  await c; // never delivered: released by the 10 ms bound
  assert.deepEqual(order, ["3", "5", "9 (bound)"]);
  await tracker.until(1); // at or below the last delivered: at once
  const watch = tracker.watch("x");
  tracker.delivered("y", 8);
  assert.equal(watch.seen, 0, "another channel");
  tracker.delivered("x", 9);
  assert.equal(watch.seen, 9);
  watch.end();
  tracker.delivered("x", 10);
  assert.equal(watch.seen, 9, "ended");
  tracker.close();
});
