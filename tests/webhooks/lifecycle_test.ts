import assert from "node:assert/strict";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import type { LifecycleObserver } from "../../src/router/lifecycle.ts";
import { FakeClient } from "../harness/fake_peer.ts";

const frame = (command: string, headers: Record<string, string> = {}) =>
  `LHTTP/1.0 ${command}\r\n${
    Object.entries(headers).map(([k, v]) => `${k}:${v}\r\n`).join("")
  }\r\n`;

function recorder(): { events: string[]; observer: LifecycleObserver } {
  const events: string[] = [];
  return {
    events,
    observer: {
      connected: (c) => void events.push(`connected ${c.id}`),
      disconnected: (c, d) => {
        assert.ok(d.durationMs >= 0);
        events.push(`disconnected ${c.id} ${d.reason}`);
      },
      subscribed: (c, channel) => void events.push(`subscribed ${c.id} ${channel}`),
      unsubscribed: (c, channel) => void events.push(`unsubscribed ${c.id} ${channel}`),
    },
  };
}

Deno.test("lifecycle: connect, subscribe once per channel, unsubscribe, then close releases the rest", () => {
  const { events, observer } = recorder();
  const server = new LhttpServer({ lifecycle: observer });
  const a = new FakeClient(server);
  const id = a.connection.id;
  a.send(frame("chat", { subscribe: "r1 r2" }));
  a.send(frame("chat", { subscribe: "r1" }));
  a.send(frame("chat", { unsubscribe: "r1 nope" }));
  server.release(a.connection);
  assert.deepEqual(events, [
    `connected ${id}`,
    `subscribed ${id} r1`,
    `subscribed ${id} r2`,
    `unsubscribed ${id} r1`,
    `unsubscribed ${id} r2`,
    `disconnected ${id} closed`,
  ]);
});

Deno.test("lifecycle: a refused frame tells nothing; shutdown and named reasons reach the observer", async () => {
  const { events, observer } = recorder();
  const server = new LhttpServer({ lifecycle: observer, authorize: () => false });
  const a = new FakeClient(server);
  const b = new FakeClient(server);
  a.send(frame("chat", { subscribe: "r1" }));
  server.release(b.connection, "kicked");
  server.release(b.connection, "again");
  await server.shutdown();
  assert.deepEqual(events, [
    `connected ${a.connection.id}`,
    `connected ${b.connection.id}`,
    `disconnected ${b.connection.id} kicked`,
    `disconnected ${a.connection.id} shutdown`,
  ]);
});

Deno.test("lifecycle: a socket refused at the upgrade (4401) is neither connected nor disconnected", () => {
  const { events, observer } = recorder();
  const server = new LhttpServer({ lifecycle: observer });
  const peer = { send() {}, close() {} };
  const refused = server.open(peer, undefined, { code: 4401, reason: "bad token" });
  assert.equal(refused.closed, true);
  const ok = new FakeClient(server);
  server.release(ok.connection);
  assert.deepEqual(events, [
    `connected ${ok.connection.id}`,
    `disconnected ${ok.connection.id} closed`,
  ]);
});

Deno.test("lifecycle: a connection the server closes is disconnected with the close's reason", () => {
  const { events, observer } = recorder();
  const server = new LhttpServer({ lifecycle: observer, maxBufferedBytes: 1000 });
  const publisher = new FakeClient(server);
  const slow = new FakeClient(server);
  const gone = new FakeClient(server);
  slow.send(frame("chat", { subscribe: "r1" }));
  slow.bufferedAmount = 1001; // past the cap: closed with 4008 on the next delivery
  publisher.send(frame("chat", { publish: "r1" }));
  assert.equal(slow.closedWith?.code, 4008);
  gone.connection.close(4999, "app-defined");
  server.release(publisher.connection);
  const disconnects = events.filter((event) => event.startsWith("disconnected"));
  assert.deepEqual(disconnects, [
    `disconnected ${slow.connection.id} slow_consumer`,
    `disconnected ${gone.connection.id} close_4999`,
    `disconnected ${publisher.connection.id} closed`,
  ]);
});
