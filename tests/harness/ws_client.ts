// Clients for the conformance suite: a WebSocket wrapper with an inbox, a tiny
// LHTTP parser of its own (the suite checks the server, not our codec), and a
// raw TCP client for what browsers' WebSocket cannot do (Origin header,
// invalid UTF-8 in a text frame).

/** A received frame, parsed. */
export interface Received {
  command: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  binary: boolean;
  raw: string | Uint8Array;
}

/** Parses an LHTTP frame minimally (the layout of PROTOCOL.md section 1). */
export function parse(raw: string | Uint8Array): Received {
  const binary = typeof raw !== "string";
  const bytes = binary ? raw : new TextEncoder().encode(raw);
  let end = -1;
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      end = i;
      break;
    }
  }
  const head = new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
  const bodyBytes = end < 0 ? new Uint8Array() : bytes.subarray(end + 4);
  const [start, ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    command: start.replace(/^LHTTP\/1\.0 /, ""),
    headers,
    body: binary ? bodyBytes : new TextDecoder().decode(bodyBytes),
    binary,
    raw,
  };
}

// A guard against hangs: a message that never comes fails the test instead of
// blocking it. Not a timing assertion; generous on purpose.
const WAIT_MS = 10_000;

/** A WebSocket with an inbox of parsed frames and a close promise. */
export class TestSocket {
  readonly inbox: Received[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<{ match: (frame: Received) => boolean; deliver: (frame: Received) => void }> = [];
  #ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.binaryType = "arraybuffer";
    ws.onmessage = (event) => {
      const data = typeof event.data === "string" ? event.data : new Uint8Array(event.data);
      const frame = parse(data);
      const waiter = this.#waiters.find((candidate) => candidate.match(frame));
      if (waiter) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.deliver(frame);
      } else {
        this.inbox.push(frame);
      }
    };
    this.closed = new Promise((resolve) => {
      ws.onclose = (event) => resolve({ code: event.code, reason: event.reason });
    });
    ws.onerror = () => {};
  }

  /** Opens a socket; rejects if the upgrade fails. */
  static async open(url: string): Promise<TestSocket> {
    const socket = new TestSocket(new WebSocket(url));
    await new Promise<void>((resolve, reject) => {
      socket.#ws.onopen = () => resolve();
      socket.closed.then(({ code }) => reject(new Error(`upgrade to ${url} failed (${code})`)));
    });
    return socket;
  }

  /** Sends a text (string) or binary (bytes) message. */
  send(data: string | Uint8Array): void {
    this.#ws.send(data);
  }

  /** The first frame (queued or future) that `match` accepts; others stay queued in order. */
  waitFor(match: (frame: Received) => boolean): Promise<Received> {
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        deliver: (frame: Received) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter);
        reject(new Error(`no matching frame within ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.#waiters.push(waiter);
    });
  }

  /** The next frame received (queued or future). */
  next(): Promise<Received> {
    return this.waitFor(() => true);
  }

  /** Sends `frame` with an `ack:<id>` header added and returns the answer carrying that ack. */
  request(frame: string | Uint8Array, id = String(++ackCounter)): Promise<Received> {
    this.send(withAck(frame, id));
    return this.waitFor((answer) => answer.headers.ack === id);
  }

  /** Closes (if open) and waits for the close event. */
  async close(): Promise<void> {
    if (this.#ws.readyState < WebSocket.CLOSING) this.#ws.close(1000);
    await this.closed;
  }
}

/** Inserts `ack:<id>` after the start line. */
export function withAck(frame: string | Uint8Array, id: string): string | Uint8Array {
  if (typeof frame === "string") {
    const at = frame.indexOf("\r\n");
    return at < 0
      ? `${frame}\r\nack:${id}`
      : `${frame.slice(0, at)}\r\nack:${id}${frame.slice(at)}`;
  }
  const at = frame.findIndex((byte, i) => byte === 13 && frame[i + 1] === 10);
  const insert = new TextEncoder().encode(`\r\nack:${id}`);
  const out = new Uint8Array(frame.length + insert.length);
  out.set(frame.subarray(0, at));
  out.set(insert, at);
  out.set(frame.subarray(at), at + insert.length);
  return out;
}

let ackCounter = 0;

/** Opens sockets and closes every one of them at the end of a step. */
export class Sockets {
  #all: TestSocket[] = [];
  constructor(readonly url: string) {}
  async open(query = ""): Promise<TestSocket> {
    const socket = await TestSocket.open(this.url + query);
    this.#all.push(socket);
    return socket;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.#all.map((socket) => socket.close()));
    this.#all = [];
  }
}

/** Result of a raw upgrade: the HTTP status, and the connection when it was 101. */
export interface RawUpgrade {
  status: number;
  conn: Deno.TcpConn;
}

/** Performs a WebSocket handshake by hand, with extra request headers. */
export async function rawUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<RawUpgrade> {
  const target = new URL(url);
  const conn = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
  const lines = [
    `GET ${target.pathname}${target.search} HTTP/1.1`,
    `Host: ${target.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
  let head = "";
  const buffer = new Uint8Array(1);
  // Byte by byte up to the blank line, so no WebSocket bytes are consumed.
  while (!head.endsWith("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    head += String.fromCharCode(buffer[0]);
  }
  return { status: Number(head.split(" ")[1]), conn };
}

/** Sends one masked client frame with `opcode` and `payload` on a raw connection. */
export async function sendRawFrame(
  conn: Deno.TcpConn,
  opcode: number,
  payload: Uint8Array,
): Promise<void> {
  if (payload.length > 125) throw new Error("sendRawFrame handles short payloads only");
  const frame = new Uint8Array(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  frame.set([1, 2, 3, 4], 2);
  payload.forEach((byte, i) => frame[6 + i] = byte ^ [1, 2, 3, 4][i % 4]);
  await conn.write(frame);
}

/** Reads server frames until a close frame; resolves to its code (1005 when none, 1006 on EOF). */
export async function readCloseCode(conn: Deno.TcpConn): Promise<number> {
  return (await readFrames(conn, () => false)).closeCode;
}

/**
 * Reads server frames until `stop(payload)` is true for a data frame, or a
 * close frame, or EOF. Resolves to the data frames seen and the close code
 * (0 when stopped by `stop`, 1005 for a close without code, 1006 on EOF).
 */
export async function readFrames(
  conn: Deno.TcpConn,
  stop: (payload: Uint8Array) => boolean,
): Promise<{ frames: number; closeCode: number }> {
  let data = new Uint8Array();
  let frames = 0;
  const chunk = new Uint8Array(65536);
  for (;;) {
    // Server frames are unmasked; walk complete frames in `data`.
    let offset = 0;
    while (data.length - offset >= 2) {
      const opcode = data[offset] & 0x0f;
      let length = data[offset + 1] & 0x7f;
      let start = offset + 2;
      if (length === 126) {
        if (data.length < start + 2) break;
        length = (data[start] << 8) | data[start + 1];
        start += 2;
      } else if (length === 127) {
        if (data.length < start + 8) break;
        length = Number(new DataView(data.buffer, data.byteOffset + start).getBigUint64(0));
        start += 8;
      }
      if (data.length < start + length) break;
      const payload = data.subarray(start, start + length);
      if (opcode === 8) {
        return { frames, closeCode: length >= 2 ? (payload[0] << 8) | payload[1] : 1005 };
      }
      if (opcode === 1 || opcode === 2) {
        frames++;
        if (stop(payload)) return { frames, closeCode: 0 };
      }
      offset = start + length;
    }
    data = data.slice(offset);
    const n = await conn.read(chunk);
    if (n === null) return { frames, closeCode: 1006 };
    const grown = new Uint8Array(data.length + n);
    grown.set(data);
    grown.set(chunk.subarray(0, n), data.length);
    data = grown;
  }
}
