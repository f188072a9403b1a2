/**
 * Fan-out in local workerd: deliveries per second of lhttp's Durable Object
 * against a minimal hand-written object that loops over
 * `getWebSockets("room")`, in one run (tests/edge/_bench_worker.ts). N
 * subscribers in one room, one publisher sends M frames; a round ends when
 * every subscriber has every frame. Rounds alternate between the objects;
 * the median of each is reported, and the ratio lhttp / raw (goal ≥ 0.8).
 *
 *   deno run -A scripts/bench_workers.ts [--subscribers 100] [--frames 1000] [--rounds 5]
 *
 * `lhttp` is the object with the bus between objects (each publication also
 * goes to the channel's directory object), `solo` the same object without a
 * bus. Needs workerd (see .ci/run).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startWorkerd } from "../tests/harness/workerd.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    subscribers: { type: "string", default: "100" },
    frames: { type: "string", default: "1000" },
    rounds: { type: "string", default: "5" },
    bytes: { type: "string", default: "64" },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const FRAMES = Number(values.frames);
const ROUNDS = Number(values.rounds);
const BODY = "x".repeat(Number(values.bytes));

type Kind = "raw" | "lhttp" | "solo";

async function open(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`cannot open ${url}`));
  });
  return socket;
}

/** One round: returns deliveries per second. */
async function round(base: string, kind: Kind): Promise<number> {
  const url = `${base}/${kind}/`;
  const subscribers = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => open(url)));
  const publisher = await open(`${url}pub`);
  if (kind !== "raw") {
    // Subscribe everyone and wait for the acks.
    await Promise.all(subscribers.map((socket) =>
      new Promise<void>((resolve) => {
        socket.onmessage = () => resolve();
        socket.send("LHTTP/1.0 sub\r\nsubscribe:room\r\nack:s\r\n\r\n");
      })
    ));
  }
  let remaining = SUBSCRIBERS * FRAMES;
  const done = new Promise<void>((resolve) => {
    for (const socket of subscribers) {
      socket.onmessage = () => {
        if (--remaining === 0) resolve();
      };
    }
  });
  // The raw object forwards the frame as is; lhttp delivers the same bytes.
  const frame = `LHTTP/1.0 chat\r\npublish:room\r\n\r\n${BODY}`;
  const start = performance.now();
  for (let i = 0; i < FRAMES; i++) publisher.send(frame);
  await done;
  const seconds = (performance.now() - start) / 1000;
  for (const socket of [...subscribers, publisher]) socket.close();
  await new Promise((resolve) => setTimeout(resolve, 200));
  return (SUBSCRIBERS * FRAMES) / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const worker = await startWorkerd("tests/edge/_bench_worker.ts", {
  objects: { RAW: "RawObject", LHTTP: "LhttpObject", SOLO: "SoloObject" },
});
try {
  const results: Record<Kind, number[]> = { raw: [], lhttp: [], solo: [] };
  await round(worker.url.replace(/^http/, "ws"), "raw"); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    for (const kind of ["raw", "lhttp", "solo"] as const) {
      results[kind].push(await round(worker.url.replace(/^http/, "ws"), kind));
    }
  }
  const raw = median(results.raw);
  console.log(
    `fan-out in local workerd: ${SUBSCRIBERS} subscribers × ${FRAMES} frames of ${BODY.length} B, median of ${ROUNDS}`,
  );
  for (const kind of ["raw", "lhttp", "solo"] as const) {
    const rate = median(results[kind]);
    console.log(
      `${kind.padEnd(6)} ${Math.round(rate).toLocaleString("en").padStart(10)} deliveries/s  ${
        (rate / raw).toFixed(2)
      }× raw`,
    );
  }
} finally {
  await worker.stop();
}
