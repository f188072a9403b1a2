// serveNode takes upgrades straight from node:http to ws (src/adapters/_node_upgrade.ts):
// what Hono's helper did on the way (refusals, other paths) must still happen.

import assert from "node:assert/strict";
import { LhttpServer } from "../../mod.ts";
import { serveNode } from "../../src/adapters/node.ts";

// Sends a raw upgrade request; resolves to the response's status line.
async function upgradeStatus(port: number, path: string, extra = ""): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
        `Sec-WebSocket-Version: 13\r\n${extra}\r\n`,
    ));
    const buffer = new Uint8Array(4096);
    const read = await conn.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, read ?? 0)).split("\r\n")[0];
  } finally {
    conn.close();
  }
}

async function withServer(
  options: ConstructorParameters<typeof LhttpServer>[0],
  path: string | undefined,
  body: (port: number, server: LhttpServer) => Promise<void>,
): Promise<void> {
  const server = new LhttpServer(options);
  const running = await serveNode(server, { port: 0, hostname: "127.0.0.1", path });
  try {
    await body(running.port, server);
  } finally {
    await running.shutdown();
  }
}

Deno.test("an upgrade on another path is answered by the app, and opens nothing", async () => {
  await withServer({}, "/ws", async (port, server) => {
    assert.equal(await upgradeStatus(port, "/elsewhere"), "HTTP/1.1 404 Not Found");
    assert.equal(await upgradeStatus(port, "/ws"), "HTTP/1.1 101 Switching Protocols");
    assert.equal(server.metrics.connectionsTotal, 1);
  });
});

Deno.test("a refused origin gets the refusal's status on the socket", async () => {
  await withServer({ allowedOrigins: [] }, undefined, async (port, server) => {
    const status = await upgradeStatus(port, "/", "Origin: http://evil.example\r\n");
    assert.equal(status, "HTTP/1.1 403 Forbidden");
    assert.equal(server.metrics.connectionsTotal, 0);
  });
});

Deno.test("authenticate sees the upgrade's headers; a socket's frames and close reach the server", async () => {
  const seen: string[] = [];
  const options = {
    authenticate: (request: Request) => {
      seen.push(`${new URL(request.url).pathname} ${request.headers.get("x-user")}`);
      return { user: "ann" };
    },
  };
  await withServer(options, undefined, async (port, server) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/room?x=1`, {
      headers: { "x-user": "ann" },
    });
    const ack = new Promise<string>((resolve) => socket.onmessage = (e) => resolve(String(e.data)));
    await new Promise((resolve) => socket.onopen = resolve);
    socket.send("LHTTP/1.0 s\r\nsubscribe:room\r\nack:1\r\n\r\n");
    assert.match(await ack, /^LHTTP\/1\.0 s\r\n.*status:200/s);
    assert.deepEqual(seen, ["/room ann"]);
    assert.equal(server.hub.subscriberCount("room"), 1);
    const [connection] = [...server.connections.values()];
    assert.deepEqual(connection.data, { user: "ann" });
    const closed = new Promise((resolve) => socket.onclose = resolve);
    socket.close();
    await closed;
    while (server.connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(server.hub.subscriberCount("room"), 0);
  });
});
