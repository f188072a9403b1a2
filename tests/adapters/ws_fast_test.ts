// `src/adapters/_ws_fast.ts` writes pre-framed bytes through private fields of
// `ws` (`_socket`, `_sender._state`, `_sender._queue`, `_sender._extensions`).
// This pins them: an upgrade of `ws` that changes them fails here, loudly,
// instead of silently falling back to the slow path (or corrupting a stream).

import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
// @ts-types="@types/ws"
import { WebSocket, WebSocketServer } from "ws";
import { frameOnce, WriteBatcher, writeFramed } from "../../src/adapters/_ws_fast.ts";

Deno.test("ws keeps the private fields the fast path relies on, and pre-framed bytes arrive intact", async () => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  await new Promise((resolve) => wss.once("listening", resolve));
  const { port } = wss.address() as AddressInfo;
  const accepted = new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  const client = new WebSocket(`ws://127.0.0.1:${port}/`);
  const received: string[] = [];
  const done = new Promise<void>((resolve) => {
    client.on("message", (data: Buffer) => {
      received.push(data.toString());
      if (received.length === 3) resolve();
    });
  });
  try {
    const server = await accepted;
    const internals = server as unknown as {
      _socket: { write: unknown; cork: unknown; uncork: unknown; destroyed: boolean };
      _sender: { _state: unknown; _queue: unknown; _extensions: unknown };
    };
    assert.equal(typeof internals._socket?.write, "function", "ws._socket.write");
    assert.equal(typeof internals._socket?.cork, "function", "ws._socket.cork");
    assert.equal(internals._socket.destroyed, false);
    assert.equal(internals._sender?._state, 0, "ws._sender._state is 0 (DEFAULT) when idle");
    assert.ok(Array.isArray(internals._sender._queue), "ws._sender._queue is an array");
    assert.equal(typeof internals._sender._extensions, "object", "ws._sender._extensions");
    const batcher = new WriteBatcher();
    assert.equal(writeFramed(server, frameOnce("one"), batcher), true);
    assert.equal(writeFramed(server, frameOnce("two ✓"), batcher), true);
    server.send("three"); // ws's own path, after the batched frames
    await done;
    assert.deepEqual(received, ["one", "two ✓", "three"]);
  } finally {
    client.close();
    await new Promise((resolve) => wss.close(resolve));
  }
});
