// The Bun fan-out keeps a channel as a native topic only while it has two
// subscribers or more (src/adapters/_bun_fanout.ts); fake sockets record what
// Bun would be asked to do.

import assert from "node:assert/strict";
import { Hub } from "../../src/hub/hub.ts";
import { LhttpServer } from "../../mod.ts";
import { Connection, Metrics } from "../../src/internal.ts";
import { BunFanout } from "../../src/adapters/_bun_fanout.ts";
import { BunPeer } from "../../src/adapters/_bun_peer.ts";
import type { BunServer, BunServerWebSocket } from "../../src/adapters/_bun_types.ts";

function setup() {
  const log: string[] = [];
  const fanout = new BunFanout(new LhttpServer());
  fanout.native = {
    publish: (topic: string) => (log.push(`publish ${topic}`), 1),
  } as unknown as BunServer;
  const hub = new Hub<Connection>({ fanout });
  const connect = (name: string) => {
    const peer = new BunPeer(undefined, undefined, Infinity);
    peer.ws = {
      data: peer,
      send: () => (log.push(`send ${name}`), 1),
      subscribe: (topic: string) => void log.push(`${name} joins ${topic}`),
      unsubscribe: (topic: string) => void log.push(`${name} leaves ${topic}`),
      getBufferedAmount: () => 0,
      close() {},
    } as unknown as BunServerWebSocket<BunPeer>;
    return new Connection(peer, {
      maxBufferedBytes: 1024,
      slowConsumer: "close",
      metrics: new Metrics(),
    });
  };
  return { log, hub, connect };
}

Deno.test("a lone subscriber is sent to directly; a second one makes the channel a topic", () => {
  const { log, hub, connect } = setup();
  const [a, b, c] = [connect("a"), connect("b"), connect("c")];
  hub.subscribe(a, "room");
  hub.broadcast("room", "one");
  assert.deepEqual(log.splice(0), ["send a"]);
  hub.subscribe(b, "room");
  assert.deepEqual(log.splice(0), ["a joins room", "b joins room"]);
  hub.subscribe(c, "room");
  assert.deepEqual(log.splice(0), ["c joins room"]);
  hub.broadcast("room", "two");
  assert.deepEqual(log.splice(0), ["publish room"]);
  hub.unsubscribe(c, "room");
  assert.deepEqual(log.splice(0), ["c leaves room"]);
  hub.unsubscribe(a, "room");
  assert.deepEqual(log.splice(0), ["a leaves room", "b leaves room"]);
  hub.broadcast("room", "three");
  assert.deepEqual(log.splice(0), ["send b"]);
});

Deno.test("patterns never become native topics", () => {
  const { log, hub, connect } = setup();
  const [a, b] = [connect("a"), connect("b")];
  hub.subscribe(a, "sensors.*");
  hub.subscribe(b, "sensors.*");
  assert.deepEqual(log.splice(0), []);
  hub.broadcast("sensors.t", "x");
  assert.deepEqual(log.splice(0).sort(), ["send a", "send b"]);
});
