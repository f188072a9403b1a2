// Codec throughput on a typical ~100-byte chat frame: `deno bench scripts/bench_codec.ts`.

import { createFrame, encodeFrame, parseFrame, serializeFrame } from "../mod.ts";

const text =
  "LHTTP/1.0 chat\r\npublish:room\r\nfrom:alice\r\ntime:2026-11-25T20:00:00Z\r\n\r\nhello room, how is everyone today?";
const bytes = new TextEncoder().encode(text);
const frame = parseFrame(text);
const built = createFrame({
  command: "chat",
  headers: { publish: "room", from: "alice", time: "2026-11-25T20:00:00Z" },
  body: "hello room, how is everyone today?",
});

Deno.bench({ name: `parse text frame (${bytes.length} B)`, group: "parse", baseline: true }, () => {
  parseFrame(text);
});
Deno.bench({ name: `parse binary frame (${bytes.length} B)`, group: "parse" }, () => {
  parseFrame(bytes);
});
Deno.bench({ name: "serialize to string", group: "serialize", baseline: true }, () => {
  serializeFrame(frame);
});
Deno.bench({ name: "serialize to bytes", group: "serialize" }, () => {
  encodeFrame(built);
});
