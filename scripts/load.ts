/**
 * Load figures per runtime (loopback only, bounded in count and time; not part
 * of the unit suite):
 *
 * 1. `--connections` (10 000) WebSockets held with a subscription each, from
 *    `--holders` client processes;
 * 2. while they are held, a flood: `--subscribers` (200) subscribers of one
 *    channel, one of them a raw TCP client that never reads, and a publisher
 *    sending `--frames` (20 000) frames of about 130 bytes.
 *
 * Reports deliveries/s, server RSS (idle with the held connections, and peak),
 * slow-consumer closes and drops from `/metrics`, pacing waits, and whether
 * every fast subscriber got every frame. Each connection needs a descriptor on
 * both sides: `ulimit -n` must exceed `connections / holders` (clients) and
 * `connections` (server) plus a few hundred.
 *
 * ```sh
 * deno task load                                  # deno, bun and node
 * deno task load --runtime deno --publisher blind # all frames at once, no acks awaited
 * deno task load --runtime deno --no-pacing       # the raw send loop, for comparison
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { RUNTIMES } from "../tests/harness/runtimes.ts";
import { metrics } from "../tests/harness/serve_child.ts";
import { flood, type FloodResult } from "./_load_flood.ts";
import { type Proc, rss, spawnProc } from "./_load_proc.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runtime: { type: "string", default: "deno,bun,node" },
    connections: { type: "string", default: "10000" },
    holders: { type: "string", default: "2" },
    subscribers: { type: "string", default: "200" },
    frames: { type: "string", default: "20000" },
    "slow-consumer": { type: "string", default: "close" },
    "no-pacing": { type: "boolean", default: false },
    publisher: { type: "string", default: "window" },
    timeout: { type: "string", default: "120" },
  },
});
const connections = Number(values.connections);
const holders = Number(values.holders);
const timeoutMs = Number(values.timeout) * 1000;

interface Row extends Partial<FloodResult> {
  runtime: string;
  held: number;
  idleRssMb: number;
  peakRssMb: number;
  metrics: Map<string, number>;
  error?: string;
}

async function run(runtimeName: string): Promise<Row> {
  const runtime = RUNTIMES.find((r) =>
    r.name === (runtimeName === "node" ? "node20" : runtimeName)
  );
  if (!runtime) throw new Error(`unknown runtime ${runtimeName}`);
  const args = ["--slow-consumer", values["slow-consumer"]!];
  if (values["no-pacing"]) args.push("--no-pacing");
  const server = await spawnProc(
    await runtime.command("scripts/_load_server.ts"),
    args,
    /^PORT (\d+)$/m,
  );
  const url = `http://127.0.0.1:${server.match[1]}`;
  const row: Row = {
    runtime: runtimeName,
    held: 0,
    idleRssMb: 0,
    peakRssMb: 0,
    metrics: new Map(),
  };
  const holding: Proc[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    const per = Math.ceil(connections / holders);
    const hold = ["run", "-A", "scripts/_load_hold.ts", url.replace("http", "ws") + "/"];
    for (let i = 0; i < holders; i++) {
      holding.push(
        await spawnProc([Deno.execPath(), ...hold], [String(per)], /^HELD (\d+)/m, true),
      );
    }
    row.held = (await metrics(url)).get("lhttp_connections") ?? 0;
    row.idleRssMb = rss(server.pid, "VmRSS");
    const result = await flood(
      url.replace("http", "ws") + "/",
      Number(values.subscribers),
      Number(values.frames),
      deadline,
      async () =>
        ((await metrics(url)).get('lhttp_pacing_waits_total{outcome="lagging"}') ?? 0) > 0,
      async () => {
        row.metrics = await metrics(url);
      },
      values.publisher === "blind",
    );
    Object.assign(row, result);
    row.peakRssMb = rss(server.pid, "VmHWM");
  } catch (error) {
    row.error = String(error);
    row.peakRssMb = rss(server.pid, "VmHWM");
  } finally {
    await Promise.all(holding.map((proc) => proc.stop()));
    await server.stop();
  }
  return row;
}

const rows: Row[] = [];
for (const name of values.runtime.split(",")) {
  console.error(`# ${name}: ${connections} connections, then the flood…`);
  const row = await run(name);
  rows.push(row);
  console.error(JSON.stringify({ ...row, metrics: Object.fromEntries(row.metrics) }));
}

const label = (m: Map<string, number>, prefix: string) =>
  [...m].filter(([k]) => k.startsWith(prefix)).map(([k, v]) =>
    `${k.slice(prefix.length).replace(/"}$/, "")}=${v}`
  ).join(" ") || "0";
console.log(
  `| runtime | held | RSS idle (MB) | peak RSS (MB) | flood (s) | deliveries/s | fast complete | slow-consumer closes | drops | pacing waits |`,
);
console.log(`|---|---|---|---|---|---|---|---|---|---|`);
for (const r of rows) {
  const sub = Number(values.subscribers) - 1;
  console.log(
    `| ${r.runtime}${values["no-pacing"] ? " (no pacing)" : ""}${
      values.publisher === "blind" ? " blind" : ""
    } | ${r.held} | ${r.idleRssMb} | ${r.peakRssMb} | ${r.seconds ?? "-"}${
      r.timedOut ? " (timeout)" : ""
    } | ${r.deliveriesPerSecond ?? "-"} | ${r.complete ?? 0}/${sub}${
      r.publisherClosed ? ", publisher closed" : ""
    } | ${r.metrics.get('lhttp_closes_total{reason="slow consumer"}') ?? 0} | ${
      label(r.metrics, 'lhttp_drops_total{reason="')
    } | ${label(r.metrics, 'lhttp_pacing_waits_total{outcome="')} |${r.error ? " " + r.error : ""}`,
  );
}
