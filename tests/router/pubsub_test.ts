import assert from "node:assert/strict";
import { DEFAULT_LIMITS } from "../../mod.ts";
import { Connection, Hub, Metrics, PubSub } from "../../src/internal.ts";

function setup(authorize?: ConstructorParameters<typeof PubSub>[0]["authorize"]) {
  const metrics = new Metrics();
  const hub = new Hub<Connection>();
  const pubsub = new PubSub({
    hub,
    limits: { ...DEFAULT_LIMITS, maxSubscriptions: 3 },
    metrics,
    authorize,
  });
  const open = () => {
    const sent: unknown[] = [];
    const connection = new Connection({ send: (data) => void sent.push(data), close() {} }, {
      maxBufferedBytes: 1 << 20,
      slowConsumer: "close",
      metrics,
    });
    return { connection, sent };
  };
  return { pubsub, hub, metrics, open };
}

Deno.test("publish strips hop-by-hop headers, keeps the rest, serializes once per channel", () => {
  const { pubsub, open } = setup();
  const a = open();
  pubsub.subscribe(a.connection, ["r"]);
  const headers = new Map([
    ["publish", "r"],
    ["ack", "1"],
    ["status", "500"],
    ["code", "x"],
    ["reason", "y"],
    ["upstream", "GET http://h/?secret=1"],
    ["upstream-status", "200"],
    ["keep", "me"],
  ]);
  assert.equal(pubsub.publish(["r"], { command: "c", headers, body: "b" }), 1);
  assert.deepEqual(a.sent, ["LHTTP/1.0 c\r\npublish:r\r\nkeep:me\r\n\r\nb"]);
  assert.equal(headers.get("ack"), "1", "the caller's frame is not changed");
});

Deno.test("the same data object goes to every subscriber of a channel", () => {
  const { pubsub, open } = setup();
  const [a, b] = [open(), open()];
  pubsub.subscribe(a.connection, ["r"]);
  pubsub.subscribe(b.connection, ["r"]);
  pubsub.publish(["r"], { command: "c", headers: new Map(), body: "x" });
  assert.equal(a.sent[0], b.sent[0]);
});

Deno.test("the subscription limit applies to server code too, and nothing of a refused list applies", () => {
  const { pubsub, open } = setup();
  const a = open();
  pubsub.subscribe(a.connection, ["a", "b"]);
  assert.throws(() => pubsub.subscribe(a.connection, ["c", "d"]), { code: "subscription_limit" });
  assert.deepEqual([...a.connection.channels].sort(), ["a", "b"]);
  pubsub.subscribe(a.connection, ["a", "c"]); // "a" is held: one more fits
  assert.equal(a.connection.channels.size, 3);
});

Deno.test("authorize sees the action and target; a refusal is forbidden, sync or async", async () => {
  const asked: string[] = [];
  const { pubsub, open } = setup(({ action, target }) => {
    asked.push(`${action} ${target}`);
    return target === "vault" ? Promise.resolve(false) : target !== "no";
  });
  const a = open();
  const frame = { command: "c", headers: new Map(), body: "" };
  assert.equal(pubsub.authorize("subscribe", "ok", a.connection, frame), undefined);
  assert.throws(() => pubsub.authorize("publish", "no", a.connection, frame), {
    code: "forbidden",
  });
  await assert.rejects(
    Promise.resolve(pubsub.authorize("subscribe", "vault", a.connection, frame)),
    { code: "forbidden", status: 403 },
  );
  assert.deepEqual(asked, ["subscribe ok", "publish no", "subscribe vault"]);
});

Deno.test("channel lists are de-duplicated and validated in one place", () => {
  const { pubsub } = setup();
  assert.deepEqual(pubsub.channels("a b a\tc"), ["a", "b", "c"]);
  assert.throws(() => pubsub.channels("bad name!"), { code: "bad_channel" });
  assert.throws(() => pubsub.channels(""), { code: "bad_channel" });
});
