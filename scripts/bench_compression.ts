// permessage-deflate on JSON chat traffic: one run per runtime with
// compression off and on, 200 `ws` subscribers (which offer the extension),
// one publisher. Prints bytes on the wire per delivery (TCP bytes the
// subscribers read) and server CPU per delivery (utime + stime of the server
// process from /proc, Linux). Not a test.
//
//   deno run -A scripts/bench_compression.ts [--runtimes node20,bun,deno]
//     [--subscribers 200] [--frames 1000] [--recent 10] [--rounds 3]
//
// `--recent` is how many earlier messages each chat event carries (0: a lone
// ~350-byte message; 10: a ~1.4 KB room update). The server keeps no
// compression context, so each message is deflated on its own, once.

import { parseArgs } from "node:util";
// @ts-types="@types/ws"
import WebSocket from "ws";
import { RUNTIMES, startChild } from "../tests/harness/runtimes.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runtimes: { type: "string", default: "node20,bun,deno" },
    subscribers: { type: "string", default: "200" },
    frames: { type: "string", default: "1000" },
    recent: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const FRAMES = Number(values.frames);
const RECENT = Number(values.recent);
const ROUNDS = Number(values.rounds);
const BATCH = 20;
const TICK_US = 1e6 / 100; // USER_HZ

function chat(i: number): string {
  return JSON.stringify({
    type: "message",
    room: "general",
    user: {
      id: `user-${i % 17}`,
      name: `User number ${i % 17}`,
      avatar: "https://example.com/a.png",
    },
    text: `Message ${i}: the quick brown fox jumps over the lazy dog, again and again.`,
    sentAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    reactions: [{ emoji: "thumbsup", count: i % 5 }, { emoji: "heart", count: i % 3 }],
    recent: Array.from({ length: RECENT }, (_, k) => ({
      id: `m-${i - k}`,
      user: `user-${(i + k) % 17}`,
      text: `earlier message ${i - k} in the room`,
      sentAt: new Date(1_700_000_000_000 + (i - k) * 1000).toISOString(),
    })),
  });
}

function cpuTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime, stime
}

function open(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: true });
  return new Promise((resolve, reject) => {
    ws.on("open", () => resolve(ws));
    ws.on("error", reject);
  });
}

async function run(port: number, pid: number) {
  const subscribers = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => open(port)));
  let received = 0;
  let wake = () => {};
  for (const ws of subscribers) {
    ws.on("message", () => {
      received++;
      wake();
    });
  }
  const until = (count: number) =>
    new Promise<void>((resolve) => {
      wake = () => received >= count && resolve();
      wake();
    });
  for (const ws of subscribers) ws.send("LHTTP/1.0 s\r\nsubscribe:room\r\nack:1\r\n\r\n");
  await until(SUBSCRIBERS);
  const publisher = await open(port);
  const frames = Array.from(
    { length: FRAMES },
    (_, i) => `LHTTP/1.0 chat\r\npublish:room\r\n\r\n${chat(i)}`,
  );
  const socketBytes = () =>
    subscribers.reduce(
      (sum, ws) => sum + (ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead,
      0,
    );
  const bytesBefore = socketBytes();
  const cpuBefore = cpuTicks(pid);
  received = 0;
  for (let i = 0; i < FRAMES; i += BATCH) {
    // Uncompressed, so that the server reads a batch in one go in both modes.
    for (const frame of frames.slice(i, i + BATCH)) publisher.send(frame, { compress: false });
    await until(Math.min(i + BATCH, FRAMES) * SUBSCRIBERS);
  }
  const cpu = (cpuTicks(pid) - cpuBefore) * TICK_US;
  const bytes = socketBytes() - bytesBefore;
  const deliveries = FRAMES * SUBSCRIBERS;
  for (const ws of [...subscribers, publisher]) ws.terminate();
  return {
    bytesPerDelivery: bytes / deliveries,
    cpuUsPerDelivery: cpu / deliveries,
    frameBytes: frames[1].length,
  };
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(
  `${SUBSCRIBERS} subscribers × ${FRAMES} frames, recent=${RECENT}, median of ${ROUNDS} rounds`,
);
console.log("runtime  | frame B | off B/del | on B/del | bytes ÷ | off µs/del | on µs/del | CPU ×");
for (const name of values.runtimes.split(",")) {
  const runtime = RUNTIMES.find((candidate) => candidate.name === name)!;
  const results: Record<string, { bytes: number[]; cpu: number[] }> = {
    off: { bytes: [], cpu: [] },
    on: { bytes: [], cpu: [] },
  };
  let frameBytes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ["off", "on"]) {
      const child = await startChild(
        runtime,
        "tests/compression/_server.ts",
        mode === "off" ? ["--off"] : [],
      );
      try {
        const result = await run(child.port, child.pid);
        results[mode].bytes.push(result.bytesPerDelivery);
        results[mode].cpu.push(result.cpuUsPerDelivery);
        frameBytes = result.frameBytes;
      } finally {
        await child.stop();
      }
    }
  }
  const [offB, onB] = [median(results.off.bytes), median(results.on.bytes)];
  const [offC, onC] = [median(results.off.cpu), median(results.on.cpu)];
  console.log(
    [
      name.padEnd(8),
      String(frameBytes).padStart(7),
      offB.toFixed(0).padStart(9),
      onB.toFixed(0).padStart(8),
      (offB / onB).toFixed(2).padStart(7),
      offC.toFixed(2).padStart(10),
      onC.toFixed(2).padStart(9),
      (onC / offC).toFixed(2).padStart(5),
    ].join(" | "),
  );
}
Deno.exit(0);
