// A plain publish in a POST /publish body goes to the hub as it came; any
// other frame, or any frame on a server with history, the long way. Both must
// deliver what the long way always delivered.

import assert from "node:assert/strict";
import { LhttpServer } from "../../mod.ts";
import { lhttpRoutes } from "../../src/http/routes.ts";
import { FakeClient } from "../harness/fake_peer.ts";

function setup(options: ConstructorParameters<typeof LhttpServer>[0] = {}) {
  const server = new LhttpServer(options);
  const app = lhttpRoutes(server, { remoteAddress: () => "127.0.0.1" });
  const mike = new FakeClient(server);
  mike.send("LHTTP/1.0 chat\r\nsubscribe:mike\r\n\r\n");
  const post = async (body: string) => {
    const response = await app.request("/publish", { method: "POST", body });
    return { status: response.status, json: await response.json() };
  };
  return { server, mike, post };
}

Deno.test("POST /publish: a plain publish is delivered as it came, counted as the long way counts it", async () => {
  const { server, mike, post } = setup();
  const plain = "LHTTP/1.0 chat\r\npublish:mike\r\n\r\nhello\r\n\r\nmike";
  const before = server.metrics.publishes;
  assert.deepEqual((await post(plain)).json, { status: 200, channels: ["mike"], delivered: 1 });
  assert.deepEqual(mike.sent, [plain]);
  assert.equal(server.metrics.publishes, before + 1);
  assert.ok(server.metrics.bytesOut >= plain.length);
});

Deno.test("POST /publish: other frames go the long way (hop-by-hop headers dropped, lists split)", async () => {
  const { mike, post } = setup();
  const acked = "LHTTP/1.0 chat\r\npublish:mike\r\nack:7\r\n\r\nhi";
  assert.equal((await post(acked)).status, 200);
  assert.deepEqual(mike.sent, ["LHTTP/1.0 chat\r\npublish:mike\r\n\r\nhi"]);
  const listed = await post("LHTTP/1.0 chat\r\npublish:mike other\r\n\r\nboth");
  assert.deepEqual(listed.json, { status: 200, channels: ["mike", "other"], delivered: 1 });
  const refused = await post("LHTTP/1.0 chat\r\npublish:bad name!\r\n\r\n");
  assert.deepEqual([refused.status, refused.json.code], [400, "bad_channel"]);
});

Deno.test("POST /publish: with history, a plain publish is stamped (the long way)", async () => {
  const { mike, post } = setup({ history: [{ prefix: "mike", size: 10, ttlMs: 60_000 }] });
  assert.equal((await post("LHTTP/1.0 chat\r\npublish:mike\r\n\r\nhi")).status, 200);
  assert.equal(mike.sent.length, 1);
  assert.notEqual(
    mike.sent[0],
    "LHTTP/1.0 chat\r\npublish:mike\r\n\r\nhi",
    "stamped with a position",
  );
});

Deno.test("POST /publish: the answer follows the channel and the deliveries, also when the last one is reused", async () => {
  const { server, post } = setup();
  const plain = (channel: string) => `LHTTP/1.0 chat\r\npublish:${channel}\r\n\r\nx`;
  const delivered = async (channel: string) => (await post(plain(channel))).json;
  assert.deepEqual(await delivered("mike"), { status: 200, channels: ["mike"], delivered: 1 });
  assert.deepEqual(await delivered("mike"), { status: 200, channels: ["mike"], delivered: 1 });
  const ann = new FakeClient(server);
  ann.send("LHTTP/1.0 chat\r\nsubscribe:mike\r\n\r\n");
  assert.deepEqual(await delivered("mike"), { status: 200, channels: ["mike"], delivered: 2 });
  assert.deepEqual(await delivered("other"), { status: 200, channels: ["other"], delivered: 0 });
  assert.deepEqual(await delivered("mike"), { status: 200, channels: ["mike"], delivered: 2 });
});
