// The mixed cluster: a client on the Worker (a Durable Object whose bus is
// NATS over WebSocket, nats-core `wsconnect`, from workerd) and a client on a
// Deno node (NATS over TCP), one nats-server (with its `websocket {}`
// listener) between them, messages going both ways.

import assert from "node:assert/strict";
import { Sockets } from "../harness/ws_client.ts";
import { startNatsServer } from "../harness/nats_server.ts";
import { NATS_SERVER_BIN } from "../harness/nats_server.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { serveDeno } from "../../src/adapters/deno.ts";
import { NatsBus } from "../../src/nats/bus.ts";
import { startWorkerd, WORKERD, workerdTest } from "../harness/workerd.ts";

const health = async (url: string) => await (await fetch(`${url}/healthz`)).json();

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting: ${what}`);
}

type TestSocket = Awaited<ReturnType<Sockets["open"]>>;

async function probe(from: TestSocket, to: TestSocket, way: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const body = `probe ${way} ${i}`;
    await from.request(`LHTTP/1.0 chat\r\npublish:mix\r\n\r\n${body}`);
    await from.waitFor((frame) => frame.body === body); // its own copy
    // A barrier on the receiver: what crossed by now is in its inbox.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await to.request("LHTTP/1.0 ping\r\n\r\n");
    if (to.inbox.some((frame) => String(frame.body).startsWith(`probe ${way}`))) return;
  }
  throw new Error(`nothing crossed from ${way}`);
}

if (WORKERD && !NATS_SERVER_BIN && !Deno.env.get("CI")) {
  console.error("the mixed NATS edge test needs nats-server and is skipped");
}

workerdTest("mixed: a Worker client and a Deno client, one NATS (WebSocket) between", async () => {
  assert.ok(NATS_SERVER_BIN || !Deno.env.get("CI"), "nats-server is missing");
  if (!NATS_SERVER_BIN) return;
  const nats = await startNatsServer({ websocket: true });
  const worker = await startWorkerd("tests/edge/_worker_fixture.ts", {
    vars: { NATS: nats.wsUrl! },
  });
  const node = serveDeno(new LhttpServer({ bus: new NatsBus({ servers: nats.url }) }), {
    port: 0,
    hostname: "127.0.0.1",
  });
  const onWorker = new Sockets(worker.url.replace(/^http/, "ws") + "/");
  const onDeno = new Sockets(`ws://127.0.0.1:${node.port}/`);
  try {
    const w = await onWorker.open();
    const d = await onDeno.open();
    await w.request("LHTTP/1.0 chat\r\nsubscribe:mix\r\n\r\n");
    await d.request("LHTTP/1.0 chat\r\nsubscribe:mix\r\n\r\n");
    await until(async () => (await health(worker.url)).bus === "connected", "worker bus");
    await until(
      async () => (await health(`http://127.0.0.1:${node.port}`)).bus === "connected",
      "deno bus",
    );
    // NATS subscriptions are asynchronous: probe each way until a copy crosses.
    await probe(w, d, "worker to deno");
    await probe(d, w, "deno to worker");
    w.send("LHTTP/1.0 chat\r\npublish:mix\r\n\r\nfrom the worker");
    assert.equal(
      (await d.waitFor((frame) => frame.body === "from the worker")).headers.publish,
      "mix",
    );
    d.send("LHTTP/1.0 chat\r\npublish:mix\r\n\r\nfrom deno");
    assert.equal((await w.waitFor((frame) => frame.body === "from deno")).headers.publish, "mix");
  } catch (error) {
    throw new Error(`workerd output:\n${worker.output()}`, { cause: error });
  } finally {
    await onWorker.closeAll();
    await onDeno.closeAll();
    await node.shutdown();
    await worker.stop();
    await nats.kill();
  }
});
