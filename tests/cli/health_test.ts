// /healthz: the bus in detail, 503 while draining or with the bus down past its
// grace; /metrics: the bus's counters. In-process with a bus under the test's
// control, and with lhttp serve and nats-server as real processes.

import assert from "node:assert/strict";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { lhttpRoutes } from "../../src/http/routes.ts";
import { Health } from "../../src/http/health.ts";
import type { Bus, BusState } from "../../src/hub/bus.ts";
import { LHTTP_MAIN } from "./_lhttp.ts";
import { spawnServe } from "../harness/serve_child.ts";
import { skipNats, startNatsServer, waitFor } from "../harness/nats_server.ts";

class StandInBus implements Bus {
  state: BusState = "connected";
  stats = {
    published: 5,
    received: 4,
    dropped: 3,
    invalid: 2,
    queuedBytes: 100,
    queuedFrames: 1,
    maxQueuedBytes: 1 << 20,
    stalls: 1,
  };
  start(): void {}
  subscribe(): void {}
  unsubscribe(): void {}
  publish(): void {}
  close(): Promise<void> {
    this.state = "closed";
    return Promise.resolve();
  }
}

Deno.test("/healthz: bus detail, 503 when the bus is down past the grace, 503 while draining", async () => {
  const bus = new StandInBus();
  const server = new LhttpServer({ bus, busDownGraceMs: 0 });
  const app = lhttpRoutes(server);
  const get = async (path: string) => {
    const response = await app.request(path);
    return { status: response.status, body: await response.text() };
  };
  const up = await get("/healthz");
  assert.equal(up.status, 200);
  const report = JSON.parse(up.body);
  assert.equal(report.status, "ok");
  assert.equal(report.subscriptions, 0);
  assert.deepEqual(report.busDetail, {
    state: "connected",
    connected: true,
    downForMs: 0,
    graceMs: 0,
    stats: bus.stats,
  });
  const metrics = (await get("/metrics")).body;
  for (
    const line of [
      "lhttp_bus_published_total 5",
      "lhttp_bus_received_total 4",
      "lhttp_bus_dropped_total 3",
      "lhttp_bus_invalid_total 2",
      "lhttp_bus_queued_bytes 100",
      "lhttp_bus_queued_frames 1",
      "lhttp_bus_max_queued_bytes 1048576",
      "lhttp_bus_stalls_total 1",
    ]
  ) {
    assert.ok(metrics.includes(`\n${line}\n`), line);
  }
  for (const state of ["stalled", "disconnected", "connecting"] as const) {
    bus.state = state;
    const down = await get("/healthz");
    assert.equal(down.status, 503, state);
    assert.equal(JSON.parse(down.body).status, "bus_down");
    assert.equal(JSON.parse(down.body).busDetail.state, state);
  }
  bus.state = "connected";
  assert.equal((await get("/healthz")).status, 200);
  await server.shutdown();
  assert.ok(server.draining);
  const draining = await get("/healthz");
  assert.equal(draining.status, 503);
  assert.equal(JSON.parse(draining.body).status, "draining");
  assert.equal(JSON.parse(draining.body).draining, true);
});

Deno.test("Health: a bus down within its grace is still ok; past it, bus_down; back up, ok", () => {
  const bus = new StandInBus();
  const server = new LhttpServer({ bus, busDownGraceMs: 60_000 });
  let now = 1_000;
  const health = new Health(server, () => now);
  bus.state = "disconnected";
  assert.equal(health.check().status, "ok");
  now += 59_999;
  assert.deepEqual([health.check().status, health.check().busDetail.downForMs], ["ok", 59_999]);
  now += 1;
  assert.equal(health.check().status, "bus_down");
  bus.state = "connected";
  assert.deepEqual([health.check().status, health.check().busDetail.downForMs], ["ok", 0]);
  // A bus that never connected is down from startup: the first check already counts.
  const never = new StandInBus();
  never.state = "connecting";
  const startup = new Health(new LhttpServer({ bus: never, busDownGraceMs: 5_000 }), () => now);
  now += 5_000;
  assert.equal(startup.check().status, "bus_down");
  // Without a bus: local, connected, never down.
  const local = new Health(new LhttpServer()).check();
  assert.deepEqual([local.status, local.busDetail.state, local.busDetail.stats], [
    "ok",
    "local",
    undefined,
  ]);
});

Deno.test({
  name: "lhttp serve --nats: /healthz reports NATS connected with stats, then 503 once NATS dies",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const child = await spawnServe(Deno.execPath(), [
      "run",
      "-A",
      LHTTP_MAIN,
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--nats",
      nats.url,
      "--bus-down-grace",
      "0s",
    ]);
    const health = async () => {
      const response = await fetch(`${child.url}/healthz`);
      return { status: response.status, body: await response.json() };
    };
    try {
      await waitFor(async () => (await health()).body.busDetail.connected, "NATS connected");
      const up = await health();
      assert.equal(up.status, 200);
      assert.equal(up.body.busDetail.state, "connected");
      assert.equal(typeof up.body.busDetail.stats.published, "number");
      const metrics = await (await fetch(`${child.url}/metrics`)).text();
      assert.match(metrics, /\nlhttp_bus_max_queued_bytes \d+\n/);
      await nats.kill();
      await waitFor(async () => (await health()).status === 503, "/healthz 503");
      const down = await health();
      assert.equal(down.body.status, "bus_down");
      assert.notEqual(down.body.busDetail.state, "connected");
    } finally {
      await child.stop();
      await nats.stop();
    }
  },
});
