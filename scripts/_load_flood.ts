// The flood phase of `scripts/load.ts`: `subscribers - 1` fast WebSocket
// subscribers and one raw TCP subscriber that never reads, then one publisher
// sending `frames` frames with a window of acknowledgements (at most WINDOW
// unacknowledged), as a well-behaved publisher does, or `blind`ly, all at once.

import { rawUpgrade, sendRawFrame } from "../tests/harness/ws_client.ts";

/** What the flood measured. */
export interface FloodResult {
  /** Fast subscribers that got every frame, of `subscribers - 1`. */
  complete: number;
  /** Fast subscribers closed by the server during the flood. */
  fastClosed: number;
  /** Frames delivered to fast subscribers per second, from first send to last delivery. */
  deliveriesPerSecond: number;
  /** Seconds from first send to the last fast delivery (or the deadline). */
  seconds: number;
  /** Size of one delivered frame, bytes. */
  frameBytes: number;
  /** Whether the publisher was closed (it should not be). */
  publisherClosed: boolean;
  /** Whether everything finished before the deadline. */
  timedOut: boolean;
}

const WINDOW = 500; // under the server's maxQueuedFrames (1024)
const ACK_EVERY = 50;

/** Runs the flood against `ws` (ws://host:port/); gives up at `deadline` (ms since epoch). */
export async function flood(
  ws: string,
  subscribers: number,
  frames: number,
  deadline: number,
  lagging: () => Promise<boolean>,
  beforeClose: () => Promise<void>,
  blind = false,
): Promise<FloodResult> {
  const counts = new Array<number>(subscribers - 1).fill(0);
  let fastClosed = 0;
  let frameBytes = 0;
  let lastDelivery = 0;
  const sockets: WebSocket[] = [];
  await Promise.all(counts.map((_, i) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(ws);
      sockets.push(socket);
      socket.onopen = () => socket.send("LHTTP/1.0 sub\r\nsubscribe:flood\r\nack:s\r\n\r\n");
      socket.onerror = () => reject(new Error("a fast subscriber failed to connect"));
      socket.onmessage = () => {
        // The first message is the subscribe ack; then count published frames only.
        socket.onmessage = (event) => {
          if (counts[i]++ === 0 && i === 0) frameBytes = (event.data as string).length;
          lastDelivery = performance.now();
        };
        resolve();
      };
      socket.onclose = () => void (counts[i] < frames && fastClosed++);
    })
  ));
  const slow = await rawUpgrade(ws);
  const subscribe = "LHTTP/1.0 sub\r\nsubscribe:flood slow-only\r\n\r\n";
  await sendRawFrame(slow.conn, 1, new TextEncoder().encode(subscribe));
  // The slow subscriber never reads again: its server-side buffer grows.

  const publisher = new WebSocket(ws);
  let acked = -1;
  let publisherClosed = false;
  let wake = () => {};
  publisher.onmessage = (event) => {
    const match = /\r\nack:(\d+)\r\n/.exec(event.data as string);
    if (match) acked = Math.max(acked, Number(match[1]));
    wake();
  };
  publisher.onclose = () => {
    publisherClosed = true;
    wake();
  };
  await new Promise((resolve) => publisher.onopen = resolve);
  await new Promise((resolve) => setTimeout(resolve, 200)); // the slow subscribe lands
  // Loopback kernels absorb 2.5-4 MB per socket, more than the flood sends
  // one subscriber; fill the slow one's socket first, on its own channel,
  // until the server sees its buffer grow (a pacing wait ends "lagging").
  const big = "y".repeat(16_000);
  for (let i = 0; i < 1000 && !await lagging() && Date.now() < deadline; i++) {
    const answered = new Promise<void>((resolve) => wake = resolve);
    publisher.send(`LHTTP/1.0 fill\r\npublish:slow-only\r\nack:fill\r\n\r\n${big}`);
    await answered;
  }

  const pad = "x".repeat(88); // a delivered frame of 130 bytes
  const start = performance.now();
  let timedOut = false;
  for (let seq = 0; seq < frames && !publisherClosed; seq++) {
    while (!blind && seq - acked > WINDOW && !publisherClosed) {
      if (Date.now() > deadline) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    if (Date.now() > deadline) {
      timedOut = true;
      break;
    }
    const ack = seq % ACK_EVERY === ACK_EVERY - 1 || seq === frames - 1 ? `\r\nack:${seq}` : "";
    publisher.send(
      `LHTTP/1.0 flood\r\npublish:flood${ack}\r\n\r\n${String(seq).padStart(8, "0")}${pad}`,
    );
  }
  const done = () =>
    counts.every((count) => count >= frames) || fastClosed > 0 ||
    (publisherClosed && performance.now() - lastDelivery > 2000);
  while (!done() && !timedOut) {
    if (Date.now() > deadline) timedOut = true;
    else await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = ((lastDelivery || performance.now()) - start) / 1000;
  const delivered = counts.reduce((sum, count) => sum + count, 0);
  const complete = counts.filter((count) => count === frames).length;
  await beforeClose();
  for (const socket of [...sockets, publisher]) socket.close();
  slow.conn.close();
  return {
    complete,
    fastClosed,
    deliveriesPerSecond: Math.round(delivered / seconds),
    seconds: Math.round(seconds * 100) / 100,
    frameBytes,
    publisherClosed,
    timedOut,
  };
}
