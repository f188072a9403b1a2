// A bad server URL fails the constructor with a clear invalid_url error before
// any I/O; the constructor of the socket layer never connects by itself.

import assert from "node:assert/strict";
import { ClientError, LhttpClient, type WebSocketConstructor } from "../../src/client/mod.ts";
import { Lhttp } from "../../src/client/compat.ts";
import { fakeWebSocket } from "./_fake_ws.ts";

for (const url of ["localhost:8081", "ftp://x/", "not a url", "ws://host/#frag", ""]) {
  Deno.test(`new LhttpClient(${JSON.stringify(url)}) throws invalid_url and opens nothing`, () => {
    const { WebSocket, sockets } = fakeWebSocket();
    assert.throws(() => new LhttpClient(url, { WebSocket }), (error) => {
      assert.ok(error instanceof ClientError, `a ClientError, not ${error}`);
      assert.equal(error.code, "invalid_url");
      assert.ok(error.message.includes(JSON.stringify(url)), error.message);
      return true;
    });
    assert.equal(sockets.length, 0);
    assert.throws(() => new Lhttp(url, { WebSocket }), { code: "invalid_url" });
  });
}

Deno.test("the hint for a URL without a scheme", () => {
  assert.throws(() => new LhttpClient("localhost:8081"), {
    message: /did you mean "ws:\/\/localhost:8081"/,
  });
});

Deno.test("http(s) URLs map to ws(s); url is normalized", async () => {
  const { WebSocket, sockets } = fakeWebSocket();
  const client = new LhttpClient(new URL("https://example.com:8443/path?q=1"), { WebSocket });
  assert.equal(client.url, "wss://example.com:8443/path?q=1");
  assert.equal(sockets[0].url, "wss://example.com:8443/path?q=1");
  await client.close();
});

Deno.test("a WebSocket constructor that throws closes the client; no crash in the constructor", async () => {
  class Refusing {
    constructor() {
      throw new DOMException("refused", "SyntaxError");
    }
  }
  const client = new LhttpClient("ws://x/", {
    WebSocket: Refusing as unknown as WebSocketConstructor,
  });
  const errors: unknown[] = [];
  client.on("error", (error) => errors.push(error));
  assert.equal(client.state, "closed");
  await assert.rejects(client.opened(), { name: "ClientError", message: /refused/ });
  assert.equal((errors[0] as DOMException).name, "SyntaxError", "heard by a listener added after");
  await assert.rejects(client.subscribe("room").ready, { code: "closed" });
});
