// History benchmarks (issue 16), in one run. Not a test: it prints tables.
//
// 1. Fan-out with history off and on: each variant runs in its own process
//    (interleaved rounds) on an in-process server with 200 subscribers (no-op
//    peers, so the server's own cost is measured) fed frames of ~130 B through
//    the whole path (router, pipeline, PubSub, hub, connections):
//      off        no history configured
//      other      history configured for "chat.", publishing on "room" (none)
//      memory     the in-memory engine on the channel (size 2000, one hour)
//      jetstream  the JetStream engine (a local `nats-server -js`): every
//                 publication is stored, then delivered from its RePublish copy;
//                 measured to the last delivery, so its rate is also the rate
//                 of publishes into JetStream
//    Each process makes a warm-up run, then --runs measured ones (a new server
//    each) and reports their median, per wall-clock second and per CPU second
//    of the process (GC threads included; what other work on the machine does
//    not steal). --runs 1 is the first run after warm-up only, where the
//    heap is still growing.
// 2. A recovery storm: N connections subscribe at once, each recovering the
//    channel's last 1000 messages (memory: 1000 connections; JetStream: fewer,
//    one direct get per message on nats-server 2.9).
//
//   deno run -A scripts/bench_history.ts [--subscribers 200] [--frames 2000] [--rounds 5]
//     [--runs 3] [--storm 1000] [--storm-js 100] [--no-jetstream]
//     (--storm 0 / --storm-js 0 skip a storm)

import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { LhttpServer } from "../mod.ts";
import type { HistoryRule } from "../src/history/history.ts";
import type { ClusterHistory } from "../src/history/cluster_history.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    subscribers: { type: "string", default: "200" },
    frames: { type: "string", default: "2000" },
    rounds: { type: "string", default: "5" },
    storm: { type: "string", default: "1000" },
    "storm-js": { type: "string", default: "100" },
    "no-jetstream": { type: "boolean", default: false },
    runs: { type: "string", default: "3" },
    variant: { type: "string" },
    nats: { type: "string" },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const FRAMES = Number(values.frames);
const ROUNDS = Number(values.rounds);
const RULES: HistoryRule[] = [{ prefix: "chat.", size: 2000, ttlMs: 3_600_000 }];
type Variant = "off" | "other" | "memory" | "jetstream";

let delivered = 0;
let wake = () => {};
const peer = { send: () => void (++delivered, wake()), close() {} };
const body = "x".repeat(90);
const frame = (channel: string, i: number) =>
  `LHTTP/1.0 chat\r\npublish:${channel}\r\nnick:ann\r\nid:${i}\r\n\r\n${body}`;

async function jetstream(nats: string, stream: string): Promise<ClusterHistory> {
  const { connectNats } = await import("../src/nats/mod.ts");
  const { JetStreamHistory } = await import("../src/jetstream/mod.ts");
  const connection = await connectNats({ servers: nats });
  return await JetStreamHistory.create({ connection, rules: RULES, stream, subjectPrefix: stream });
}

async function until(count: number): Promise<void> {
  while (delivered < count) await new Promise<void>((resolve) => (wake = resolve));
}

/** Deliveries per second of one run of `variant`: per wall-clock second and per CPU second. */
async function run(variant: Variant, nats?: string): Promise<[number, number]> {
  const channel = variant === "other" ? "room" : "chat.room";
  const history = variant === "off"
    ? undefined
    : variant === "jetstream"
    ? await jetstream(nats!, `bench${crypto.randomUUID().slice(0, 8)}`)
    : RULES;
  const server = new LhttpServer({ pacing: false, history });
  for (let i = 0; i < SUBSCRIBERS; i++) {
    server.receive(server.open(peer), `LHTTP/1.0 chat\r\nsubscribe:${channel}\r\n\r\n`);
  }
  const publisher = server.open(peer);
  const frames = Array.from({ length: FRAMES }, (_, i) => frame(channel, i));
  delivered = 0;
  for (let i = 0; i < 200; i++) server.receive(publisher, frames[i]); // warm up
  await until(200 * SUBSCRIBERS);
  delivered = 0;
  const start = performance.now();
  const cpu = cpuUsage();
  for (const data of frames) server.receive(publisher, data);
  await until(FRAMES * SUBSCRIBERS);
  const seconds = (performance.now() - start) / 1000;
  const used = cpuUsage(cpu);
  if (variant === "jetstream") await (history as ClusterHistory).close();
  // CPU time (this process, GC threads included) is what other work on the
  // machine does not steal; wall-clock time is what a client sees.
  const cpuSeconds = (used.user + used.system) / 1e6;
  return [(FRAMES * SUBSCRIBERS) / seconds, (FRAMES * SUBSCRIBERS) / cpuSeconds];
}

/** Milliseconds until `clients` connections have each recovered 1000 messages. */
async function storm(clients: number, history: HistoryRule[] | ClusterHistory): Promise<number> {
  const server = new LhttpServer({ pacing: false, history, historyRecoveryLimit: 1000 });
  for (let i = 0; i < 1001; i++) server.publish("chat.storm", { command: "chat", body });
  const engine = server.history!;
  // A cluster engine stores asynchronously: wait until all 1001 are there.
  const stored = async () =>
    "kind" in engine ? await engine.last("chat.storm", 1001) : engine.last("chat.storm", 1001);
  let kept = await stored();
  while (kept.length < 1001) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    kept = await stored();
  }
  const top = await engine.top("chat.storm");
  const first = kept[0].offset; // recover the 1000 after the first
  delivered = 0;
  const start = performance.now();
  for (let i = 0; i < clients; i++) {
    server.receive(
      server.open(peer),
      `LHTTP/1.0 subscribe\r\nsubscribe:chat.storm\r\nrecover:chat.storm,${first},${
        top!.epoch
      }\r\n\r\n`,
    );
  }
  await until(clients * 1001); // 1000 replayed + the position frame each
  const ms = performance.now() - start;
  if ("kind" in engine) await engine.close();
  return ms;
}

if (values.variant) {
  // One variant in a fresh process: the JIT sees only its configuration.
  // One warm-up run, then the median of three (a short window alone is mostly noise here).
  const variant = values.variant as Variant;
  await run(variant, values.nats);
  const rates: [number, number][] = [];
  for (let i = 0; i < Number(values.runs); i++) rates.push(await run(variant, values.nats));
  const mid = (k: 0 | 1) =>
    rates.map((rate) => rate[k]).sort((a, b) => a - b)[Math.floor(rates.length / 2)];
  console.log(JSON.stringify([mid(0), mid(1)]));
  Deno.exit(0);
}

async function startNats(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  if (values["no-jetstream"]) return undefined;
  const { NATS_SERVER_BIN } = await import("../tests/harness/nats_server.ts");
  if (!NATS_SERVER_BIN) return undefined;
  const { startJetStream } = await import("../tests/harness/jetstream_nodes.ts");
  return await startJetStream();
}

const nats = await startNats();
const variants: Variant[] = nats
  ? ["off", "other", "memory", "jetstream"]
  : ["off", "other", "memory"];
const results = Object.fromEntries(variants.map((v) => [v, [] as number[][]])) as Record<
  Variant,
  number[][]
>;
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of variants) {
    const args = ["run", "-A", import.meta.filename!, "--variant", variant, ...Deno.args];
    if (nats) args.push("--nats", nats.url);
    const child = await new Deno.Command(Deno.execPath(), { args, stderr: "inherit" }).output();
    results[variant].push(JSON.parse(new TextDecoder().decode(child.stdout)));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const column = (variant: Variant, k: number) => median(results[variant].map((rate) => rate[k]));
const off = column("off", 0);
const offCpu = column("off", 1);
console.log(
  `fan-out, ${SUBSCRIBERS} subscribers × ${FRAMES} frames of ~130 B, in-process, ` +
    `Deno ${Deno.version.deno}, median of ${ROUNDS} interleaved rounds (one process each, ` +
    `its median of 3 runs)`,
);
console.log(
  "| history | deliveries/s | vs off | publishes/s | deliveries/CPU-s | vs off (CPU) |\n" +
    "|---|---|---|---|---|---|",
);
const count = (n: number) => Math.round(n).toLocaleString("en");
for (const variant of variants) {
  const [rate, cpu] = [column(variant, 0), column(variant, 1)];
  console.log(
    `| ${variant} | ${count(rate)} | ${(rate / off).toFixed(2)}× | ${
      count(rate / SUBSCRIBERS)
    } | ` +
      `${count(cpu)} | ${(cpu / offCpu).toFixed(2)}× |`,
  );
}

// --storm 0 skips the storms (fan-out only, a short run).
if (Number(values.storm) > 0) {
  const stormMemory = await storm(Number(values.storm), RULES);
  console.log(
    `\nrecovery storm, 1000 messages each (memory): ${values.storm} connections in ${
      Math.round(stormMemory)
    } ms`,
  );
}
if (nats && Number(values["storm-js"]) > 0) {
  const engine = await jetstream(nats.url, "STORM");
  const ms = await storm(Number(values["storm-js"]), engine);
  console.log(
    `recovery storm, 1000 messages each (JetStream, nats-server 2.9 direct get): ` +
      `${values["storm-js"]} connections in ${Math.round(ms)} ms`,
  );
}
await nats?.stop();
// Measured on a 2-core VM shared with four other busy sessions (±30% between
// runs), --rounds 5 --frames 4000, median of 3 runs per process: off 18.9M
// deliveries/s, other 19.7M (1.04×), memory 18.0M (0.96×; 0.97× per CPU
// second), jetstream 1.2M (0.06×; 6.0k publishes/s into JetStream, each a
// round trip). Other runs of the same command gave memory 0.77-0.96× (wall)
// and 0.78-0.98× (CPU). Storm: 1000 connections × 1000 messages in 68-170 ms
// (memory: frames are decoded from bytes, once per frame between pushes),
// 100 × 1000 in 0.3 s (JetStream, shared direct gets).
Deno.exit(0); // the engines' NATS connections stay open otherwise
