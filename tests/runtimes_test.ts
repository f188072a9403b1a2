// Runtime-specific behaviour beside the conformance suite: clean shutdown on
// every runtime, slow consumers under Bun's and Node's backpressure, and the
// close codes `ws` and Bun enforce on the wire before a message is read.

import assert from "node:assert/strict";
import {
  rawUpgrade,
  readCloseCode,
  readFrames,
  sendRawFrame,
  TestSocket,
} from "./harness/ws_client.ts";
import { type Runtime, RUNTIMES, startChild } from "./harness/runtimes.ts";

const FIXTURE = "tests/fixtures/serve_fixture.ts";
const byName = (name: string) => RUNTIMES.find((runtime) => runtime.name === name)!;
const encode = (text: string) => new TextEncoder().encode(text);

for (const runtime of RUNTIMES) {
  Deno.test(`${runtime.name}: SIGTERM closes clients with 1001 and exits 0`, async () => {
    const child = await startChild(runtime, FIXTURE);
    const socket = await TestSocket.open(`ws://127.0.0.1:${child.port}/`);
    try {
      await socket.request("LHTTP/1.0 chat\r\nsubscribe:room\r\n\r\n");
      const code = child.stop();
      assert.equal((await socket.closed).code, 1001);
      assert.equal(await code, 0, child.output());
      assert.match(child.output(), /^STOPPED$/m);
    } finally {
      await socket.close();
      await child.stop("SIGKILL");
    }
  });
}

const FLOOD_FRAMES = 2000; // × 16 KiB = 32 MiB: far past socket buffers plus the 64 KiB cap

/**
 * Floods a subscriber that reads nothing until the flood is over, then reads
 * what reached it: data frames, and the close code (0 if still open at the end marker).
 */
async function floodSlowReader(
  runtime: Runtime,
  policy: "close" | "drop",
): Promise<{ frames: number; closeCode: number }> {
  const child = await startChild(runtime, FIXTURE, [
    "--max-buffered-bytes",
    "65536",
    "--slow-consumer",
    policy,
    // Isolates the adapters' send-status handling from publisher pacing
    // (src/pacing.ts, tested in flood_test.ts), which would slow the flood.
    "--no-pacing",
  ]);
  const url = `ws://127.0.0.1:${child.port}/`;
  const slow = await rawUpgrade(url);
  const publisher = await TestSocket.open(url);
  try {
    await sendRawFrame(slow.conn, 1, encode("LHTTP/1.0 s\r\nsubscribe:flood\r\n\r\n"));
    await waitFor(async () => (await health(child.port)).channels === 1);
    const chunk = "x".repeat(16 * 1024);
    // In batches, the last frame of each acknowledged: bounded memory on both ends.
    for (let i = 1; i <= FLOOD_FRAMES; i++) {
      const frame = `LHTTP/1.0 f\r\npublish:flood\r\n\r\n${chunk}`;
      if (i % 100 !== 0) publisher.send(frame);
      else assert.equal((await publisher.request(frame)).headers.status, "200");
    }
    // Read now; a backlog may still drop an end marker, so repeat it (bounded).
    const end = encode("END");
    let done = false;
    const read = readFrames(
      slow.conn,
      (payload) =>
        payload.length >= 3 && end.every((b, i) => payload[payload.length - 3 + i] === b),
    ).finally(() => done = true);
    for (let i = 0; i < 200 && !done; i++) {
      await publisher.request("LHTTP/1.0 f\r\npublish:flood\r\n\r\nEND");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return await read;
  } finally {
    slow.conn.close();
    await publisher.close();
    await child.stop();
  }
}

async function health(port: number): Promise<{ connections: number; channels: number }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return await response.json();
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("condition never held");
}

for (const name of ["bun", "node20"]) {
  Deno.test(`${name}: a subscriber past its buffer cap is closed with 4008`, async () => {
    const { frames, closeCode } = await floodSlowReader(byName(name), "close");
    assert.equal(closeCode, 4008);
    assert.ok(frames < FLOOD_FRAMES, `${frames} frames reached the slow reader`);
  });
  Deno.test(`${name}: with the drop policy a slow subscriber stays open and misses frames`, async () => {
    const { frames, closeCode } = await floodSlowReader(byName(name), "drop");
    assert.equal(closeCode, 0, "reached the end marker without a close");
    assert.ok(frames < FLOOD_FRAMES, `${frames} frames reached the slow reader (some dropped)`);
  });
}

for (const name of ["bun", "node20", "node24"]) {
  Deno.test(`${name}: the WebSocket layer refuses before reading (1009 on a declared size, 1002)`, async () => {
    const child = await startChild(byName(name), FIXTURE);
    const url = `ws://127.0.0.1:${child.port}/`;
    try {
      // A header announcing 2 MiB, and no payload: closed from the header alone.
      const big = await rawUpgrade(url);
      const header = new Uint8Array([0x81, 0xff, 0, 0, 0, 0, 0, 0x20, 0, 0, 1, 2, 3, 4]);
      await big.conn.write(header);
      assert.equal(await readCloseCode(big.conn), 1009);
      big.conn.close();
      // A reserved opcode is a protocol error.
      const reserved = await rawUpgrade(url);
      await sendRawFrame(reserved.conn, 3, encode("x"));
      assert.equal(await readCloseCode(reserved.conn), 1002);
      reserved.conn.close();
    } finally {
      await child.stop();
    }
  });
}
