// Publisher pacing (src/pacing.ts) over in-memory peers: a publisher waits
// while a subscriber is past high water, resumes when it drains, and a
// subscriber that never drains stops pacing anyone.

import assert from "node:assert/strict";
import { CloseCode, LhttpServer } from "../mod.ts";
import { FakeClient, settle } from "./harness/fake_peer.ts";

const publish = (body: string) => `LHTTP/1.0 chat\r\npublish:room\r\n\r\n${body}`;
const SUBSCRIBE = "LHTTP/1.0 chat\r\nsubscribe:room\r\n\r\n";

/** Polls `condition` (bounded, generous): not a timing assertion. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await settle(5);
  assert.ok(condition(), `timed out waiting for ${what}`);
}

function setup(options: ConstructorParameters<typeof LhttpServer>[0] = {}) {
  const server = new LhttpServer({ maxBufferedBytes: 1000, ...options });
  const publisher = new FakeClient(server);
  const slow = new FakeClient(server);
  const fast = new FakeClient(server);
  slow.send(SUBSCRIBE);
  fast.send(SUBSCRIBE);
  return { server, publisher, slow, fast };
}

Deno.test("pacing: a publisher waits while a subscriber is past high water, then resumes", async () => {
  const { server, publisher, slow, fast } = setup({ pacing: { maxWaitMs: 60_000 } });
  slow.bufferedAmount = 600; // past the default high water (500), under the cap
  publisher.send(publish("1"));
  publisher.send(publish("2"));
  publisher.send(publish("3"));
  assert.deepEqual(fast.frames().map((f) => f.body), ["1"], "frames 2 and 3 wait");
  assert.equal(publisher.connection.inbox!.queued, 2);
  slow.bufferedAmount = 100; // under the default low water (125)
  await until(() => fast.sent.length === 3, "the queued frames");
  assert.deepEqual(fast.frames().map((f) => f.body), ["1", "2", "3"]);
  assert.deepEqual(slow.frames().map((f) => f.body), ["1", "2", "3"]);
  assert.equal(server.metrics.pacing.get("drained"), 1);
  assert.equal(slow.closedWith, undefined);
});

Deno.test("pacing: a subscriber that never drains turns lagging and paces nobody", async () => {
  const { server, publisher, slow, fast } = setup({ pacing: { maxWaitMs: 20 } });
  slow.bufferedAmount = 600;
  publisher.send(publish("1"));
  publisher.send(publish("2"));
  assert.equal(fast.sent.length, 1);
  await until(() => fast.sent.length === 2, "the wait to end");
  assert.equal(slow.connection.lagging, true);
  assert.equal(server.metrics.pacing.get("lagging"), 1);
  await until(() => !publisher.connection.inbox!.busy, "the publisher to go idle");
  // Lagging: frames flow at once; past the cap the slow-consumer policy applies.
  publisher.send(publish("3"));
  assert.equal(fast.sent.length, 3);
  slow.bufferedAmount = 1001;
  publisher.send(publish("4"));
  assert.equal(fast.sent.length, 4);
  assert.equal(slow.closedWith?.code, CloseCode.slowConsumer);
  assert.equal(server.metrics.closes.get("slow consumer"), 1);
});

Deno.test("pacing: a lagging subscriber paces again once it drained below low water", async () => {
  const { publisher, slow, fast } = setup({ pacing: { maxWaitMs: 10 } });
  slow.bufferedAmount = 600;
  publisher.send(publish("1"));
  await until(() => slow.connection.lagging, "lagging");
  await until(() => !publisher.connection.inbox!.busy, "the publisher to go idle");
  slow.bufferedAmount = 0;
  publisher.send(publish("2")); // observes the drained buffer: no longer lagging
  assert.equal(slow.connection.lagging, false);
  slow.bufferedAmount = 600;
  publisher.send(publish("3"));
  publisher.send(publish("4"));
  assert.equal(fast.sent.length, 3, "frame 4 waits for the subscriber again");
  await until(() => fast.sent.length === 4, "the wait to end");
});

Deno.test("pacing: a paced publisher's read-ahead is bounded (1008)", async () => {
  const { publisher, slow } = setup({ pacing: { maxWaitMs: 60_000 }, maxQueuedFrames: 3 });
  slow.bufferedAmount = 600;
  for (let i = 0; i < 5; i++) publisher.send(publish(String(i)));
  assert.equal(publisher.closedWith?.code, CloseCode.policy);
  slow.disconnect(); // ends the wait
  await settle(5);
});

Deno.test("pacing: the publisher's socket is paused while it waits, where the runtime can", async () => {
  const server = new LhttpServer({ maxBufferedBytes: 1000 });
  const calls: string[] = [];
  const publisher = server.open({
    send() {},
    close() {},
    pause: () => void calls.push("pause"),
    resume: () => void calls.push("resume"),
  });
  const slow = new FakeClient(server);
  slow.send(SUBSCRIBE);
  slow.bufferedAmount = 600;
  server.receive(publisher, publish("1"));
  assert.deepEqual(calls, ["pause"]);
  slow.bufferedAmount = 0;
  await until(() => calls.length === 2, "resume");
  assert.deepEqual(calls, ["pause", "resume"]);
  server.release(publisher);
});

Deno.test("pacing: false turns it off", () => {
  const { publisher, slow, fast } = setup({ pacing: false });
  slow.bufferedAmount = 600;
  for (let i = 0; i < 3; i++) publisher.send(publish(String(i)));
  assert.equal(fast.sent.length, 3);
  assert.equal(publisher.connection.inbox!.busy, false);
});

Deno.test("pacing: application and HTTP publishes never wait; the next frame does not inherit", () => {
  const { server, publisher, slow, fast } = setup({ pacing: { maxWaitMs: 60_000 } });
  slow.bufferedAmount = 600;
  server.publish("room", { command: "chat", body: "from the app" });
  slow.bufferedAmount = 0;
  publisher.send(publish("1"));
  publisher.send(publish("2"));
  assert.equal(fast.sent.length, 3);
});

Deno.test("pacing: a publisher yields a timer turn every yieldEvery unflushed deliveries", async () => {
  const { publisher, slow, fast } = setup({ pacing: { yieldEvery: 4 } });
  publisher.send(publish("0")); // sockets that flush at once never count
  publisher.send(publish("0"));
  assert.equal(fast.sent.length, 2);
  fast.sent.length = 0;
  slow.bufferedAmount = fast.bufferedAmount = 10; // unflushed, under high water
  publisher.send(publish("1")); // 2 deliveries
  publisher.send(publish("2")); // 4: yields after this frame
  publisher.send(publish("3"));
  assert.equal(fast.sent.length, 2, "frame 3 waits for the turn");
  await until(() => fast.sent.length === 3, "the turn");
  assert.equal(publisher.connection.inbox!.queued, 0);
});
