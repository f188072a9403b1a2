// The SSE fallback on real `lhttp serve` processes (Deno, Bun, Node 20):
// sessions publish and subscribe both ways with WebSocket clients, the
// unidirectional GET /sse?channel=… gets POST /publish frames, and bad input
// gets its status without touching the other sessions.

import assert from "node:assert/strict";
import { startServe, until } from "../harness/serve_child.ts";
import { openSession } from "./_sse.ts";

const NAMES = ["deno", "bun", "node20"];

function socket(url: string): Promise<{ ws: WebSocket; frames: string[] }> {
  const ws = new WebSocket(url.replace("http", "ws") + "/");
  const frames: string[] = [];
  ws.onmessage = (event) => frames.push(String(event.data));
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve({ ws, frames });
    ws.onerror = () => reject(new Error("socket failed"));
  });
}

function closed(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.onclose = () => resolve();
    ws.close();
  });
}

async function health(url: string): Promise<{ connections: number; subscriptions: number }> {
  return await (await fetch(`${url}/healthz`)).json();
}

for (const name of NAMES) {
  Deno.test(`${name}: an SSE session subscribes, publishes and is acknowledged, both ways with WebSocket`, async () => {
    const child = await startServe(name);
    try {
      const sse = await openSession(`${child.url}/sse`);
      assert.match(sse.id, /^[A-Za-z0-9_-]{30}$/);
      assert.equal(
        (await sse.send("LHTTP/1.0 sub\r\nsubscribe:room\r\nack:1\r\n\r\n")).status,
        202,
      );
      assert.equal(await sse.nextFrame(), "LHTTP/1.0 sub\r\nack:1\r\nstatus:200\r\n\r\n");

      const { ws, frames } = await socket(child.url);
      ws.send("LHTTP/1.0 chat\r\nsubscribe:room\r\npublish:room\r\n\r\nfrom ws\r\nline two");
      assert.equal(
        await sse.nextFrame(),
        "LHTTP/1.0 chat\r\nsubscribe:room\r\npublish:room\r\n\r\nfrom ws\r\nline two",
      );

      const bare = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nbare\nLF";
      assert.equal((await sse.send(bare)).status, 202);
      assert.equal(await sse.nextFrame(), bare, "a bare LF survives (text64)");
      const binary = new Uint8Array([
        ...new TextEncoder().encode("LHTTP/1.0 bin\r\npublish:room\r\n\r\n"),
        0,
        255,
        10,
      ]);
      assert.equal((await sse.send(binary)).status, 202);
      assert.deepEqual(await sse.nextFrame(), binary);
      await until(() => frames.length >= 3, "the WebSocket got the SSE publications");
      assert.ok(frames[0].endsWith("\r\n\r\nfrom ws\r\nline two"));
      assert.equal(frames[1], bare);
      await closed(ws);

      await sse.close();
      await until(async () => (await health(child.url)).connections === 0, "the session released");
      const after = await sse.send("LHTTP/1.0 ping");
      assert.equal(after.status, 404);
      assert.equal((await after.json()).code, "unknown_session");
    } finally {
      assert.equal(await child.stop(), 0);
    }
  });

  Deno.test(`${name}: GET /sse?channel=a&channel=b streams POST /publish frames of both channels`, async () => {
    const child = await startServe(name);
    try {
      const sse = await openSession(`${child.url}/sse?channel=a&channel=b`);
      assert.equal(sse.response.headers.get("content-type"), "text/event-stream");
      assert.equal((await health(child.url)).subscriptions, 2);
      for (const channel of ["a", "b"]) {
        const published = await fetch(`${child.url}/publish`, {
          method: "POST",
          body: `LHTTP/1.0 news\r\npublish:${channel}\r\n\r\non ${channel}`,
        });
        assert.equal((await published.json()).delivered, 1);
        assert.equal(
          await sse.nextFrame(),
          `LHTTP/1.0 news\r\npublish:${channel}\r\n\r\non ${channel}`,
        );
      }
      await sse.close();
    } finally {
      assert.equal(await child.stop(), 0);
    }
  });

  Deno.test(`${name}: forged, malformed and foreign session ids, oversize bodies and bad channels get their statuses`, async () => {
    const child = await startServe(name);
    try {
      const mine = await openSession(`${child.url}/sse?channel=room`);
      const theirs = await openSession(`${child.url}/sse`);
      const status = async (response: Response) => [response.status, (await response.json()).code];
      const post = (path: string, headers: Record<string, string> = {}, body = "LHTTP/1.0 ping") =>
        fetch(`${child.url}${path}`, { method: "POST", headers, body });

      assert.deepEqual(await status(await post("/sse/not-an-id")), [400, "bad_session"]);
      assert.deepEqual(await status(await post(`/sse/${"A".repeat(22)}`)), [
        404,
        "unknown_session",
      ]);
      assert.deepEqual(await status(await post(mine.post)), [401, "unauthorized"]);
      // Someone else's session with my secret.
      assert.deepEqual(await status(await theirs.send("LHTTP/1.0 ping", mine.secret)), [
        403,
        "forbidden",
      ]);
      const big = "LHTTP/1.0 chat\r\n\r\n" + "x".repeat(2 * 1024 * 1024);
      assert.deepEqual(await status(await mine.send(big)), [413, "frame_too_large"]);
      const bad = await fetch(`${child.url}/sse?channel=${encodeURIComponent("no spaces!")}`);
      assert.deepEqual(await status(bad), [400, "bad_channel"]);

      // Both sessions still work.
      await fetch(`${child.url}/publish`, {
        method: "POST",
        body: "LHTTP/1.0 n\r\npublish:room\r\n\r\nok",
      });
      assert.equal(await mine.nextFrame(), "LHTTP/1.0 n\r\npublish:room\r\n\r\nok");
      assert.equal((await theirs.send("LHTTP/1.0 ping\r\nack:p\r\n\r\n")).status, 202);
      assert.equal(await theirs.nextFrame(), "LHTTP/1.0 ping\r\nack:p\r\nstatus:200\r\n\r\n");
      await mine.close();
      await theirs.close();
    } finally {
      assert.equal(await child.stop(), 0);
    }
  });
}
