// Runs on Deno, Bun or Node: an LhttpClient whose WebSocket always fails
// before it opens (as behind a proxy that blocks upgrades) falls back to SSE,
// subscribes, publishes to itself and gets its frame, a binary one too; prints
// one JSON line and exits 0.

import process from "node:process";
import { LhttpClient } from "../../src/client/mod.ts";

class BlockedWebSocket {
  readyState = 0;
  binaryType = "";
  onopen = null;
  onmessage = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  constructor() {
    setTimeout(() => {
      this.readyState = 3;
      this.onerror?.({});
      this.onclose?.({ code: 1006, reason: "" });
    }, 1);
  }
  send() {
    throw new Error("not open");
  }
  close() {}
}

const url = process.argv[2];
const client = new LhttpClient(url, {
  WebSocket: BlockedWebSocket,
  fallback: { after: 2 },
  reconnect: { initialDelay: 5, maxDelay: 20 },
});
const attempts: string[] = [];
client.on("reconnecting", () => attempts.push("retry"));
const got: string[] = [];
const done = new Promise<void>((resolve) => {
  client.on("frame", (frame) => {
    if (frame.headers.get("publish") !== "room") return;
    got.push(typeof frame.body === "string" ? frame.body : `bytes:${[...frame.body].join(",")}`);
    if (got.length === 2) resolve();
  });
});
await client.subscribe("room").ready;
await client.publish("room", "over sse\r\nwith a line");
await client.publish("room", new Uint8Array([0, 1, 255]));
await done;
console.log(JSON.stringify({ got, retries: attempts.length, state: client.state }));
await client.close();
process.exit(0);
