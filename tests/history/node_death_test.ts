// kill -9 a node at full scale (issue 16): three lhttp nodes on three runtimes
// (A on Bun, B on Node 20, C on Deno), one JetStream nats-server with file
// storage. 100 LhttpClients subscribe on node A; a publisher on node C and
// POST /publish on node B keep publishing before, during and after node A is
// killed with SIGKILL (the process that holds the sockets: its own printed
// pid). The clients reconnect to node B (a load balancer's next pick) and
// recover through the protocol (subscribe with `recover`). Each client must
// end with exactly the stream's publications, once each, in the stream's
// order, and see `recovered: true` on its resubscribe; the server has no
// consumer at any point.

import assert from "node:assert/strict";
import { skipNats } from "../harness/nats_server.ts";
import { startJetStream, startJsNode } from "../harness/jetstream_nodes.ts";
import { type Frame, LhttpClient, type SubscribedEvent } from "../../src/client/mod.ts";
import { within } from "../client/_guard.ts";

const CLIENTS = 100;
// Publishing goes on until this many publications of C came after every
// client resubscribed on B, so the kill falls in the middle of the traffic.
const AFTER = 60;
// A chat's pace, not a flood: one recovery reads one message per NATS round
// trip (nats-server 2.9 direct get) until it reaches the end of the stream,
// so with 100 recoveries at once a channel published faster than each can
// read is never caught up (see the report of issue 16). C publishes about
// every PACE_MS, B every 3 × PACE_MS.
const CAP = 900;
const PACE_MS = Number(Deno.env.get("LHTTP_DEATH_PACE_MS") ?? 20);

interface Subscriber {
  client: LhttpClient;
  bodies: string[];
  recoveries: SubscribedEvent[];
}

Deno.test({
  name: "kill -9 a Bun node under 100 clients: they recover on Node, every message once, in order",
  ignore: skipNats,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const nats = await startJetStream();
    const [a, b, c] = await Promise.all([
      startJsNode("bun", nats.url),
      startJsNode("node20", nats.url),
      startJsNode("deno", nats.url),
    ]);
    assert.equal(a.pid, a.reportedPid, "the child signalled is the Bun process itself");
    const ws = (url: string) => url.replace("http", "ws") + "/";
    let target = ws(a.url);
    // A client whose next connection goes wherever `target` points (a load balancer).
    class Failover extends WebSocket {
      constructor(_url: string | URL, protocols?: string | string[]) {
        super(target, protocols);
      }
    }
    const reconnect = { initialDelay: 50, maxDelay: 200 };
    const subscribers: Subscriber[] = [];
    const publisher = new LhttpClient(ws(c.url), { reconnect });
    try {
      for (let i = 0; i < CLIENTS; i++) {
        const client = new LhttpClient(ws(a.url), { WebSocket: Failover, reconnect });
        const entry: Subscriber = { client, bodies: [], recoveries: [] };
        client.on("subscribed", (event) => void entry.recoveries.push(event));
        client.subscribe("chat.room", (frame: Frame) => void entry.bodies.push(String(frame.body)));
        subscribers.push(entry);
      }
      await within(
        waitUntil(() => subscribers.every((entry) => entry.recoveries.length === 1)),
        "first positions",
      );

      let fromC = 0;
      let fromB = 0;
      let stop = false;
      const kill = { c: -1, b: -1, code: -1, resubscribedAt: -1, ms: 0 };
      const publishingC = (async () => {
        while (!stop) {
          await publisher.publish("chat.room", `c${fromC}`, { command: "chat" });
          fromC++;
          await new Promise((resolve) => setTimeout(resolve, PACE_MS));
          if (kill.resubscribedAt >= 0 && fromC >= kill.resubscribedAt + AFTER) stop = true;
          if (fromC + fromB >= CAP) stop = true; // one history query reads the whole stream
        }
      })();
      const publishingB = (async () => {
        while (!stop) {
          const response = await fetch(`${b.url}/publish`, {
            method: "POST",
            body: `LHTTP/1.0 chat\r\npublish:chat.room\r\n\r\nb${fromB}`,
          });
          assert.equal(response.status, 200, await response.text());
          fromB++;
          await new Promise((resolve) => setTimeout(resolve, 3 * PACE_MS));
        }
      })();
      const killing = (async () => {
        // Every client has something to recover from, and both publishers are going.
        await waitUntil(() => fromC >= 40 && fromB >= 5);
        await waitUntil(() => subscribers.every((entry) => entry.bodies.length > 0));
        target = ws(b.url);
        kill.c = fromC;
        kill.b = fromB;
        const killedAt = performance.now();
        kill.code = await a.stop("SIGKILL");
        await waitUntil(() => subscribers.every((entry) => entry.recoveries.length >= 2));
        kill.ms = performance.now() - killedAt;
        kill.resubscribedAt = fromC;
      })();
      await within(Promise.all([publishingC, publishingB, killing]), "publishing", 180_000);
      assert.equal(kill.code, 128 + 9, "node A died of SIGKILL");
      assert.ok(fromC - kill.c >= AFTER && fromB > kill.b, "both kept publishing through the kill");
      assert.ok(kill.resubscribedAt >= 0, "every client resubscribed while C was publishing");
      // Last, a marker: once every client has it, nothing sent before it is still on the way.
      await publisher.publish("chat.room", "end", { command: "chat" });
      await within(
        waitUntil(() => subscribers.every((entry) => entry.bodies.includes("end"))),
        "every client has every message",
        120_000,
      ).catch((error) => {
        throw new Error(`${error.message}\n${summary(subscribers)}`);
      });

      const reader = new LhttpClient(ws(b.url));
      const { publications } = await within(
        reader.history("chat.room", { limit: 1000 }),
        "history",
      );
      await reader.close();
      const expected = publications.map((frame) => String(frame.body));
      assert.equal(expected.length, fromC + fromB + 1, "the stream holds every publication once");
      assert.deepEqual(
        expected.filter((body) => body.startsWith("c")),
        Array.from({ length: fromC }, (_, i) => `c${i}`),
        "C's order is kept",
      );
      assert.deepEqual(
        expected.filter((body) => body.startsWith("b")),
        Array.from({ length: fromB }, (_, i) => `b${i}`),
        "B's order is kept",
      );
      for (const [i, entry] of subscribers.entries()) {
        assert.equal(entry.bodies.length, expected.length, `client ${i}: count`);
        assert.deepEqual(entry.bodies, expected, `client ${i}: exactly once, in order`);
        const [first, ...after] = entry.recoveries;
        assert.equal(first.wasRecovering, false, `client ${i}: first subscribe`);
        assert.ok(after.length >= 1, `client ${i} resubscribed`);
        for (const event of after) {
          assert.deepEqual([event.wasRecovering, event.recovered], [true, true], `client ${i}`);
        }
      }
      assert.equal(await nats.consumers(), 0, "no consumer, per client or at all");
      console.log(
        `node death: ${CLIENTS} clients, ${expected.length} messages (${fromC + 1} from C on ` +
          `Deno, ${fromB} from B on Node 20), Bun node killed after C's ${kill.c}th and B's ` +
          `${kill.b}th, all resubscribed on B ${
            Math.round(kill.ms)
          } ms after; resubscribes per client (failover + gap repairs): ${
            JSON.stringify(tally(subscribers.map((entry) => entry.recoveries.length - 1)))
          }`,
      );
    } finally {
      await Promise.all(subscribers.map((entry) => entry.client.close()));
      await publisher.close();
      await Promise.all([a.stop("SIGKILL"), b.stop(), c.stop()]);
      await nats.stop();
    }
  },
});

// How many clients had each count.
function tally(counts: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const count of counts) out[count] = (out[count] ?? 0) + 1;
  return out;
}

// Per client: messages received and its subscribed events, for a failure message.
function summary(subscribers: Subscriber[]): string {
  return subscribers.map((entry, i) =>
    `client ${i}: ${entry.bodies.length} messages, last ${entry.bodies.at(-1)}, ` +
    JSON.stringify(entry.recoveries.map((e) => [e.wasRecovering, e.recovered, e.offset]))
  ).join("\n");
}

async function waitUntil(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((resolve) => setTimeout(resolve, 20));
}
