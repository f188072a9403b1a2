// HibernatingSockets without workerd: what a woken object rebuilds from the
// socket attachments and from storage (tests/edge/hibernation_test.ts does
// the same in real workerd). The fake socket enforces workerd's 16 KiB limit.

import assert from "node:assert/strict";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import type { DurableObjectState, WorkerdWebSocket } from "../../src/adapters/cloudflare.ts";
import { HibernatingSockets } from "../../src/adapters/_cloudflare_sockets.ts";

class FakeSocket implements WorkerdWebSocket {
  readyState = 1;
  sent: unknown[] = [];
  attachment: unknown = null;
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  serializeAttachment(value: unknown): void {
    const size = JSON.stringify(value).length;
    if (size > 16_384) throw new RangeError(`attachment of ${size} bytes`);
    this.attachment = structuredClone(value);
  }
  deserializeAttachment(): unknown {
    return this.attachment;
  }
}

function fakeState(): DurableObjectState & { stored: Map<string, unknown> } {
  const sockets: FakeSocket[] = [];
  const stored = new Map<string, unknown>();
  return {
    stored,
    id: { toString: () => "object" },
    storage: {
      get: (key: string) => Promise.resolve(structuredClone(stored.get(key)) as never),
      put: (key: string, value: unknown) =>
        Promise.resolve(void stored.set(key, structuredClone(value))),
      delete: (key: string) => Promise.resolve(stored.delete(key)),
    },
    acceptWebSocket: (socket: WorkerdWebSocket) => void sockets.push(socket as FakeSocket),
    getWebSockets: () => sockets,
    blockConcurrencyWhile: <T>(callback: () => Promise<T>) => callback(),
  };
}

function object(state: DurableObjectState) {
  const server = new LhttpServer();
  const sockets = new HibernatingSockets(server, state);
  server.attach({ runtime: "workerd", fanout: sockets.fanout });
  return { server, sockets };
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("a woken object rebuilds connections, data and subscriptions", async () => {
  const state = fakeState();
  const before = object(state);
  const small = new FakeSocket();
  const big = new FakeSocket();
  const long = Array.from({ length: 8 }, (_, i) => `${i}`.padEnd(128, "c"));
  for (
    const [socket, data] of [[small, { user: "s" }], [big, { user: "k".repeat(15_600) }]] as const
  ) {
    const attachment = before.sockets.prepare(socket, data);
    state.acceptWebSocket(socket);
    const connection = before.sockets.open(socket, attachment);
    before.server.subscribe(connection, socket === small ? ["room"] : long);
  }
  await turn(); // attachments are written once per turn
  assert.equal(state.stored.size, 1, "the big connection's channels spilled into storage");
  assert.equal((small.attachment as { channels: string[] }).channels[0], "room");

  // Hibernation: the object is gone, the sockets and storage stay.
  const after = object(state);
  await after.sockets.rebuild();
  assert.equal(after.sockets.size, 2);
  assert.equal(after.server.publish("room", { command: "chat", body: "a" }), 1);
  assert.equal(after.server.publish(long[7], { command: "chat", body: "b" }), 1);
  assert.deepEqual([small.sent.length, big.sent.length], [1, 1]);
  assert.deepEqual(after.sockets.get(big)?.data, { user: "k".repeat(15_600) });

  // Unsubscribing brings the channels back into the attachment; a close frees storage.
  after.server.unsubscribe(after.sockets.get(big)!, long.slice(1));
  await turn();
  assert.equal(state.stored.size, 0);
  assert.deepEqual((big.attachment as { channels: string[] }).channels, [long[0]]);
  await after.sockets.closed(big);
  assert.equal(after.sockets.size, 1);
});

Deno.test("data over the attachment limit is refused before the socket is accepted", () => {
  const { sockets } = object(fakeState());
  assert.throws(
    () => sockets.prepare(new FakeSocket(), "x".repeat(20_000)),
    (error: Error & { code?: string; status?: number }) =>
      error.code === "attachment_too_large" && error.status === 413,
  );
});
