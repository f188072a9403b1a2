// Cluster fan-out benchmark (not a test): deliveries/s with subscribers on one
// lhttp node, then with the same subscribers spread over 3 nodes joined by a
// real nats-server, one publisher on the first node, in the same run.
//
//   deno run -A scripts/bench_cluster.ts [--subscribers 300] [--frames 1000] [--body 64]
//
// Nodes are `lhttp serve` child processes (Deno); subscriber sockets live in
// worker threads, one per node; the publisher waits for an ack every 100 frames.

import { parseArgs } from "node:util";
import { type CliNode, startCliNode } from "../tests/harness/cli_node.ts";
import { NATS_SERVER_BIN, startNatsServer } from "../tests/harness/nats_server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    subscribers: { type: "string", default: "300" },
    frames: { type: "string", default: "1000" },
    body: { type: "string", default: "64" },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const FRAMES = Number(values.frames);
const BODY = "x".repeat(Number(values.body));
const WORKERS = 3;

if (!NATS_SERVER_BIN) {
  console.log("bench_cluster: nats-server not installed; skipped");
  Deno.exit(0);
}

interface Row {
  setup: string;
  nodes: number;
  seconds: number;
}

async function run(setup: string, nodes: CliNode[]): Promise<Row> {
  const workers = Array.from(
    { length: WORKERS },
    () => new Worker(new URL("./_bench_cluster_worker.ts", import.meta.url), { type: "module" }),
  );
  try {
    const ready: Promise<void>[] = [];
    const finished = workers.map((worker, i) => {
      const share = Math.floor(SUBSCRIBERS / WORKERS) + (i < SUBSCRIBERS % WORKERS ? 1 : 0);
      const url = nodes[i % nodes.length].url.replace("http", "ws") + "/";
      worker.postMessage({ url, sockets: share, channel: "bench", expect: FRAMES });
      let isReady!: () => void;
      ready.push(new Promise((resolve) => isReady = resolve));
      return new Promise<void>((resolve, reject) => {
        worker.onmessage = (event) => {
          if (event.data === "ready") isReady();
          else if (event.data.error) reject(new Error(event.data.error));
          else if (event.data.done) resolve();
        };
      });
    });
    await Promise.race([Promise.all(ready), Promise.all(finished)]);
    await settle(nodes);
    const started = performance.now();
    await publish(nodes[0].url, FRAMES);
    await Promise.all(finished);
    return { setup, nodes: nodes.length, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const worker of workers) worker.terminate();
  }
}

// Every node must hold its NATS subscription before the clock starts.
async function settle(nodes: CliNode[]): Promise<void> {
  for (const node of nodes) {
    for (;;) {
      const health = await (await fetch(`${node.url}/healthz`)).json();
      if (health.channels === 1 && ["local", "connected"].includes(health.bus)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 200)); // NATS interest propagation
}

async function publish(url: string, frames: number): Promise<void> {
  const socket = new WebSocket(url.replace("http", "ws") + "/");
  await new Promise((resolve) => socket.onopen = resolve);
  let acked: () => void = () => {};
  socket.onmessage = () => acked();
  for (let i = 1; i <= frames; i++) {
    const ack = i % 100 === 0 || i === frames ? "ack:p\r\n" : "";
    socket.send(`LHTTP/1.0 bench\r\npublish:bench\r\n${ack}\r\n${BODY}`);
    if (ack) await new Promise<void>((resolve) => acked = resolve);
  }
  socket.close();
  await new Promise((resolve) => socket.onclose = resolve);
}

const nats = await startNatsServer();
const rows: Row[] = [];
try {
  const single = [await startCliNode("deno", [])];
  try {
    rows.push(await run("single node", single));
  } finally {
    await Promise.all(single.map((node) => node.stop()));
  }
  const cluster = await Promise.all(
    [0, 1, 2].map(() => startCliNode("deno", ["--nats", nats.url, "--nats-prefix", "bench"])),
  );
  try {
    rows.push(await run("3 nodes + NATS", cluster));
  } finally {
    await Promise.all(cluster.map((node) => node.stop()));
  }
} finally {
  await nats.stop();
}

const deliveries = SUBSCRIBERS * FRAMES;
console.log(
  `\n${SUBSCRIBERS} subscribers, ${FRAMES} frames of ${BODY.length} B body, one publisher on node 1, ${navigator.hardwareConcurrency} cores\n`,
);
console.log("| setup | lhttp nodes | deliveries | seconds | deliveries/s | vs single |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) {
  const rate = deliveries / row.seconds;
  const ratio = rate / (deliveries / rows[0].seconds);
  console.log(
    `| ${row.setup} | ${row.nodes} | ${deliveries} | ${row.seconds.toFixed(2)} | ${
      Math.round(rate)
    } | ${ratio.toFixed(2)}x |`,
  );
}
