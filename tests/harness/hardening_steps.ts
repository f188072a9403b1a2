// Hostile-input and fault steps of `hardening_test.ts`, over real sockets
// against `lhttp serve` on any runtime. What the conformance suite already
// covers (oversize, bad UTF-8, 33 headers, subscription and channel limits,
// unauthorized actions, refused origins, upstream slow/down/huge) is not
// repeated here.

import assert from "node:assert/strict";
import { rawUpgrade, readCloseCode, sendRawFrame, TestSocket } from "./ws_client.ts";
import { metrics, until } from "./serve_child.ts";

const text = (value: string) => new TextEncoder().encode(value);

/** Connections and subscriptions the server reports. */
export async function load(url: string): Promise<[number, number]> {
  const samples = await metrics(url);
  return [samples.get("lhttp_connections") ?? -1, samples.get("lhttp_subscriptions") ?? -1];
}

/** Waits until the server is back to `[connections, subscriptions]`. */
export async function backTo(url: string, expected: [number, number], what: string) {
  await until(async () => {
    const [connections, subscriptions] = await load(url);
    return connections === expected[0] && subscriptions === expected[1];
  }, what);
}

/**
 * A raw client that subscribes, then neither reads nor answers pings. Returns
 * once the server holds its subscription, and a promise of the server
 * closing it (the close code it sent, 1006 for none) once the server released it.
 */
export async function deadPeer(url: string, base: [number, number]): Promise<Promise<number>> {
  const { status, conn } = await rawUpgrade(url.replace("http", "ws") + "/");
  assert.equal(status, 101);
  await sendRawFrame(conn, 1, text("LHTTP/1.0 sub\r\nsubscribe:heartbeat\r\n\r\n"));
  await backTo(url, [base[0] + 1, base[1] + 1], "the dead peer's subscription");
  return (async () => {
    try {
      await backTo(url, base, "the dead peer to be closed and released");
      return await readCloseCode(conn);
    } finally {
      conn.close();
    }
  })();
}

/** Abrupt disconnects mid-frame (header only, then half a payload) leave nothing behind. */
export async function midFrame(url: string, base: [number, number]): Promise<void> {
  for (const cut of [1, 16]) {
    const { status, conn } = await rawUpgrade(url.replace("http", "ws") + "/");
    assert.equal(status, 101);
    await sendRawFrame(conn, 1, text("LHTTP/1.0 sub\r\nsubscribe:torn\r\n\r\n"));
    await backTo(url, [base[0] + 1, base[1] + 1], "the subscription");
    // A masked text frame announcing 100 payload bytes, cut after `cut` bytes.
    const frame = new Uint8Array(6 + 100);
    frame.set([0x81, 0x80 | 100, 1, 2, 3, 4]);
    frame.set(text("LHTTP/1.0 chat\r\npublish:torn\r\n\r\n"), 6);
    await conn.write(frame.subarray(0, cut));
    conn.close();
    await backTo(url, base, `release after a disconnect ${cut} bytes into a frame`);
  }
}

/**
 * Rate-limit excess (`--rate-limit 1`: burst 2, close after 100 refusals in a
 * row): 2 frames pass, the next 100 get 429 status frames, the 103rd closes
 * with 1008. Exactly 103 are sent: unread frames would make the server's
 * close a TCP reset, which can swallow the close frame.
 */
export async function rateLimit(url: string): Promise<void> {
  const socket = await TestSocket.open(url.replace("http", "ws") + "/");
  try {
    // The first refused frame asks for an ack: its 429 carries it, so a client's promise rejects.
    for (let i = 0; i < 103; i++) {
      socket.send(i === 2 ? "LHTTP/1.0 chat\r\nack:r3\r\n\r\n" : "LHTTP/1.0 chat\r\n\r\n");
    }
    const first = await socket.next();
    assert.equal(first.headers.status, "429");
    assert.equal(first.headers.code, "rate_limited");
    assert.equal(first.headers.ack, "r3");
    assert.equal((await socket.closed).code, 1008);
    const closes = await metrics(url);
    assert.equal(closes.get('lhttp_closes_total{reason="rate limit exceeded"}'), 1);
  } finally {
    await socket.close();
  }
}

const lines = (count: number, line: string) =>
  Array.from({ length: count }, () => line).join("\r\n");

// [name, frame, status, code]: each answered by an error frame, the connection kept.
const HOSTILE: Array<[string, string, number, string]> = [
  [
    "header bomb: 12 000 header lines",
    `LHTTP/1.0 chat\r\n${lines(12_000, "a:b")}\r\n\r\n`,
    431,
    "",
  ],
  ["one 60 KB header line of colons", `LHTTP/1.0 chat\r\n${":".repeat(60_000)}\r\n\r\n`, 431, ""],
  [
    "multipart bomb: 5000 offsets",
    `LHTTP/1.0 up\r\nmultipart:${Array.from({ length: 5000 }, (_, i) => i).join(" ")}\r\n\r\n`,
    431,
    "",
  ],
  [
    "bare LF smuggling a header",
    "LHTTP/1.0 chat\r\nx:a\nsubscribe:smuggled\r\n\r\n",
    400,
    "bad_header",
  ],
  [
    "bare CR in a header value",
    "LHTTP/1.0 chat\r\nx:a\rsubscribe:smuggled\r\n\r\n",
    400,
    "bad_header",
  ],
  ["CR in the command", "LHTTP/1.0 ch\rat\r\n\r\n", 400, "bad_start_line"],
  ["NUL in a header name", "LHTTP/1.0 chat\r\nx\0y:1\r\n\r\n", 400, "bad_header"],
];

/** Header bombs and CR/LF injection: the expected status, nothing subscribed, the connection usable. */
export async function hostileFrames(url: string): Promise<void> {
  const socket = await TestSocket.open(url.replace("http", "ws") + "/");
  try {
    const [, before] = await load(url);
    for (const [name, frame, status, code] of HOSTILE) {
      socket.send(frame);
      const answer = await socket.next();
      assert.equal(answer.command, "error", name);
      assert.equal(answer.headers.status, String(status), `${name}: ${answer.headers.code}`);
      if (code) assert.equal(answer.headers.code, code, name);
    }
    const [, after] = await load(url);
    assert.equal(after, before, "nothing was subscribed");
    const ok = await socket.request("LHTTP/1.0 chat\r\nsubscribe:still-here\r\n\r\n");
    assert.equal(ok.headers.status, "200");
  } finally {
    await socket.close();
  }
}
