// HTTP publish benchmark per runtime: `POST /publish` answers per second, lhttp
// against the raw reference of the same runtime (scripts/_http_publish_raw.ts),
// measured in the same run, rounds interleaved. Not a test: it prints a table.
//
//   deno run -A scripts/bench_http_publish.ts [--runtimes deno,bun,node20]
//     [--connections 32] [--requests 20000] [--subscribers 10] [--bytes 64] [--rounds 3]
//     [--token T | --no-token] [--warmup 50000]
//
// The load is the C generator (scripts/loadgen/http_post.c): CONNECTIONS
// keep-alive HTTP/1.1 connections, one request outstanding on each, every body
// an LHTTP frame publishing to `bench`, where SUBSCRIBERS WebSocket sockets of
// the same generator count the deliveries. Server on CPU 0, generator on CPU 1;
// the generator's CPU (in cores) is printed beside each rate, and the ratio of
// answers per server CPU-second (steadier than wall clock on a busy machine).
// Each server first takes a --warmup-request warm-up, not counted (10 000 left
// Bun's JIT short of its steady state: 0.79 against 0.84 after 50 000). lhttp
// checks a publish token by default (the raw reference checks nothing).

import { parseArgs } from "node:util";
import { bundle } from "../tests/harness/bundle.ts";
import { cpuSeconds, TASKSET } from "./loadgen/cores.ts";
import { generator, measure } from "./loadgen/generator.ts";
import { median, withServer } from "./loadgen/server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runtimes: { type: "string", default: "deno,bun,node20" },
    connections: { type: "string", default: "32" },
    requests: { type: "string", default: "20000" },
    subscribers: { type: "string", default: "10" },
    bytes: { type: "string", default: "64" },
    rounds: { type: "string", default: "3" },
    // lhttp checks this publish token (as a server open to other hosts must);
    // with --no-token it answers loopback callers only (it asks the peer's address).
    token: { type: "string", default: "bench-token" },
    "no-token": { type: "boolean", default: false },
    warmup: { type: "string", default: "50000" },
  },
});
const SERVERS = { lhttp: "scripts/_load_server.ts", raw: "scripts/_http_publish_raw.ts" } as const;
type Variant = keyof typeof SERVERS;
const ROUNDS = Number(values.rounds);

const gen = await generator("c");
await bundle(SERVERS.lhttp);
await bundle(SERVERS.raw);

interface Sample {
  rate: number;
  cpu: number;
  perCpu: number;
}

const TOKEN = values["no-token"] ? [] : [values.token];

async function round(runtime: string, variant: Variant): Promise<Sample> {
  const load = [values.connections, values.requests, values.subscribers, values.bytes, ...TOKEN];
  const args = variant === "lhttp" && TOKEN.length ? ["--publish-token", values.token] : [];
  return await withServer(runtime, SERVERS[variant], args, async (child) => {
    // A warm-up on the same process first: the JIT, not the server's
    // steady state, would otherwise dominate a run of a fraction of a second.
    const warm = [values.connections, values.warmup, values.subscribers, values.bytes, ...TOKEN];
    await measure(gen, "http", child.port, warm);
    let cpu0 = 0;
    const result = await measure(gen, "http", child.port, load, {
      onStart: async () => void (cpu0 = await cpuSeconds(child.pid)),
    });
    const serverCpu = await cpuSeconds(child.pid) - cpu0;
    if (result.ok !== Number(values.requests) || result.deliveries !== result.expected) {
      console.error(
        `  ${runtime} ${variant}: ${result.ok} ok, ${result.failed} failed, ` +
          `${result.deliveries}/${result.expected} deliveries`,
      );
    }
    return { rate: result.rate, cpu: result.cpu, perCpu: result.ok / serverCpu };
  });
}

const rows: string[] = [];
for (const runtime of values.runtimes.split(",")) {
  const samples: Record<Variant, Sample[]> = { lhttp: [], raw: [] };
  // Alternate the variants round by round so drift on the machine hits both.
  for (let i = 0; i < ROUNDS; i++) {
    for (const variant of ["raw", "lhttp"] as const) {
      const sample = await round(runtime, variant);
      samples[variant].push(sample);
      console.error(
        `${runtime} ${variant} round ${i + 1}: ${Math.round(sample.rate)} req/s, ` +
          `generator ${sample.cpu.toFixed(2)} cores, ${Math.round(sample.perCpu)} per server CPU-s`,
      );
    }
  }
  const rate = (variant: Variant) => median(samples[variant].map((sample) => sample.rate));
  const cpu = (variant: Variant) => median(samples[variant].map((sample) => sample.cpu));
  const perCpu = (variant: Variant) => median(samples[variant].map((sample) => sample.perCpu));
  rows.push(
    `| ${runtime} | ${fmt(rate("lhttp"))} | ${fmt(rate("raw"))} | ` +
      `${(rate("lhttp") / rate("raw")).toFixed(2)} | ` +
      `${(perCpu("lhttp") / perCpu("raw")).toFixed(2)} | ` +
      `${cpu("lhttp").toFixed(2)} / ${cpu("raw").toFixed(2)} |`,
  );
}

function fmt(rate: number): string {
  return Math.round(rate).toLocaleString("en-US");
}

console.log(
  `\nHTTP POST /publish: ${values.requests} requests over ${values.connections} keep-alive ` +
    `connections, each delivered to ${values.subscribers} subscribers (${values.bytes}-byte ` +
    `bodies), median of ${ROUNDS}\n`,
);
console.log(
  "| runtime | lhttp req/s | raw req/s | ratio | ratio per server CPU-s " +
    "| generator cores (lhttp / raw) |",
);
console.log("|---|---:|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
if (!TASKSET) console.log("\n(taskset missing: server and generator were not pinned to cores)");
