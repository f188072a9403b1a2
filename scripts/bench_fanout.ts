// Fan-out benchmark per runtime: lhttp against a minimal raw server in the same
// runtime, measured in the same run (Bun's native publish, Node's ws send loop,
// Deno's send loop), plus memory per idle connection. Not a test: it prints a table.
//
//   deno run -A scripts/bench_fanout.ts [--runtimes deno,bun,node20,node24]
//     [--subscribers 200] [--frames 2000] [--bytes 64] [--idle 1000] [--rounds 3] [--no-pacing]
//
// Servers and the client run as separate processes; the client is Bun when
// available (its WebSocket client outpaces every server here), else Deno.

import { parseArgs } from "node:util";
import { type Child, RUNTIMES, startChild } from "../tests/_runtimes.ts";
import { bundle } from "../tests/_bundle.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runtimes: { type: "string", default: "deno,bun,node20" },
    subscribers: { type: "string", default: "200" },
    frames: { type: "string", default: "2000" },
    bytes: { type: "string", default: "64" },
    idle: { type: "string", default: "1000" },
    rounds: { type: "string", default: "3" },
    // Publisher pacing off in the lhttp server (compare with the default).
    "no-pacing": { type: "boolean", default: false },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const FRAMES = Number(values.frames);
const IDLE = Number(values.idle);
const ROUNDS = Number(values.rounds);
const SERVERS = { lhttp: "scripts/_load_server.ts", raw: "scripts/_fanout_raw.ts" } as const;
type Variant = keyof typeof SERVERS;

async function clientCommand(): Promise<string[]> {
  const bun = RUNTIMES.find((runtime) => runtime.name === "bun")!;
  try {
    return await bun.command("scripts/_fanout_client.ts");
  } catch {
    return [Deno.execPath(), "run", "-A", "scripts/_fanout_client.ts"];
  }
}

async function rss(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+) kB/)![1]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withServer<T>(runtime: string, variant: Variant, body: (c: Child) => Promise<T>) {
  const args = variant === "lhttp" && values["no-pacing"] ? ["--no-pacing"] : [];
  const child = await startChild(RUNTIMES.find((r) => r.name === runtime)!, SERVERS[variant], args);
  try {
    return await body(child);
  } finally {
    await child.stop();
  }
}

async function fanout(client: string[], port: number): Promise<number> {
  const [program, ...lead] = client;
  const args = [...lead, "fanout", `ws://127.0.0.1:${port}/`, values.subscribers, values.frames];
  const { stdout, code } = await new Deno.Command(program, {
    args: [...args, values.bytes],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`client exited with ${code}`);
  const result = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").pop()!);
  if (result.deliveries !== result.expected) {
    console.error(`  incomplete: ${result.deliveries}/${result.expected} deliveries`);
  }
  return result.deliveries / result.seconds;
}

async function idleMemory(client: string[], child: Child): Promise<number> {
  await sleep(500);
  const before = await rss(child.pid);
  const [program, ...lead] = client;
  const holder = new Deno.Command(program, {
    args: [...lead, "idle", `ws://127.0.0.1:${child.port}/`, String(IDLE)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("READY")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("idle client ended early");
    seen += value;
  }
  await sleep(1000);
  const after = await rss(child.pid);
  holder.kill("SIGTERM");
  await reader.cancel();
  await holder.status;
  return (after - before) / IDLE;
}

const client = await clientCommand();
await bundle(SERVERS.lhttp);
await bundle(SERVERS.raw);
const rows: string[] = [];
for (const runtime of values.runtimes.split(",")) {
  const rates: Record<Variant, number[]> = { lhttp: [], raw: [] };
  // Alternate the variants round by round so drift on the machine hits both.
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of ["raw", "lhttp"] as const) {
      const rate = await withServer(runtime, variant, (child) => fanout(client, child.port));
      rates[variant].push(rate);
      console.error(`${runtime} ${variant} round ${round + 1}: ${Math.round(rate)} deliveries/s`);
    }
  }
  const memory: Record<Variant, number> = { lhttp: 0, raw: 0 };
  for (const variant of ["raw", "lhttp"] as const) {
    memory[variant] = await withServer(runtime, variant, (child) => idleMemory(client, child));
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const [lhttp, raw] = [median(rates.lhttp), median(rates.raw)];
  rows.push(
    `| ${runtime} | ${fmt(lhttp)} | ${fmt(raw)} | ${(lhttp / raw).toFixed(2)} | ` +
      `${memory.lhttp.toFixed(1)} | ${memory.raw.toFixed(1)} |`,
  );
}

function fmt(rate: number): string {
  return Math.round(rate).toLocaleString("en-US");
}

console.log(
  `\nFan-out: ${SUBSCRIBERS} subscribers × ${FRAMES} frames (${values.bytes}-byte bodies), ` +
    `median of ${ROUNDS}; idle: ${IDLE} connections, server RSS delta\n`,
);
console.log(
  "| runtime | lhttp deliveries/s | raw deliveries/s | ratio | lhttp KB/conn | raw KB/conn |",
);
console.log("|---|---:|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
