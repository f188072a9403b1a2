// The slow-consumer policy and pacing on workerd, which has no
// `bufferedAmount` (workerd issue #988): lhttp cannot see what the runtime
// queues, so `maxBufferedBytes` and publisher pacing never trigger there; the
// policy applies when the runtime refuses a send. Other subscribers never
// notice either way.

import assert from "node:assert/strict";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import type { DurableObjectState, WorkerdWebSocket } from "../../src/adapters/cloudflare.ts";
import { HibernatingSockets } from "../../src/adapters/_cloudflare_sockets.ts";
import { Sockets } from "../harness/ws_client.ts";
import { rawUpgrade, sendRawFrame } from "../harness/ws_client.ts";
import { startWorkerd, workerdTest } from "../harness/workerd.ts";

class FakeSocket implements WorkerdWebSocket {
  readyState = 1;
  sent: unknown[] = [];
  closedWith?: number;
  attachment: unknown = null;
  constructor(readonly refuses = false) {}
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.refuses) throw new TypeError("WebSocket send() after close");
    this.sent.push(data);
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  serializeAttachment(value: unknown): void {
    this.attachment = structuredClone(value);
  }
  deserializeAttachment(): unknown {
    return this.attachment;
  }
}

function objectWith(slowConsumer: "close" | "drop") {
  const sockets: FakeSocket[] = [];
  const state = {
    id: { toString: () => "test" },
    storage: new Map(),
    acceptWebSocket: (socket: FakeSocket) => void sockets.push(socket),
    getWebSockets: () => sockets,
    blockConcurrencyWhile: (callback: () => Promise<unknown>) => callback(),
  } as unknown as DurableObjectState;
  const server = new LhttpServer({ slowConsumer, maxBufferedBytes: 1 });
  const hibernating = new HibernatingSockets(server, state);
  server.attach({ runtime: "workerd", fanout: hibernating.fanout });
  const open = (socket: FakeSocket) => {
    state.acceptWebSocket(socket);
    const connection = hibernating.open(socket, hibernating.prepare(socket, undefined));
    server.subscribe(connection, "room");
    return connection;
  };
  return { server, open };
}

Deno.test("workerd: a refused send closes that subscriber with 4008 (policy close)", () => {
  const { server, open } = objectWith("close");
  const refusing = new FakeSocket(true);
  const healthy = new FakeSocket();
  const gone = open(refusing);
  open(healthy);
  server.publish("room", { command: "chat", body: "one" });
  assert.equal(refusing.closedWith, 4008);
  assert.ok(gone.closed);
  assert.equal(server.publish("room", { command: "chat", body: "two" }), 1);
  assert.equal(healthy.sent.length, 2);
});

Deno.test("workerd: a refused send is counted as dropped (policy drop)", () => {
  const { server, open } = objectWith("drop");
  const refusing = new FakeSocket(true);
  const healthy = new FakeSocket();
  const kept = open(refusing);
  open(healthy);
  server.publish("room", { command: "chat", body: "one" });
  server.publish("room", { command: "chat", body: "two" });
  assert.equal(refusing.closedWith, undefined);
  assert.equal(kept.dropped, 2);
  assert.equal(healthy.sent.length, 2);
});

Deno.test("workerd: without bufferedAmount, a 1-byte cap never closes a subscriber", () => {
  const { server, open } = objectWith("close");
  const socket = new FakeSocket();
  const connection = open(socket);
  for (let i = 0; i < 100; i++) server.publish("room", { command: "chat", body: "x".repeat(1024) });
  assert.equal(socket.sent.length, 100);
  assert.ok(!connection.closed);
  assert.equal(connection.dropped, 0);
});

workerdTest("workerd: a subscriber that never reads neither closes nor paces others", async () => {
  const worker = await startWorkerd("tests/edge/_worker_fixture.ts");
  const sockets = new Sockets(worker.url.replace(/^http/, "ws") + "/");
  // Raw: subscribes, then never reads its socket again.
  const stuck = await rawUpgrade(sockets.url);
  try {
    assert.equal(stuck.status, 101);
    const encode = (text: string) => new TextEncoder().encode(text);
    await sendRawFrame(stuck.conn, 1, encode("LHTTP/1.0 chat\r\nsubscribe:flood\r\n\r\n"));
    const reader = await sockets.open();
    const publisher = await sockets.open();
    await reader.request("LHTTP/1.0 chat\r\nsubscribe:flood\r\n\r\n");
    // 4 MiB through a socket nobody reads: far over the fixture's 1 MiB cap.
    const body = "x".repeat(16 * 1024);
    const frames = 256;
    for (let i = 0; i < frames - 1; i++) {
      publisher.send(`LHTTP/1.0 chat\r\npublish:flood\r\n\r\n${body}`);
    }
    const ack = await publisher.request(`LHTTP/1.0 chat\r\npublish:flood\r\n\r\n${body}`);
    assert.equal(ack.headers.status, "200");
    for (let i = 0; i < frames; i++) assert.equal((await reader.next()).body, body);
    const health = await (await fetch(`${worker.url}/healthz`)).json();
    assert.equal(health.connections, 3, "the stuck subscriber is still open");
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    assert.doesNotMatch(metrics, /lhttp_pacing_waits_total\{/, "nobody was paced");
  } catch (error) {
    throw new Error(`workerd output:\n${worker.output()}`, { cause: error });
  } finally {
    stuck.conn.close();
    await sockets.closeAll();
    await worker.stop();
  }
});
