// SSE sessions under hostile or slow clients, in process with short timings:
// heartbeats, a stream that is never read, a trickled POST, authenticate and
// authorize. Each case leaves the other sessions working.

import assert from "node:assert/strict";
import { Hono } from "hono";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import type { ServerOptions } from "../../src/server/options.ts";
import { sseRoutes } from "../../src/http/sse_routes.ts";
import { until } from "../harness/serve_child.ts";
import { openSession } from "./_sse.ts";

async function serve(
  options: ServerOptions,
  run: (url: string, server: LhttpServer) => Promise<void>,
) {
  const server = new LhttpServer(options);
  const app = new Hono().route("/sse", sseRoutes(server, { heartbeatMs: 20, stallMs: 300 }));
  const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  try {
    await run(`http://127.0.0.1:${http.addr.port}`, server);
  } finally {
    await server.shutdown();
    await http.shutdown();
  }
}

async function rawRequest(port: number, head: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(head));
  return conn;
}

async function readUntil(conn: Deno.TcpConn, end: string): Promise<string> {
  let text = "";
  const buffer = new Uint8Array(4096);
  while (!text.includes(end)) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  return text;
}

Deno.test("sse: an idle stream carries heartbeat comments", async () => {
  await serve({}, async (url) => {
    const response = await fetch(`${url}/sse`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n:\n\n")) text += (await reader.read()).value ?? "";
    assert.match(text, /^event:session\n/);
    await reader.cancel();
  });
});

Deno.test("sse: a stream never read is cut and released; a reading session is untouched", async () => {
  await serve({ maxBufferedBytes: 64 * 1024 }, async (url, server) => {
    const reader = await openSession(`${url}/sse?channel=room`);
    const port = Number(new URL(url).port);
    const stalled = await rawRequest(
      port,
      `GET /sse?channel=room HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`,
    );
    await until(() => server.connections.size === 2, "both sessions open");
    const body = "x".repeat(16 * 1024);
    let sent = 0;
    const received = (async () => {
      let got = 0;
      while (got < 40) (await reader.nextFrame(), got++);
    })();
    while (server.connections.size === 2) {
      server.publish("room", { command: "flood", body });
      sent++;
      await new Promise((resolve) => setTimeout(resolve, sent < 40 ? 1 : 5));
    }
    assert.equal(server.connections.size, 1, "the stalled stream was released");
    assert.ok(server.hub.subscriptionCount === 1);
    server.publish("room", { command: "after", body: "" });
    await received;
    stalled.close();
    await reader.close();
  });
});

Deno.test("sse: a trickled POST body is answered 408 within the body deadline", async () => {
  await serve({ publishBodyTimeoutMs: 200 }, async (url) => {
    const session = await openSession(`${url}/sse`);
    const conn = await rawRequest(
      Number(new URL(url).port),
      `POST ${session.post} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${session.secret}\r\n` +
        `content-length: 100\r\n\r\nLH`,
    );
    const trickle = setInterval(
      () => conn.write(new TextEncoder().encode("T")).catch(() => {}),
      50,
    );
    const answer = await readUntil(conn, "}");
    clearInterval(trickle);
    conn.close();
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(answer, /"code":"body_timeout"/);
    // The session itself goes on.
    assert.equal((await session.send("LHTTP/1.0 ping\r\nack:1\r\n\r\n")).status, 202);
    assert.equal(await session.nextFrame(), "LHTTP/1.0 ping\r\nack:1\r\nstatus:200\r\n\r\n");
    await session.close();
  });
});

Deno.test("sse: authenticate and authorize decide as for WebSocket, with HTTP statuses", async () => {
  await serve({
    authenticate: (request) =>
      new URL(request.url).searchParams.get("token") === "good"
        ? { user: "ann" }
        : new Response("bad token", { status: 401 }),
    authorize: ({ action, target, connection }) =>
      action !== "subscribe" || !target.split(" ").includes("secret") ||
      (connection.data as { user: string }).user === "root",
  }, async (url, server) => {
    const refused = await fetch(`${url}/sse?channel=open`);
    assert.equal(refused.status, 401);
    assert.deepEqual(await refused.json(), {
      status: 401,
      code: "unauthorized",
      reason: "bad token",
    });
    const forbidden = await fetch(`${url}/sse?token=good&channel=open&channel=secret`);
    assert.equal(forbidden.status, 403);
    assert.equal((await forbidden.json()).code, "forbidden");
    assert.equal(server.connections.size, 0, "refused sessions hold nothing");
    const session = await openSession(`${url}/sse?token=good&channel=open`);
    assert.equal(server.hub.subscriptionCount, 1);
    // A frame over POST is authorized like a WebSocket frame.
    await session.send("LHTTP/1.0 s\r\nsubscribe:secret\r\nack:2\r\n\r\n");
    assert.match(String(await session.nextFrame()), /status:403\r\n/);
    await session.close();
  });
});
