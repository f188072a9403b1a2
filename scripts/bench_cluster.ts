// Cluster fan-out benchmark (not a test): deliveries/s of one lhttp node, of
// one node joined to NATS, and of 2 nodes joined by a real nats-server with the
// subscribers spread over both, in the same run, rounds interleaved.
//
//   deno run -A scripts/bench_cluster.ts [--subscribers 200] [--frames 2000] [--bytes 64]
//     [--rounds 3] [--runtime deno]
//
// Nodes are `lhttp serve` child processes. The load is the C generator
// (scripts/loadgen/): subscribers round robin over the nodes, then one publisher
// on the first node sends every frame at once, as in scripts/bench_fanout.ts.
// All on this machine's 2 cores: node 1 on CPU 0; node 2 and the generator on
// CPU 1; nats-server unpinned. So the cluster line measures what the NATS hop
// costs or gains on the same cores, not a scale-out onto new machines.

import { parseArgs } from "node:util";
import { startServe } from "../tests/harness/serve_child.ts";
import { NATS_SERVER_BIN, startNatsServer } from "../tests/harness/nats_server.ts";
import { pin, TASKSET } from "./loadgen/cores.ts";
import { generator, measure } from "./loadgen/generator.ts";
import { median } from "./loadgen/server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    subscribers: { type: "string", default: "200" },
    frames: { type: "string", default: "2000" },
    bytes: { type: "string", default: "64" },
    rounds: { type: "string", default: "3" },
    runtime: { type: "string", default: "deno" },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const FRAMES = Number(values.frames);
const ROUNDS = Number(values.rounds);

if (!NATS_SERVER_BIN) {
  console.log("bench_cluster: nats-server not installed; skipped");
  Deno.exit(0);
}
const gen = await generator("c").catch(() => undefined);
if (gen === undefined) {
  console.log("bench_cluster: needs a C compiler for the load generator; skipped");
  Deno.exit(0);
}

interface Setup {
  name: string;
  nodes: number;
  nats: boolean;
}
const SETUPS: Setup[] = [
  { name: "1 node", nodes: 1, nats: false },
  { name: "1 node + NATS", nodes: 1, nats: true },
  { name: "2 nodes + NATS", nodes: 2, nats: true },
];

interface Sample {
  rate: number;
  cpu: number;
  complete: boolean;
}

async function round(setup: Setup, natsUrl: string): Promise<Sample> {
  const args = setup.nats
    ? ["--nats", natsUrl, "--nats-prefix", `bench${crypto.randomUUID()}`]
    : [];
  const nodes = await Promise.all(
    Array.from({ length: setup.nodes }, () => startServe(values.runtime, args)),
  );
  try {
    await Promise.all(nodes.map((node, i) => pin(node.pid, i)));
    const ports = nodes.map((node) => new URL(node.url).port).join(",");
    // 300 ms after the last ack before publishing: the second node's
    // subscription must have reached nats-server before the first frame.
    const settle = setup.nodes > 1 ? 300 : 0;
    const result = await measure(gen!, "fanout", 0, [SUBSCRIBERS, FRAMES, values.bytes, settle], {
      target: ports,
    });
    return {
      rate: result.deliveries / result.seconds,
      cpu: result.cpu,
      complete: result.deliveries === result.expected,
    };
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
}

const nats = await startNatsServer();
const samples = new Map<Setup, Sample[]>(SETUPS.map((setup) => [setup, []]));
try {
  for (let i = 0; i < ROUNDS; i++) {
    for (const setup of SETUPS) {
      const sample = await round(setup, nats.url);
      samples.get(setup)!.push(sample);
      console.error(
        `${setup.name} round ${i + 1}: ${Math.round(sample.rate)} deliveries/s, ` +
          `generator ${sample.cpu.toFixed(2)} cores${sample.complete ? "" : " (incomplete)"}`,
      );
    }
  }
} finally {
  await nats.stop();
}

console.log(
  `\nCluster fan-out (${values.runtime}): ${SUBSCRIBERS} subscribers × ${FRAMES} frames ` +
    `(${values.bytes}-byte bodies), publisher on node 1, median of ${ROUNDS}, ` +
    `${navigator.hardwareConcurrency} cores\n`,
);
console.log("| setup | deliveries/s | vs 1 node | generator cores | complete |");
console.log("|---|---:|---:|---:|---|");
const single = median(samples.get(SETUPS[0])!.map((sample) => sample.rate));
for (const setup of SETUPS) {
  const list = samples.get(setup)!;
  const rate = median(list.map((sample) => sample.rate));
  console.log(
    `| ${setup.name} | ${Math.round(rate).toLocaleString("en-US")} | ` +
      `${(rate / single).toFixed(2)} | ${median(list.map((sample) => sample.cpu)).toFixed(2)} | ` +
      `${list.every((sample) => sample.complete) ? "yes" : "no"} |`,
  );
}
if (!TASKSET) console.log("\n(taskset missing: nodes and generator were not pinned to cores)");
