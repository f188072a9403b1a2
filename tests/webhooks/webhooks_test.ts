import assert from "node:assert/strict";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { renderMetrics } from "../../src/telemetry/metrics.ts";
import { createLogger } from "../../src/telemetry/log.ts";
import { FakeClient } from "../harness/fake_peer.ts";
import { startReceiver } from "./_receiver.ts";
import { waitFor } from "../harness/nats_server.ts";

const frame = (command: string, headers: Record<string, string> = {}) =>
  `LHTTP/1.0 ${command}\r\n${
    Object.entries(headers).map(([k, v]) => `${k}:${v}\r\n`).join("")
  }\r\n`;
const quiet = createLogger("error", () => {});

Deno.test("webhooks: signed batches reach a real receiver, vacated after the delay", async () => {
  const receiver = await startReceiver("s3cret");
  const server = new LhttpServer({
    upstreamAllow: [new URL("/", receiver.url).href],
    webhooks: { endpoints: [receiver.url], secret: "s3cret", node: "n1", vacateDelayMs: 30 },
    logger: quiet,
  });
  const a = new FakeClient(server, { userId: "ann" });
  a.send(frame("chat", { subscribe: "room" }));
  a.send(frame("chat", { unsubscribe: "room" }));
  a.send(frame("chat", { subscribe: "room" })); // back within the delay: no flap
  server.release(a.connection);
  await receiver.until((events) => events.some((e) => e.type === "channel_vacated"));
  await server.webhooks!.idle();
  const id = `n1-${a.connection.id}`;
  assert.deepEqual(
    receiver.events.map((e) => [e.type, e.connection, e.channel]),
    [
      ["connect", id, undefined],
      ["subscribe", id, "room"],
      ["channel_occupied", undefined, "room"],
      ["unsubscribe", id, "room"],
      ["subscribe", id, "room"],
      ["unsubscribe", id, "room"],
      ["disconnect", id, undefined],
      ["channel_vacated", undefined, "room"],
    ],
  );
  const disconnect = receiver.events.find((e) => e.type === "disconnect")!;
  assert.equal(disconnect.reason, "closed");
  assert.equal(disconnect.user, "ann");
  assert.ok(disconnect.durationMs! >= 0);
  assert.equal(new Set(receiver.events.map((e) => e.id)).size, receiver.events.length);
  assert.equal(receiver.forged, 0);
  const text = renderMetrics(server.metrics, server.gauges());
  assert.match(text, /lhttp_webhook_sent_total 8/);
  await server.shutdown();
  await receiver.close();
});

Deno.test("webhooks: a receiver answering 503 gets the batch again, in order, counted as retried", async () => {
  const receiver = await startReceiver("k");
  receiver.script.push(503, 500);
  const server = new LhttpServer({
    upstreamAllow: [receiver.url],
    webhooks: { endpoints: [receiver.url], secret: "k", retryBaseMs: 5, flushMs: 1 },
    logger: quiet,
  });
  const clients = [new FakeClient(server), new FakeClient(server), new FakeClient(server)];
  await receiver.until((events) => events.length === 3);
  await server.webhooks!.idle();
  assert.deepEqual(
    receiver.events.map((e) => e.connection),
    clients.map((c) => server.webhooks!.connectionId(c.connection)),
  );
  assert.equal(server.gauges().webhooks?.retried, 2);
  assert.equal(server.gauges().webhooks?.queued, 0);
  await server.shutdown();
  await receiver.close();
});

Deno.test("webhooks: a bounded queue drops the oldest while the receiver is down, then the rest arrive", async () => {
  const logs: string[] = [];
  let up = false;
  const bodies: string[] = [];
  const fetcher = ((_url: URL, init: RequestInit) => {
    if (!up) return Promise.reject(new TypeError("connection refused"));
    bodies.push(String(init.body));
    return Promise.resolve(new Response("ok"));
  }) as unknown as typeof fetch;
  const server = new LhttpServer({
    upstreamAllow: ["http://hooks.test/"],
    fetch: fetcher,
    webhooks: {
      endpoints: ["http://hooks.test/in"],
      secret: "k",
      maxQueued: 5,
      batchSize: 2,
      retryBaseMs: 2,
      retryMaxMs: 4,
      flushMs: 1,
      events: ["connect"],
    },
    logger: createLogger("warn", (line) => void logs.push(line)),
  });
  const clients = Array.from({ length: 20 }, () => new FakeClient(server));
  const stats = server.gauges().webhooks!;
  // Queued in one turn, before any flush: the 15 oldest were dropped.
  assert.equal(stats.dropped, 15);
  assert.equal(stats.queued, 5);
  assert.equal(
    logs.filter((line) => line.includes("webhook queue full")).length,
    1,
    "one line per second, with the count",
  );
  up = true;
  await server.webhooks!.idle();
  const got = bodies.flatMap((body) =>
    JSON.parse(body).events.map((e: { connection: string }) => e.connection)
  );
  const ids = clients.map((c) => server.webhooks!.connectionId(c.connection));
  assert.deepEqual(got, ids.slice(15));
  await server.shutdown();
});

Deno.test("webhooks: a 3xx toward a host off the allowlist is refused, logged, never fetched", async () => {
  const fetched: string[] = [];
  const logs: string[] = [];
  const fetcher = ((url: URL) => {
    fetched.push(url.href);
    return Promise.resolve(
      new Response(null, { status: 308, headers: { location: "http://169.254.169.254/meta" } }),
    );
  }) as unknown as typeof fetch;
  const server = new LhttpServer({
    upstreamAllow: ["http://hooks.test/"],
    fetch: fetcher,
    webhooks: { endpoints: ["http://hooks.test/in"], secret: "k", flushMs: 1 },
    logger: createLogger("error", (line) => void logs.push(line)),
  });
  const other = new FakeClient(server);
  new FakeClient(server);
  await server.webhooks!.idle();
  assert.deepEqual(fetched, ["http://hooks.test/in"]);
  assert.equal(server.gauges().webhooks?.dropped, 2);
  assert.ok(logs.some((line) => line.includes("169.254.169.254")), logs.join("\n"));
  other.send(frame("ping", { ack: "1" }));
  assert.equal(other.frames()[0].headers.get("status"), "200", "other connections are unaffected");
  await server.shutdown();
});

Deno.test("webhooks: an endpoint outside the upstream allowlist is refused at construction", () => {
  assert.throws(
    () => new LhttpServer({ webhooks: { endpoints: ["http://10.0.0.1/in"], secret: "k" } }),
    (error) => error instanceof RangeError && /"http:\/\/10.0.0.1\/in"/.test(error.message),
  );
});

Deno.test("webhooks: a real receiver down, then back on its port: every event arrives once, in order", async () => {
  const first = await startReceiver("k");
  const url = first.url;
  await first.close(); // down: connections are refused
  const server = new LhttpServer({
    upstreamAllow: [url],
    webhooks: { endpoints: [url], secret: "k", retryBaseMs: 5, retryMaxMs: 20, batchSize: 10 },
    logger: quiet,
  });
  const clients = Array.from({ length: 50 }, () => new FakeClient(server));
  for (const client of clients) client.send(frame("x", { subscribe: "a" }));
  for (const client of clients) client.disconnect();
  await waitFor(() => server.gauges().webhooks!.retried >= 3, "three refused attempts");
  assert.equal(server.gauges().webhooks?.sent, 0);
  const back = await startReceiver("k", Number(new URL(url).port));
  await server.webhooks!.idle();
  const ids = (type: string) => back.events.filter((e) => e.type === type).map((e) => e.connection);
  const expected = clients.map((c) => server.webhooks!.connectionId(c.connection));
  assert.deepEqual(ids("connect"), expected);
  assert.deepEqual(ids("disconnect"), expected);
  for (const id of expected) {
    assert.deepEqual(
      back.events.filter((e) => e.connection === id).map((e) => e.type),
      ["connect", "subscribe", "unsubscribe", "disconnect"],
    );
  }
  assert.equal(server.gauges().webhooks?.dropped, 0);
  await server.shutdown();
  await back.close();
});
