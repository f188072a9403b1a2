// Last-Event-ID resumes an SSE stream on a history channel: the event ids
// carry the positions seen, and a stream reopened with the last one gets the
// publications it missed, then `recovered:true`; one from an unknown epoch
// gets nothing replayed and `recovered:false`.

import assert from "node:assert/strict";
import { serveDeno } from "../../src/adapters/deno.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { frameOfEvent, type SseEvent, SseParser } from "../../src/client/sse_parser.ts";

// Reads events (with their ids) until `count` frames arrived.
async function frames(
  response: Response,
  count: number,
): Promise<{ frames: string[]; id: string }> {
  const found: string[] = [];
  let id = "";
  let pending = "";
  const parser = new SseParser((event: SseEvent) => {
    const frame = frameOfEvent(event);
    if (frame !== undefined) found.push(String(frame));
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  while (found.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += value;
    for (const match of pending.matchAll(/^id:(.*)$/gm)) id = match[1];
    pending = pending.slice(pending.lastIndexOf("\n") + 1);
    parser.push(value);
  }
  await reader.cancel();
  return { frames: found, id };
}

Deno.test("sse: Last-Event-ID recovers the publications missed on a history channel", async () => {
  const server = new LhttpServer({ history: [{ prefix: "chat.", size: 100, ttlMs: 60_000 }] });
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
  const url = `http://127.0.0.1:${running.port}/sse?channel=chat.room`;
  try {
    const first = await fetch(url);
    const publish = (body: string) => server.publish("chat.room", { command: "chat", body });
    const reading = frames(first, 3);
    // The stream is subscribed once its response exists.
    for (const body of ["m1", "m2", "m3"]) publish(body);
    const seen = await reading;
    assert.deepEqual(seen.frames.map((frame) => frame.split("\r\n\r\n")[1]), ["m1", "m2", "m3"]);
    assert.match(seen.id, /^chat\.room,3,[A-Za-z0-9_-]+$/);
    while (server.connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));

    for (const body of ["m4", "m5"]) publish(body);
    const again = await frames(await fetch(url, { headers: { "last-event-id": seen.id } }), 3);
    assert.deepEqual(again.frames.slice(0, 2).map((frame) => frame.split("\r\n\r\n")[1]), [
      "m4",
      "m5",
    ]);
    assert.match(
      again.frames[2],
      /^LHTTP\/1\.0 position\r\nposition:chat\.room\r\nrecovered:true\r\n/,
    );
    assert.match(again.id, /^chat\.room,5,/);

    const stale = await frames(await fetch(`${url}&lastEventId=chat.room,1,other`), 1);
    assert.match(
      stale.frames[0],
      /^LHTTP\/1\.0 position\r\nposition:chat\.room\r\nrecovered:false\r\n/,
    );
  } finally {
    await running.shutdown();
  }
});
