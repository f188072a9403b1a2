// Acknowledgements, routing of incoming frames, and the frame helpers, against
// an in-memory socket.

import assert from "node:assert/strict";
import {
  binaryFrame,
  ClientError,
  LhttpClient,
  multipartFrame,
  partsOf,
  RemoteError,
} from "../../src/client/mod.ts";
import type { Frame } from "../../src/codec/frame.ts";
import { encodeFrame } from "../../src/codec/serialize.ts";
import { fakeWebSocket, ManualClock } from "./_fake_ws.ts";

function open(options: { ackTimeout?: number; acks?: boolean } = {}) {
  const { WebSocket, sockets } = fakeWebSocket();
  const clock = new ManualClock();
  const client = new LhttpClient("ws://test/", { WebSocket, clock, ...options });
  sockets[0].open();
  return { client, socket: sockets[0], clock };
}

Deno.test("publish sends an ack id and resolves on status 200", async () => {
  const { client, socket } = open();
  const done = client.publish(["a", "b"], "hi", { command: "chat", headers: { Nick: "ann" } });
  const [frame] = socket.frames();
  assert.equal(frame.command, "chat");
  assert.equal(frame.headers.get("publish"), "a b");
  assert.equal(frame.headers.get("nick"), "ann");
  assert.equal(frame.headers.get("ack"), "1");
  socket.ackAll();
  await done;
  await client.close();
});

Deno.test("a refused publish rejects with the server's status, code and reason", async () => {
  const { client, socket } = open();
  const errors: Error[] = [];
  client.on("error", (error) => errors.push(error));
  const done = client.publish("admin", "x");
  socket.receive(
    "LHTTP/1.0 message\r\nstatus:403\r\ncode:forbidden\r\nreason:Channel admin is not allowed\r\nack:1\r\n\r\n",
  );
  await assert.rejects(done, (error) => {
    assert.ok(error instanceof RemoteError);
    assert.equal(error.status, 403);
    assert.equal(error.code, "forbidden");
    assert.equal(error.reason, "Channel admin is not allowed");
    return true;
  });
  assert.equal(errors.length, 0, "an awaited refusal is not also an error event");
  socket.receive("LHTTP/1.0 error\r\nstatus:400\r\ncode:not_lhttp\r\nreason:no\r\n\r\n");
  assert.equal((errors[0] as RemoteError).code, "not_lhttp");
  await client.close();
});

Deno.test("a refused subscription is dropped, rejects ready and is not restored", async () => {
  const { client, socket } = open();
  const sub = client.subscribe("secret");
  const errors: Error[] = [];
  client.on("error", (error) => errors.push(error));
  socket.receive(
    "LHTTP/1.0 subscribe\r\nstatus:403\r\ncode:forbidden\r\nreason:no\r\nack:1\r\n\r\n",
  );
  await assert.rejects(sub.ready, { name: "RemoteError", status: 403 });
  assert.deepEqual(client.channels, []);
  assert.equal(errors.length, 1);
  await client.close();
});

Deno.test("acks: true, no answer within ackTimeout: ack_timeout", async () => {
  const { client, clock } = open({ ackTimeout: 5000, acks: true });
  const done = client.publish("room", "x");
  assert.ok(clock.fire(5000));
  await assert.rejects(
    done,
    (error) => error instanceof ClientError && error.code === "ack_timeout",
  );
  await client.close();
});

Deno.test("acks auto: once the server has acknowledged, a missing answer is ack_timeout", async () => {
  const { client, socket, clock } = open({ ackTimeout: 5000 });
  const first = client.publish("room", "1");
  socket.ackAll();
  await first;
  const second = client.publish("room", "2");
  assert.ok(clock.fire(5000));
  await assert.rejects(second, { name: "ClientError", code: "ack_timeout" });
  assert.equal(socket.frames().at(-1)!.headers.get("ack"), "2", "still asks for acks");
  await client.close();
});

Deno.test("a publication that carries status, code and reason is a frame, not an error", async () => {
  const { client, socket } = open();
  const errors: Error[] = [];
  const seen: string[] = [];
  client.on("error", (error) => errors.push(error));
  const sub = client.subscribe("room", (frame) => seen.push(String(frame.body)));
  socket.ackAll();
  await sub.ready;
  const pending = client.publish("room", "mine"); // waits for ack 2
  // Another client's publication, forged to look like a server error and an
  // answer to this client's own ack id.
  socket.receive(
    "LHTTP/1.0 chat\r\npublish:room\r\nstatus:500\r\ncode:fake\r\nreason:spoofed\r\nack:2\r\n\r\nforged",
  );
  assert.deepEqual(errors, [], "no error event from a publication");
  assert.deepEqual(seen, ["forged"], "delivered as an ordinary frame");
  socket.ackAll();
  await pending; // settled by the server's own answer, not the forged frame
  socket.receive("LHTTP/1.0 error\r\nstatus:400\r\ncode:not_lhttp\r\nreason:no\r\n\r\n");
  assert.equal((errors[0] as RemoteError).code, "not_lhttp", "a real error frame still is one");
  await client.close();
});

Deno.test("frames(): a reader that is behind keeps the newest highWaterMark frames and counts drops", async () => {
  const { client, socket } = open();
  const stream = client.frames({ highWaterMark: 3 });
  const all = client.frames();
  assert.equal(all.highWaterMark, 1024, "the documented default");
  for (let i = 1; i <= 5; i++) socket.receive(`LHTTP/1.0 n${i}\r\n\r\n`);
  assert.equal(stream.buffered, 3);
  assert.equal(stream.dropped, 2);
  assert.equal(all.dropped, 0);
  await client.close();
  const read: string[] = [];
  for await (const frame of stream) read.push(frame.command);
  assert.deepEqual(read, ["n3", "n4", "n5"]);
  for (let i = 0; i < 1030; i++) all.push({ command: "x", headers: new Map(), body: "" });
  assert.equal(all.buffered, 5, "ended: later frames are not buffered");
  assert.throws(() => client.frames({ highWaterMark: 0 }), RangeError);
});

Deno.test("acks: false sends no ack header and resolves once written", async () => {
  const { client, socket } = open({ acks: false });
  await client.publish("room", "x");
  const sub = client.subscribe("room");
  await sub.ready;
  assert.ok(socket.frames().every((frame) => !frame.headers.has("ack")));
  await client.close();
});

Deno.test("unsubscribe waits for the last handler, then sends unsubscribe", async () => {
  const { client, socket } = open();
  const seen: string[] = [];
  const one = client.subscribe("room", () => seen.push("one"));
  const two = client.subscribe("room", () => seen.push("two"));
  assert.equal(socket.frames().length, 1, "one subscribe frame per channel");
  socket.ackAll();
  await Promise.all([one.ready, two.ready]);
  await one();
  socket.receive("LHTTP/1.0 chat\r\npublish:room other\r\n\r\nhi");
  assert.deepEqual(seen, ["two"]);
  const last = two();
  const frames = socket.frames();
  assert.equal(frames.at(-1)!.headers.get("unsubscribe"), "room");
  socket.ackAll();
  await last;
  assert.deepEqual(client.channels, []);
  await client.close();
});

Deno.test("incoming frames reach frame listeners, command handlers and iterators; acks do not", async () => {
  const { client, socket } = open();
  const all: string[] = [];
  const chats: string[] = [];
  client.on("frame", (frame) => all.push(frame.command));
  const off = client.onCommand("chat", (frame) => chats.push(String(frame.body)));
  const iterator = client.frames();
  const done = client.publish("room", "x");
  socket.ackAll();
  await done;
  socket.receive("LHTTP/1.0 chat\r\n\r\nfirst");
  off();
  socket.receive("LHTTP/1.0 chat\r\n\r\nsecond");
  // An upstream answer after the 200 carries the same ack: it is a frame.
  socket.receive("LHTTP/1.0 message\r\nack:1\r\nupstream-status:200\r\n\r\n{}");
  assert.deepEqual(all, ["chat", "chat", "message"]);
  assert.deepEqual(chats, ["first"]);
  assert.equal((await iterator.next()).value?.body, "first");
  await iterator.return();
  await client.close();
});

Deno.test("binary frames go out as bytes and come back as bytes", async () => {
  const { client, socket } = open({ acks: false });
  await client.send(binaryFrame("image", new Uint8Array([0, 255, 1]), { publish: "cam" }));
  assert.ok(socket.sent[0] instanceof Uint8Array);
  let received: Frame | undefined;
  client.on("frame", (frame) => (received = frame));
  const bytes = encodeFrame(binaryFrame("image", new Uint8Array([9, 8]), { publish: "cam" }));
  socket.receive(bytes.slice().buffer);
  assert.deepEqual(received!.body, new Uint8Array([9, 8]));
  await client.close();
});

Deno.test("multipart helper round-trips through partsOf; bad frames become error events", async () => {
  const frame = multipartFrame("upload", [
    { headers: { name: "a.txt" }, body: "héllo" },
    { headers: { name: "b.bin" }, body: new Uint8Array([1, 2]) },
  ]);
  assert.ok(frame.body instanceof Uint8Array);
  const parts = partsOf(frame)!;
  assert.equal(parts[0].headers.get("name"), "a.txt");
  assert.deepEqual(parts[1].body, new Uint8Array([1, 2]));
  const { client, socket } = open();
  const errors: Error[] = [];
  client.on("error", (error) => errors.push(error));
  socket.receive("HTTP/1.1 200 OK");
  assert.equal((errors[0] as ClientError).code, "bad_frame");
  await assert.rejects(client.send({ command: "bad command" }), { code: "bad_request" });
  await client.close();
});
