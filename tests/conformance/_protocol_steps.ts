// Conformance steps for PROTOCOL.md sections 2–6 and 8: pub/sub, processors,
// middleware, multipart, binary frames, acknowledgements, HTTP publish.

import assert from "node:assert/strict";
import { FIXTURE } from "../fixtures/app.ts";
import type { TestSocket } from "../harness/ws_client.ts";
import type { Step } from "./suite.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/**
 * Proves `socket` received nothing more: its next frame must be the answer to
 * an `echo` sent now (frames to one socket arrive in the order they were sent).
 */
async function assertNothingMore(socket: TestSocket): Promise<void> {
  socket.send("LHTTP/1.0 echo\r\n\r\nbarrier");
  const next = await socket.next();
  assert.equal(next.body, "BARRIER", `unexpected frame ${JSON.stringify(next.raw)}`);
}

function publishHttp(url: string, body: BodyInit, headers: Record<string, string> = {}) {
  return fetch(`${url}/publish`, { method: "POST", body, headers });
}

const auth = { authorization: `Bearer ${FIXTURE.publishToken}` };

/** Steps for the working protocol. */
export const protocolSteps: Step[] = [
  {
    name: "subscribe, publish with self-delivery, acknowledgements, unsubscribe",
    async run(sockets) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      const ack = await a.request("LHTTP/1.0 chat\r\nsubscribe:room\r\n\r\n", "s1");
      assert.deepEqual([ack.command, ack.headers.status, ack.headers.ack], ["chat", "200", "s1"]);
      assert.equal(ack.body, "");
      await b.request("LHTTP/1.0 chat\r\nsubscribe:room\r\n\r\n");
      await a.request("LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello room");
      for (const socket of [a, b]) {
        const got = await socket.next();
        assert.equal(got.command, "chat");
        assert.equal(got.body, "hello room");
        assert.equal(got.headers.publish, "room");
        assert.equal(got.headers.ack, undefined, "published frames carry no ack");
        assert.equal(got.binary, false);
      }
      await b.request("LHTTP/1.0 chat\r\nunsubscribe:room\r\n\r\n");
      await a.request("LHTTP/1.0 chat\r\npublish:room\r\n\r\nonly a");
      assert.equal((await a.next()).body, "only a");
      await assertNothingMore(b);
      await assertNothingMore(a);
    },
  },
  {
    name: "multi-channel: one copy per subscribed channel named; subscribe+publish in one frame",
    async run(sockets) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      await a.request("LHTTP/1.0 m\r\nsubscribe:red green\r\n\r\n");
      await b.request("LHTTP/1.0 m\r\npublish:red green blue\r\n\r\nx");
      assert.deepEqual([(await a.next()).body, (await a.next()).body], ["x", "x"]);
      await assertNothingMore(a);
      // The original SDK's accumulated headers: subscribe and publish to one channel.
      await b.request("LHTTP/1.0 m\r\nsubscribe:blue\r\npublish:blue\r\n\r\ny");
      assert.equal((await b.next()).body, "y");
      await assertNothingMore(b);
    },
  },
  {
    name: "processors: reply overrides, sender-only replies, onOpen once, middleware headers",
    async run(sockets) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      await b.request("LHTTP/1.0 chat\r\nsubscribe:news\r\n\r\n");
      await a.request("LHTTP/1.0 rewrite\r\npublish:news\r\n\r\nhi");
      const got = await b.next();
      assert.equal(got.command, "rewritten");
      assert.deepEqual([got.headers.seen, got.headers.via, got.body], ["yes", "mw", "hi"]);
      a.send("LHTTP/1.0 echo\r\nx-keep:1\r\n\r\nshout");
      const echo = await a.next();
      assert.deepEqual([echo.command, echo.body, echo.headers["x-keep"]], ["echo", "SHOUT", "1"]);
      a.send("LHTTP/1.0 count\r\n\r\n");
      a.send("LHTTP/1.0 count\r\n\r\n");
      assert.equal((await a.next()).body, "opened=1 count=1");
      assert.equal((await a.next()).body, "opened=1 count=2");
      await assertNothingMore(b);
    },
  },
  {
    name: "multipart bodies are split by UTF-8 byte offsets",
    async run(sockets) {
      const a = await sockets.open();
      a.send("LHTTP/1.0 parts\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2");
      assert.equal((await a.next()).body, "k1=v1|body1;k2=v2|body2");
      // "é" is two bytes: the second part starts at byte 13 (character 12).
      a.send("LHTTP/1.0 parts\r\nmultipart:0 13\r\n\r\nk:é\r\n\r\nbody1\r\nbody2");
      assert.equal((await a.next()).body, "k=é|body1;|body2");
      a.send(bytes("LHTTP/1.0 parts\r\nmultipart:0 4\r\n\r\n\r\nab\r\ncd"));
      assert.equal((await a.next()).body, "|ab;|cd");
    },
  },
  {
    name: "binary frames: published as binary, bodies are bytes",
    async run(sockets) {
      const [a, b] = [await sockets.open(), await sockets.open()];
      await b.request("LHTTP/1.0 bin\r\nsubscribe:bits\r\n\r\n");
      const frame = new Uint8Array([
        ...bytes("LHTTP/1.0 bin\r\npublish:bits\r\n\r\n"),
        0,
        255,
        128,
      ]);
      a.send(frame);
      const got = await b.next();
      assert.equal(got.binary, true);
      assert.deepEqual([...got.body as Uint8Array], [0, 255, 128]);
      a.send(new Uint8Array([...bytes("LHTTP/1.0 reverse\r\n\r\n"), 1, 2, 250]));
      const reversed = await a.next();
      assert.equal(reversed.binary, true);
      assert.deepEqual([...reversed.body as Uint8Array], [250, 2, 1]);
    },
  },
  {
    name: "authorization refuses per channel with 403; nothing of the frame applies",
    async run(sockets) {
      const a = await sockets.open();
      const refused = await a.request("LHTTP/1.0 chat\r\nsubscribe:ok vault\r\n\r\n", "v");
      assert.deepEqual([refused.headers.status, refused.headers.code], ["403", "forbidden"]);
      const [b] = [await sockets.open()];
      await b.request("LHTTP/1.0 chat\r\npublish:ok\r\n\r\nnot for a");
      await assertNothingMore(a);
      const denied = await a.request("LHTTP/1.0 chat\r\ndeny:1\r\nsubscribe:ok\r\n\r\n");
      assert.deepEqual([denied.headers.status, denied.headers.code], ["403", "forbidden"]);
    },
  },
  {
    name: "HTTP publish: token required, wrong token, published, missing publish, too large",
    async run(sockets, target) {
      const a = await sockets.open();
      await a.request("LHTTP/1.0 chat\r\nsubscribe:http-room\r\n\r\n");
      const frame = "LHTTP/1.0 chat\r\npublish:http-room\r\n\r\nfrom http";
      const missing = await publishHttp(target.url, frame);
      assert.equal(missing.status, 401);
      assert.equal((await missing.json()).code, "unauthorized");
      const wrong = await publishHttp(target.url, frame, { authorization: "Bearer nope" });
      assert.equal(wrong.status, 403);
      assert.equal((await wrong.json()).code, "forbidden");
      const ok = await publishHttp(target.url, frame, auth);
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { status: 200, channels: ["http-room"], delivered: 1 });
      const got = await a.next();
      assert.deepEqual([got.command, got.body, got.binary], ["chat", "from http", false]);
      const binary = await publishHttp(
        target.url,
        new Uint8Array([...bytes("LHTTP/1.0 chat\r\npublish:http-room\r\n\r\n"), 7]),
        { ...auth, "content-type": "application/octet-stream" },
      );
      assert.equal(binary.status, 200);
      await binary.body?.cancel();
      const bin = await a.next();
      assert.deepEqual([bin.binary, [...bin.body as Uint8Array]], [true, [7]]);
      const noChannel = await publishHttp(target.url, "LHTTP/1.0 chat\r\n\r\nx", auth);
      assert.equal(noChannel.status, 400);
      assert.equal((await noChannel.json()).code, "missing_publish");
      const notFrame = await publishHttp(target.url, "hello", auth);
      assert.equal(notFrame.status, 400);
      assert.equal((await notFrame.json()).code, "not_lhttp");
      const big = await publishHttp(target.url, frame + "x".repeat(FIXTURE.maxFrameBytes), auth);
      assert.equal(big.status, 413);
      assert.equal((await big.json()).code, "frame_too_large");
      await assertNothingMore(a);
    },
  },
];
