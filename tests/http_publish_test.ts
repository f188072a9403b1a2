import assert from "node:assert/strict";
import { LhttpServer } from "../mod.ts";
import { lhttpRoutes } from "../src/http/routes.ts";
import { FakeClient } from "./harness/fake_peer.ts";

const publishFrame = "LHTTP/1.0 chat\r\npublish:mike\r\n\r\nhello mike";

function setup(token?: string, remoteAddress: string | null = "127.0.0.1") {
  const server = new LhttpServer({ publishToken: token, limits: { maxFrameBytes: 1000 } });
  const app = lhttpRoutes(server, { remoteAddress: () => remoteAddress ?? undefined });
  const mike = new FakeClient(server);
  mike.send("LHTTP/1.0 chat\r\nsubscribe:mike\r\n\r\n");
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    app.request("/publish", { method: "POST", body, headers });
  return { server, app, mike, post };
}

Deno.test("POST /publish delivers the frame (the original's example)", async () => {
  const { mike, post } = setup();
  const response = await post(publishFrame);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 200, channels: ["mike"], delivered: 1 });
  assert.deepEqual(mike.sent, [publishFrame]);
});

Deno.test("POST /publish with application/octet-stream publishes a binary frame", async () => {
  const { mike, post } = setup();
  const bytes = new TextEncoder().encode("LHTTP/1.0 img\r\npublish:mike\r\n\r\n\x00\x01");
  const response = await post(bytes, { "content-type": "application/octet-stream" });
  assert.equal(response.status, 200);
  assert.ok(mike.sent[0] instanceof Uint8Array);
});

Deno.test("POST /publish refusals carry status, code and reason", async () => {
  const { mike, post } = setup();
  const cases: [BodyInit, number, string][] = [
    ["LHTTP/1.0 chat\r\n\r\nno channels", 400, "missing_publish"],
    ["not a frame", 400, "not_lhttp"],
    ["LHTTP/1.0 chat\r\npublish:bad name!\r\n\r\n", 400, "bad_channel"],
    ["LHTTP/9.9 chat\r\npublish:mike\r\n\r\n", 505, "bad_version"],
    ["LHTTP/1.0 chat\r\npublish:mike\r\n\r\n" + "x".repeat(2000), 413, "frame_too_large"],
    [new Uint8Array([0x4c, 0xff, 0xfe]), 400, "invalid_utf8"],
  ];
  for (const [body, status, code] of cases) {
    const response = await post(body);
    assert.equal(response.status, status, code);
    const json = await response.json();
    assert.equal(json.code, code);
    assert.equal(typeof json.reason, "string");
  }
  assert.equal(mike.sent.length, 0, "nothing was published");
});

Deno.test("POST /publish with a token: 401 without, 403 wrong, 200 right", async () => {
  const { mike, post } = setup("s3cret");
  const missing = await post(publishFrame);
  assert.equal(missing.status, 401);
  assert.match(missing.headers.get("www-authenticate") ?? "", /Bearer/);
  await missing.body?.cancel();
  const wrong = await post(publishFrame, { authorization: "Bearer s3cre7" });
  assert.equal(wrong.status, 403);
  await wrong.body?.cancel();
  const right = await post(publishFrame, { authorization: "Bearer s3cret" });
  assert.equal(right.status, 200);
  await right.body?.cancel();
  assert.equal(mike.sent.length, 1);
});

Deno.test("GET /healthz reports connections, channels, subscriptions and bus", async () => {
  const { app } = setup();
  const response = await app.request("/healthz");
  assert.equal(response.status, 200);
  const health = await response.json();
  assert.equal(health.status, "ok");
  assert.equal(health.connections, 1);
  assert.equal(health.channels, 1);
  assert.equal(health.subscriptions, 1);
  assert.equal(health.bus, "local");
  assert.equal(health.draining, false);
});

Deno.test("POST /publish without a token answers loopback callers only, unless publishOpen", async () => {
  for (const address of ["127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1"]) {
    const { post, mike } = setup(undefined, address);
    const response = await post(publishFrame);
    assert.equal(response.status, 200, address);
    await response.body?.cancel();
    assert.equal(mike.sent.length, 1);
  }
  for (const address of ["10.0.0.1", "::ffff:10.0.0.1", "2001:db8::1", null]) {
    const { post, mike } = setup(undefined, address);
    const response = await post(publishFrame);
    assert.equal(response.status, 403, String(address));
    assert.equal((await response.json()).code, "forbidden");
    assert.equal(mike.sent.length, 0, "nothing published");
  }
  const open = new LhttpServer({ publishOpen: true });
  const app = lhttpRoutes(open, { remoteAddress: () => "203.0.113.9" });
  const response = await app.request("/publish", { method: "POST", body: publishFrame });
  assert.equal(response.status, 200);
  await response.body?.cancel();
});

Deno.test("an empty publish token counts as none (loopback only), never as a token nobody can send", async () => {
  const { post } = setup("", "127.0.0.1");
  const response = await post(publishFrame);
  assert.equal(response.status, 200);
  await response.body?.cancel();
});

for (const bodies of ["stream", "buffered"] as const) {
  Deno.test(`POST /publish (${bodies} bodies): a body slower than the deadline gets 408`, async () => {
    const server = new LhttpServer({ publishBodyTimeoutMs: 50 });
    const app = lhttpRoutes(server, { remoteAddress: () => "127.0.0.1", bodies });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("LHTTP/1.0 chat\r\n"));
        // ...and never more.
      },
    });
    const response = await app.request("/publish", {
      method: "POST",
      body,
      headers: { "content-length": "1000" },
    });
    assert.equal(response.status, 408);
    assert.equal((await response.json()).code, "body_timeout");
  });

  Deno.test(`POST /publish (${bodies} bodies): delivers, and refuses a body past the limit`, async () => {
    const server = new LhttpServer({ limits: { maxFrameBytes: 1000 } });
    const app = lhttpRoutes(server, { remoteAddress: () => "127.0.0.1", bodies });
    const mike = new FakeClient(server);
    mike.send("LHTTP/1.0 chat\r\nsubscribe:mike\r\n\r\n");
    const post = (body: string) =>
      app.request("/publish", {
        method: "POST",
        body,
        headers: { "content-length": String(new TextEncoder().encode(body).length) },
      });
    const ok = await post(publishFrame);
    assert.equal(ok.status, 200);
    assert.deepEqual(mike.sent, [publishFrame]);
    const big = await post(publishFrame + "x".repeat(1000));
    assert.equal(big.status, 413);
    assert.equal(mike.sent.length, 1);
  });
}

Deno.test("POST /publish: bodies in flight together are capped (503), one caller cannot hold them all", async () => {
  const server = new LhttpServer({ publishMaxBodyBytesInFlight: 1500, publishBodyTimeoutMs: 5000 });
  const app = lhttpRoutes(server, { remoteAddress: () => "127.0.0.1" });
  let release!: () => void;
  const held = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("LHTTP/1.0 chat\r\n"));
      release = () => controller.close();
    },
  });
  const first = app.request("/publish", {
    method: "POST",
    body: held,
    headers: { "content-length": "1000" },
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  const second = await app.request("/publish", {
    method: "POST",
    body: publishFrame,
    headers: { "content-length": "1000" },
  });
  assert.equal(second.status, 503);
  assert.equal((await second.json()).code, "server_busy");
  release();
  const answered = await first;
  assert.equal(answered.status, 400, "the held body was a broken frame");
  await answered.body?.cancel();
  const third = await app.request("/publish", {
    method: "POST",
    body: publishFrame,
    headers: { "content-length": String(publishFrame.length) },
  });
  assert.equal(third.status, 200, "the budget is free again");
  await third.body?.cancel();
});
