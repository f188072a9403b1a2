// `lhttp serve` answers POST /publish before Hono (Bun: in serveBun's fetch;
// Node, and Deno's default node transport: from node:http). The answers,
// headers and bounds must be those of the Hono route, on real sockets.

import assert from "node:assert/strict";
import { TestSocket } from "../harness/ws_client.ts";
import { startServe } from "../harness/serve_child.ts";
import { type Answer, RawHttp } from "./_raw_http.ts";

const RUNTIMES = ["deno", "bun", "node20"];
const TOKEN = "s3cret";
const FRAME = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello room";

const json = (answer: Answer) => JSON.parse(answer.body);
const bearer = { authorization: `Bearer ${TOKEN}` };

for (const runtime of RUNTIMES) {
  Deno.test(`${runtime}: POST /publish answered before Hono keeps the route's answers and bounds`, async () => {
    const server = await startServe(runtime, [
      "--publish-token",
      TOKEN,
      "--max-frame-bytes",
      "1000",
      "--publish-body-timeout",
      "2s",
      "--publish-max-body-bytes-in-flight",
      "1500",
    ]);
    const opened: RawHttp[] = [];
    const open = async () => {
      const http = await RawHttp.open(server.url);
      opened.push(http);
      return http;
    };
    const subscriber = await TestSocket.open(server.url.replace("http", "ws") + "/");
    try {
      await subscriber.request("LHTTP/1.0 sub\r\nsubscribe:room\r\n\r\n");
      const http = await open();

      await http.post("/publish", FRAME, bearer);
      const ok = await http.answer();
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get("content-type"), "application/json");
      assert.deepEqual(json(ok), { status: 200, channels: ["room"], delivered: 1 });
      const delivered = await subscriber.waitFor((frame) => frame.command === "chat");
      assert.equal(delivered.body, "hello room");

      // A text body is judged as UTF-8: a U+FFFD that was sent is published
      // as it came; bytes that are not UTF-8 are refused, also where the
      // replacement would keep the length (a 4-byte sequence cut at 3 bytes).
      await http.post("/publish", `${FRAME} \uFFFD kept`, bearer);
      assert.equal((await http.answer()).status, 200);
      const kept = await subscriber.waitFor((frame) => `${frame.body}`.endsWith("kept"));
      assert.equal(kept.body, "hello room \uFFFD kept");
      const frameBytes = new TextEncoder().encode(FRAME);
      for (const tail of [[0xff], [0xf0, 0x90, 0x80, 0x41]]) {
        await http.post("/publish", new Uint8Array([...frameBytes, ...tail]), bearer);
        const refused = await http.answer();
        assert.deepEqual([refused.status, json(refused).code], [400, "invalid_utf8"], `${tail}`);
      }
      // application/octet-stream: a binary frame, bytes as they came.
      const binary = new Uint8Array([...frameBytes, 0xff, 0x00]);
      const octets = { ...bearer, "content-type": "application/octet-stream" };
      await http.post("/publish", binary, octets);
      assert.equal((await http.answer()).status, 200);
      const bytes = await subscriber.waitFor((frame) => frame.binary);
      assert.deepEqual([...(bytes.raw as Uint8Array).slice(-2)], [0xff, 0x00]);

      // Refusals on the same keep-alive connection, each with its body sent:
      // the connection still answers after each.
      await http.post("/publish", FRAME);
      const missing = await http.answer();
      assert.equal(missing.status, 401);
      assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.equal(json(missing).code, "unauthorized");
      await http.post("/publish", FRAME, { authorization: "Bearer s3cre7" });
      assert.equal(json(await http.answer()).code, "forbidden");
      await http.post("/publish", "LHTTP/1.0 chat\r\n\r\nno channels", bearer);
      const broken = await http.answer();
      assert.deepEqual([broken.status, json(broken).code], [400, "missing_publish"]);
      assert.equal(typeof json(broken).reason, "string");
      await http.post("/publish?via=query", FRAME, bearer);
      assert.equal((await http.answer()).status, 200);
      await http.post("/publish", FRAME + "x".repeat(1000), bearer);
      assert.equal(json(await http.answer()).code, "frame_too_large");
      await http.post("/publish/", FRAME, bearer);
      assert.equal((await http.answer()).status, 404, "only /publish itself is the route");

      // A chunked body past the limit, with no length declared.
      const chunked = await open();
      const big = "x".repeat(1500);
      await chunked.write(
        `POST /publish HTTP/1.1\r\nHost: ${chunked.host}\r\nauthorization: Bearer ${TOKEN}\r\n` +
          `transfer-encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`,
      );
      assert.equal(json(await chunked.answer()).code, "frame_too_large");

      // A body that stops coming: 408, and the connection is closed. Held
      // meanwhile, it counts against the budget: a second body is refused (503).
      const slow = await open();
      await slow.write(
        `POST /publish HTTP/1.1\r\nHost: ${slow.host}\r\nauthorization: Bearer ${TOKEN}\r\n` +
          `content-length: 1000\r\n\r\nLHTTP/1.0 chat\r\n`,
      );
      // Complete bodies of the declared 1000 bytes: published until the slow one is held.
      const full = FRAME + "x".repeat(1000 - FRAME.length);
      let refused: Answer | undefined;
      for (let i = 0; i < 100 && refused === undefined; i++) {
        const busy = await open();
        await busy.post("/publish", full, bearer);
        const answer = await busy.answer();
        if (answer.status === 503) refused = answer;
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(refused?.status, 503);
      assert.equal(json(refused!).code, "server_busy");
      assert.equal(refused!.headers.get("connection"), "close");
      const late = await slow.answer();
      assert.equal(late.status, 408);
      assert.equal(json(late).code, "body_timeout");
      assert.equal(late.headers.get("connection"), "close");
      assert.equal(await slow.closed(), true);
    } finally {
      for (const http of opened) http.close();
      await subscriber.close();
      assert.equal(await server.stop(), 0, server.output());
    }
  });
}

Deno.test("deno (transport web): POST /publish skips Hono in serveDeno, with the same answers", async () => {
  const { LhttpServer } = await import("../../mod.ts");
  const { serveDeno } = await import("../../src/adapters/deno.ts");
  const server = new LhttpServer({ publishToken: TOKEN, publishBodyTimeoutMs: 2000 });
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
  const url = `http://127.0.0.1:${running.port}`;
  const http = await RawHttp.open(url);
  const slow = await RawHttp.open(url);
  try {
    await http.post("/publish", FRAME, bearer);
    const ok = await http.answer();
    assert.equal(ok.headers.get("content-type"), "application/json");
    assert.deepEqual(json(ok), { status: 200, channels: ["room"], delivered: 0 });
    await http.post("/publish", FRAME);
    const missing = await http.answer();
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer/);
    await http.post("/publish/", FRAME, bearer);
    assert.equal((await http.answer()).status, 404);
    await slow.write(
      `POST /publish HTTP/1.1\r\nHost: ${slow.host}\r\nauthorization: Bearer ${TOKEN}\r\n` +
        `content-length: 1000\r\n\r\nLHTTP/1.0 chat\r\n`,
    );
    const late = await slow.answer();
    assert.deepEqual([late.status, json(late).code], [408, "body_timeout"]);
  } finally {
    http.close();
    slow.close();
    await running.shutdown();
  }
});

for (const runtime of RUNTIMES) {
  Deno.test(`${runtime}: a caller gone mid-body gives its share of the POST /publish budget back`, async () => {
    // The deadline is far off: only the closed connection can free the budget.
    const server = await startServe(runtime, [
      "--publish-body-timeout",
      "60s",
      "--publish-max-body-bytes-in-flight",
      "1500",
    ]);
    const full = FRAME + "x".repeat(1000 - FRAME.length);
    try {
      const gone = await RawHttp.open(server.url);
      await gone.write(
        `POST /publish HTTP/1.1\r\nHost: ${gone.host}\r\ncontent-length: 1000\r\n\r\nLHTTP/1.0 chat\r\n`,
      );
      // Held: a second body of 1000 bytes does not fit beside it.
      let status = 0;
      for (let i = 0; i < 100 && status !== 503; i++) {
        const probe = await RawHttp.open(server.url);
        await probe.post("/publish", full);
        status = (await probe.answer()).status;
        probe.close();
      }
      assert.equal(status, 503);
      gone.close();
      for (let i = 0; i < 100 && status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const probe = await RawHttp.open(server.url);
        await probe.post("/publish", full);
        status = (await probe.answer()).status;
        probe.close();
      }
      assert.equal(status, 200, "the budget came back once the caller left");
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }
  });
}
