// Hibernation in local workerd: an idle object is evicted (workerd does so
// after about 10 s without events, keeping its sockets open); the next event
// builds a new object, which rebuilds connections and subscriptions from the
// socket attachments, or from storage for subscriptions that did not fit.
// Eviction is detected, not timed: the new object's frames-in counter starts
// at zero.

import assert from "node:assert/strict";
import { Sockets } from "../harness/ws_client.ts";
import { FIXTURE } from "../fixtures/app.ts";
import { startWorkerd, workerdTest } from "../harness/workerd.ts";

const framesIn = async (url: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^lhttp_frames_in_total (\d+)/m.exec(text)?.[1]);
};

workerdTest(
  "subscriptions survive hibernation (attachments, and storage past 16 KiB)",
  async () => {
    const worker = await startWorkerd("tests/edge/_worker_fixture.ts");
    const sockets = new Sockets(worker.url.replace(/^http/, "ws") + "/");
    try {
      // The token fills most of the attachment: its 8 long channels spill into storage.
      const token = "k".repeat(15_600);
      const big = await sockets.open(`?token=${token}`);
      const small = await sockets.open("?token=s");
      const long = Array.from(
        { length: FIXTURE.maxSubscriptions },
        (_, i) => `${i}`.padEnd(128, "c"),
      );
      await big.request(`LHTTP/1.0 chat\r\nsubscribe:${long.join(" ")}\r\n\r\n`);
      await small.request("LHTTP/1.0 chat\r\nsubscribe:room\r\n\r\n");
      assert.ok(await framesIn(worker.url) >= 2);

      // Idle until workerd evicts the object (each look wakes it, so look rarely).
      let evicted = false;
      for (let look = 0; look < 6 && !evicted; look++) {
        await new Promise((resolve) => setTimeout(resolve, 11_000));
        evicted = await framesIn(worker.url) === 0;
      }
      assert.ok(evicted, "workerd did not evict the idle object");

      const health = await (await fetch(`${worker.url}/healthz`)).json();
      assert.deepEqual([health.connections, health.subscriptions], [2, 1 + long.length]);
      const publish = (channel: string, body: string) =>
        fetch(`${worker.url}/publish`, {
          method: "POST",
          headers: { authorization: `Bearer ${FIXTURE.publishToken}` },
          body: `LHTTP/1.0 chat\r\npublish:${channel}\r\n\r\n${body}`,
        }).then((response) => response.json());
      assert.equal((await publish("room", "after")).delivered, 1);
      assert.equal((await small.next()).body, "after");
      assert.equal((await publish(long[7], "spilled")).delivered, 1);
      assert.equal((await big.next()).body, "spilled");
      // The connection's data came back with it.
      big.send("LHTTP/1.0 who\r\n\r\n");
      assert.equal((await big.next()).body, JSON.stringify({ token }));
    } catch (error) {
      throw new Error(`workerd output:\n${worker.output()}`, { cause: error });
    } finally {
      await sockets.closeAll();
      await worker.stop();
    }
  },
);
