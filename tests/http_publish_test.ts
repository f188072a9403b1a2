import assert from "node:assert/strict";
import { LhttpServer } from "../mod.ts";
import { lhttpRoutes } from "../src/http/routes.ts";
import { FakeClient } from "./_fake_peer.ts";

const publishFrame = "LHTTP/1.0 chat\r\npublish:mike\r\n\r\nhello mike";

function setup(token?: string) {
  const server = new LhttpServer({ publishToken: token, limits: { maxFrameBytes: 1000 } });
  const app = lhttpRoutes(server);
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

Deno.test("GET /healthz reports connections, channels and bus", async () => {
  const { app } = setup();
  const response = await app.request("/healthz");
  assert.deepEqual(await response.json(), {
    status: "ok",
    connections: 1,
    channels: 1,
    bus: "local",
  });
});
