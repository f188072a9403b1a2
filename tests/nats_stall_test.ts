// A stalled NATS (nats-server frozen with SIGSTOP: connections open, nothing
// read or answered) must not grow a publishing node's memory: the bus keeps
// what it buffers under its cap, drops the oldest frames and counts them,
// reports `stalled` at /healthz, and recovers when NATS runs again.

import assert from "node:assert/strict";
import { Client, healthBus, httpPublish, startDenoNode } from "./harness/cluster.ts";
import { type CliNode, startCliNode } from "./harness/cli_node.ts";
import { skipNats, startNatsServer, waitFor } from "./harness/nats_server.ts";
import { parseFrame } from "../src/codec/parse.ts";
import { createLogger } from "../src/telemetry/log.ts";
import { NatsBus } from "../src/nats/mod.ts";

const BODY = "x".repeat(1000);
const ROUNDS = 10;
const quiet = createLogger("silent");
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

Deno.test({
  name: "nats stall: buffered bytes stay under the cap, the oldest are dropped, healthz says so",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const a = startDenoNode({ servers: nats.url, subjectPrefix: "s1" });
    // The receiving side is a bare bus with a callback: a WebSocket subscriber
    // would meet the 8 MiB backlog as one burst, which a node may rightly cut.
    const got: string[] = [];
    const sink = new NatsBus({ servers: nats.url, subjectPrefix: "s1", logger: quiet });
    sink.start((_channel, data) => got.push(parseFrame(data).body as string));
    let paused = false;
    try {
      await waitFor(() => a.bus.state === "connected" && sink.state === "connected", "buses");
      sink.subscribe("room");
      await waitFor(async () => (await nats.subscriptions()).includes("s1.room"), "subject");
      a.server.publish("room", { command: "chat", body: "before" });
      await waitFor(() => got.length === 1, "the first frame");

      nats.pause();
      paused = true;
      // 20,000 frames of 1 KB, about 2.5 times the 8 MiB cap, in batches of
      // 200 with a timer turn between batches (the bus's watchdog runs on timers).
      const total = 20_000;
      const cap = a.bus.stats.maxQueuedBytes;
      assert.equal(cap, 8 << 20);
      let highest = 0;
      for (let i = 0; i < total; i++) {
        a.server.publish("room", { command: "chat", body: `${i} ${BODY}` });
        if (i % 200 === 199) {
          highest = Math.max(highest, a.bus.stats.queuedBytes);
          await tick();
        }
      }
      highest = Math.max(highest, a.bus.stats.queuedBytes);
      assert.ok(highest <= cap, `buffered ${highest} bytes, cap ${cap}`);
      assert.ok(highest > cap / 2, `the buffer filled (${highest} bytes)`);
      await waitFor(async () => (await healthBus(a.url)) === "stalled", "healthz: stalled");
      const stalled = a.bus.stats;
      assert.equal(stalled.stalls, 1);
      assert.ok(stalled.dropped > 0, "frames were dropped");
      // Every frame is accounted for: sent, dropped, or still queued.
      assert.equal(stalled.published + stalled.dropped + stalled.queuedFrames, total + 1);
      assert.equal(a.logs.filter((line) => line.includes("NATS bus stalled")).length, 1);

      nats.resume();
      paused = false;
      await waitFor(() => a.bus.state === "connected", "a recovers");
      await waitFor(() => a.bus.stats.queuedBytes === 0, "a's buffer drains", 20_000);
      const after = a.bus.stats;
      assert.equal(after.published + after.dropped, total + 1);
      assert.equal(after.stalls, 1);
      assert.equal(await healthBus(a.url), "connected");
      // The sink gets exactly what A sent: nothing is lost beyond the counted drops.
      await waitFor(() => got.length >= after.published, `${after.published} frames`, 20_000);
      a.server.publish("room", { command: "chat", body: "after" });
      await waitFor(() => got.length >= after.published + 1, "the frame after");
      assert.equal(got.length, after.published + 1);
      const numbers = got.slice(1, -1).map((text) => Number(text.split(" ")[0]));
      // In order, ending with the newest frame: the dropped ones are the oldest queued.
      assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]), "in order");
      assert.equal(numbers.at(-1), total - 1);
      const gap = numbers.findIndex((n, i) => n !== i);
      assert.ok(gap > 0, "the frames sent before the stall was detected arrived");
      const tail = numbers.slice(gap);
      assert.ok(tail.every((n, i) => n === tail[0] + i), "the newest frames arrived contiguous");
      assert.equal(got.at(-1), "after");
      assert.equal(sink.stats.received, got.length);
    } finally {
      if (paused) nats.resume();
      await Promise.all([a.stop(), sink.close()]);
      await nats.stop();
    }
  },
});

Deno.test({
  name: "nats stall: while NATS is down the buffer is bounded the same way, and drains on return",
  ignore: skipNats,
  async fn() {
    const nats = await startNatsServer();
    const a = startDenoNode({ servers: nats.url, subjectPrefix: "s3" });
    const got: string[] = [];
    const sink = new NatsBus({ servers: nats.url, subjectPrefix: "s3", logger: quiet });
    sink.start((_channel, data) => got.push(parseFrame(data).body as string));
    try {
      await waitFor(() => a.bus.state === "connected" && sink.state === "connected", "buses");
      sink.subscribe("room");
      await nats.kill();
      await waitFor(() => a.bus.state === "disconnected", "a disconnected");
      const total = 20_000;
      let highest = 0;
      for (let i = 0; i < total; i++) {
        a.server.publish("room", { command: "chat", body: `${i} ${BODY}` });
        if (i % 200 === 199) {
          highest = Math.max(highest, a.bus.stats.queuedBytes);
          await tick();
        }
      }
      const down = a.bus.stats;
      assert.ok(highest <= down.maxQueuedBytes, `buffered ${highest} bytes`);
      assert.ok(down.queuedBytes > down.maxQueuedBytes / 2, "the buffer filled");
      assert.ok(down.dropped > 0);
      assert.equal(down.published + down.dropped + down.queuedFrames, total);

      await nats.restart();
      await waitFor(() => a.bus.state === "connected" && sink.state === "connected", "back");
      await waitFor(() => a.bus.stats.queuedBytes === 0, "a's buffer drains", 20_000);
      const after = a.bus.stats;
      assert.equal(after.published + after.dropped, total);
      assert.ok(after.published > down.published, "the queued frames were sent on return");
      await waitFor(async () => {
        a.server.publish("room", { command: "chat", body: "after" });
        await tick();
        return got.includes("after");
      }, "a frame through the bus after the outage");
    } finally {
      await Promise.all([a.stop(), sink.close()]);
      await nats.stop();
    }
  },
});

// ---- RSS of real `lhttp serve --nats` processes ----

// The pid of the process listening on 127.0.0.1:`port`, from /proc (Linux).
async function pidListening(port: number): Promise<number> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await Deno.readTextFile(table).catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hex}`) && fields[3] === "0A") inodes.add(fields[9]);
    }
  }
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      for await (const fd of Deno.readDir(`/proc/${entry.name}/fd`)) {
        const link = await Deno.readLink(`/proc/${entry.name}/fd/${fd.name}`).catch(() => "");
        const inode = link.match(/^socket:\[(\d+)\]$/)?.[1];
        if (inode && inodes.has(inode)) return Number(entry.name);
      }
    } catch { /* gone, or not ours to read */ }
  }
  throw new Error(`no process listens on port ${port}`);
}

/** Resident set size of `pid`, bytes. */
async function rss(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/^VmRSS:\s+(\d+) kB/m)![1]) * 1024;
}

// Sends `count` 1 KB frames on one WebSocket without acks, then one with an
// ack: frames of a connection are handled in order, so its answer means the
// node has handled them all. `pauseMs`: a pause of that long after every 100
// frames, so a healthy cluster keeps up (no slow-consumer cuts downstream).
async function flood(url: string, count: number, tag: string, pauseMs = 0): Promise<void> {
  const socket = new WebSocket(url.replace(/^http/, "ws") + "/");
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
  });
  let answered = false;
  socket.onmessage = (event) => {
    if (String(event.data).includes(`ack:${tag}`)) answered = true;
  };
  for (let i = 0; i < count; i++) {
    socket.send(`LHTTP/1.0 chat\r\npublish:room\r\n\r\n${tag}${i} ${BODY}`);
    // Keep the client's own send buffer small, so the node reads as fast as it can.
    while (socket.bufferedAmount > 1 << 20) await tick();
    if (pauseMs && i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  socket.send(`LHTTP/1.0 chat\r\npublish:room\r\nack:${tag}\r\n\r\nlast`);
  await waitFor(() => answered, `the ack of ${tag}`, 120_000);
  socket.close();
  await new Promise((resolve) => socket.onclose = resolve);
}

for (const runtime of ["deno", "bun", "node20"]) {
  Deno.test({
    name: `nats stall: RSS of an lhttp serve --nats node on ${runtime} stays bounded`,
    ignore: skipNats,
    async fn() {
      const nats = await startNatsServer({ websocket: true });
      const nodes: CliNode[] = [];
      let paused = false;
      try {
        // Node 20 has no global WebSocket: its bus goes through NATS's WebSocket port.
        const servers = runtime === "node20" ? nats.wsUrl! : nats.url;
        const [publisher, receiver] = await Promise.all([
          startCliNode(runtime, ["--nats", servers, "--nats-prefix", "s2"]),
          startCliNode("deno", ["--nats", nats.url, "--nats-prefix", "s2"]),
        ]);
        nodes.push(publisher, receiver);
        await waitFor(async () => (await healthBus(publisher.url)) === "connected", "connected");
        const clients: Client[] = [];
        try {
          const warm = await Client.open(receiver.url);
          clients.push(warm);
          await warm.subscribe("room");
          await waitFor(async () => (await nats.subscriptions()).includes("s2.room"), "subject");
          const pid = await pidListening(Number(new URL(publisher.url).port));
          // Warm up with NATS running: 20 MB through the bus.
          // Gently (at most 10,000 frames/s), so that neither node is overrun.
          await flood(publisher.url, 20_000, "warm", 10);
          await waitFor(() => warm.texts().includes("last"), "the warm-up's last frame", 60_000);
          const before = await rss(pid);

          nats.pause();
          paused = true;
          // 200 MB in 10 rounds while NATS is frozen. Without a bound all of it
          // stays in memory and RSS grows with every round; with one, RSS levels
          // off once the buffer is full and the garbage collector has settled.
          const samples: number[] = [];
          for (let round = 0; round < ROUNDS; round++) {
            await flood(publisher.url, 20_000, `r${round}-`, 5);
            samples.push(await rss(pid));
          }
          await waitFor(async () => (await healthBus(publisher.url)) === "stalled", "stalled");
          const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
          // Peaks, not single samples: RSS moves with each collection.
          const firstHalf = Math.max(...samples.slice(0, ROUNDS / 2));
          const secondHalf = Math.max(...samples.slice(ROUNDS / 2));
          console.log(
            `${runtime}: RSS ${mib(before)} MiB before the stall; during it, by 20 MB round: ` +
              `${samples.map(mib).join(" ")} MiB`,
          );
          assert.ok(
            secondHalf - firstHalf < 32 * 2 ** 20,
            `peak RSS grew ${mib(secondHalf - firstHalf)} MiB over the last 100 MB published`,
          );
          assert.ok(
            secondHalf - before < 192 * 2 ** 20,
            `RSS grew ${mib(secondHalf - before)} MiB in all`,
          );

          // The 8 MiB backlog would burst into a subscriber of "room" (and the
          // receiving node may cut it as a slow consumer); a probe channel
          // behind the backlog shows the bus drained it and works again.
          await warm.close();
          clients.pop();
          const probe = await Client.open(receiver.url);
          clients.push(probe);
          await probe.subscribe("probe");
          nats.resume();
          paused = false;
          await waitFor(async () => (await healthBus(publisher.url)) === "connected", "recovered");
          await waitFor(async () => {
            await httpPublish(publisher.url, "probe", "after the stall");
            await tick();
            return probe.received.length > 0;
          }, "a frame through the recovered bus");
        } finally {
          await Promise.all(clients.map((client) => client.close()));
        }
      } finally {
        if (paused) nats.resume();
        await Promise.all(nodes.map((node) => node.stop()));
        await nats.stop();
      }
    },
  });
}
