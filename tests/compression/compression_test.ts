// permessage-deflate on real servers (Deno's default transport, Bun, Node 20)
// with `ws` clients: negotiated with server_no_context_takeover when on and
// absent when off, one compressed publication decoded by every subscriber
// with ≥ 3× fewer bytes on the wire for JSON chat, small frames plain, a
// compression bomb closed with 1009 while another socket goes on, and bad
// extension parameters refused (Node, Deno: 400) or declined (Bun: no
// extension).

import assert from "node:assert/strict";
// @ts-types="@types/ws"
import WebSocket from "ws";
import { RUNTIMES, startChild } from "../harness/runtimes.ts";

const ENTRY = "tests/compression/_server.ts";

interface Client {
  ws: WebSocket;
  extensions: string;
  frames: string[];
  /** Raw TCP bytes read so far. */
  bytesRead(): number;
  next(): Promise<string>;
  closed: Promise<number>;
}

function connect(port: number): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: true });
  const frames: string[] = [];
  const waiting: Array<(frame: string) => void> = [];
  let extensions = "";
  ws.on(
    "upgrade",
    (response) => void (extensions = String(response.headers["sec-websocket-extensions"] ?? "")),
  );
  ws.on("message", (data) => {
    const text = String(data);
    const waiter = waiting.shift();
    if (waiter) waiter(text);
    else frames.push(text);
  });
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on("error", reject);
    ws.on("open", () =>
      resolve({
        ws,
        get extensions() {
          return extensions;
        },
        frames,
        bytesRead: () => (ws as unknown as { _socket: { bytesRead: number } })._socket.bytesRead,
        next: () =>
          new Promise((done) => {
            const frame = frames.shift();
            if (frame !== undefined) done(frame);
            else waiting.push(done);
          }),
        closed,
      }));
  });
}

async function request(client: Client, frame: string): Promise<string> {
  client.ws.send(frame);
  return await client.next();
}

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
    // A room update with the last messages (about 1.4 KB): without a shared
    // context, a 350-byte message alone deflates only about 1.4×.
    recent: Array.from({ length: 10 }, (_, k) => ({
      id: `m-${i - k}`,
      user: `user-${(i + k) % 17}`,
      text: `earlier message ${i - k} in the room`,
      sentAt: new Date(1_700_000_000_000 + (i - k) * 1000).toISOString(),
    })),
  });
}

for (const name of ["deno", "bun", "node20"]) {
  const runtime = RUNTIMES.find((candidate) => candidate.name === name)!;

  Deno.test(`${name}: compressed publications reach every subscriber with 3× fewer bytes; off means no extension`, async () => {
    const child = await startChild(runtime, ENTRY);
    const plain = await startChild(runtime, ENTRY, ["--off"]);
    try {
      const subscribers = await Promise.all([1, 2, 3].map(() => connect(child.port)));
      for (const client of subscribers) {
        assert.match(client.extensions, /^permessage-deflate/);
        assert.match(client.extensions, /server_no_context_takeover/);
        await request(client, "LHTTP/1.0 s\r\nsubscribe:room\r\nack:1\r\n\r\n");
      }
      const publisher = await connect(child.port);
      const before = subscribers.map((client) => client.bytesRead());
      let sent = 0;
      const expected: string[] = [];
      for (let i = 0; i < 50; i++) {
        const frame = `LHTTP/1.0 chat\r\npublish:room\r\n\r\n${chat(i)}`;
        expected.push(frame);
        sent += new TextEncoder().encode(frame).length;
        publisher.ws.send(frame);
      }
      for (const client of subscribers) {
        const got: string[] = [];
        for (let i = 0; i < 50; i++) got.push(await client.next());
        assert.deepEqual(got, expected);
      }
      const wire = subscribers.map((client, i) => client.bytesRead() - before[i]);
      for (const bytes of wire) assert.ok(sent / bytes >= 3, `${sent} bytes sent as ${bytes}`);
      // A small frame is sent as it is.
      const small = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi";
      const mark = subscribers[0].bytesRead();
      publisher.ws.send(small);
      assert.equal(await subscribers[0].next(), small);
      assert.equal(
        subscribers[0].bytesRead() - mark,
        small.length + 2,
        "unframed size + 2-byte header",
      );

      const off = await connect(plain.port);
      assert.equal(off.extensions, "");
      for (const client of [...subscribers, publisher, off]) client.ws.close();
    } finally {
      await child.stop();
      await plain.stop();
    }
  });

  Deno.test(`${name}: a message that inflates past the frame limit closes with 1009; another socket goes on`, async () => {
    const child = await startChild(runtime, ENTRY, ["--max-frame-bytes", "65536"]);
    try {
      const bomber = await connect(child.port);
      const bystander = await connect(child.port);
      await request(bystander, "LHTTP/1.0 s\r\nsubscribe:room\r\nack:1\r\n\r\n");
      // 8 MiB of zeros deflate to a few KiB.
      const bomb = "LHTTP/1.0 chat\r\npublish:room\r\n\r\n" + "\0".repeat(8 * 1024 * 1024);
      bomber.ws.send(bomb, { compress: true });
      assert.equal(await bomber.closed, 1009);
      const fine = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nstill here";
      assert.equal(await request(bystander, fine), fine);
      bystander.ws.close();
    } finally {
      await child.stop();
    }
  });

  Deno.test(`${name}: bad permessage-deflate parameters are refused or declined, never half-accepted`, async () => {
    const child = await startChild(runtime, ENTRY);
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: child.port });
      await conn.write(new TextEncoder().encode(
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
          "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=99\r\n\r\n",
      ));
      let head = "";
      const buffer = new Uint8Array(1024);
      while (!head.includes("\r\n\r\n")) {
        const n = await conn.read(buffer);
        if (n === null) break;
        head += new TextDecoder().decode(buffer.subarray(0, n));
      }
      conn.close();
      const status = Number(head.split(" ")[1]);
      if (name === "bun") {
        assert.equal(status, 101);
        assert.doesNotMatch(head, /sec-websocket-extensions/i, "Bun declines the extension");
      } else {
        assert.equal(status, 400);
        assert.match(head, /Sec-WebSocket-Extensions/);
      }
    } finally {
      await child.stop();
    }
  });
}

Deno.test("deno (web transport): Deno.upgradeWebSocket offers no permessage-deflate, so frames go plain", async () => {
  const deno = RUNTIMES.find((candidate) => candidate.name === "deno")!;
  const child = await startChild(deno, ENTRY, ["--transport", "web"]);
  try {
    const client = await connect(child.port);
    assert.equal(client.extensions, "");
    const frame = `LHTTP/1.0 chat\r\nsubscribe:room\r\npublish:room\r\n\r\n${chat(1)}`;
    assert.equal(await request(client, frame), frame);
    client.ws.close();
  } finally {
    await child.stop();
  }
});
