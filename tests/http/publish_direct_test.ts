// `lhttp serve` answers POST /publish before Hono (Bun: in serveBun's fetch;
// Node, and Deno's default node transport: from node:http). The answers,
// headers and bounds must be those of the Hono route, on real sockets.

import assert from "node:assert/strict";
import { TestSocket } from "../harness/ws_client.ts";
import { startServe } from "../harness/serve_child.ts";

const RUNTIMES = ["deno", "bun", "node20"];
const TOKEN = "s3cret";
const FRAME = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello room";

interface Answer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

// One HTTP/1.1 exchange after another on one keep-alive connection.
class RawHttp {
  #buffer = new Uint8Array(0);
  private constructor(readonly conn: Deno.TcpConn, readonly host: string) {}

  static async open(url: string): Promise<RawHttp> {
    const { hostname, port } = new URL(url);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    conn.setNoDelay(true);
    return new RawHttp(conn, `${hostname}:${port}`);
  }

  async write(text: string): Promise<void> {
    await this.conn.write(new TextEncoder().encode(text));
  }

  post(path: string, body: string, headers: Record<string, string> = {}): Promise<void> {
    const lines = Object.entries({ "content-length": String(body.length), ...headers })
      .map(([name, value]) => `${name}: ${value}\r\n`).join("");
    return this.write(`POST ${path} HTTP/1.1\r\nHost: ${this.host}\r\n${lines}\r\n${body}`);
  }

  async answer(): Promise<Answer> {
    for (;;) {
      const text = new TextDecoder().decode(this.#buffer);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        const [start, ...lines] = text.slice(0, end).split("\r\n");
        const headers = new Map(lines.map((line) => {
          const at = line.indexOf(":");
          return [line.slice(0, at).toLowerCase(), line.slice(at + 1).trim()] as [string, string];
        }));
        const length = Number(headers.get("content-length") ?? 0);
        if (this.#buffer.length >= end + 4 + length) {
          const body = text.slice(end + 4, end + 4 + length);
          this.#buffer = this.#buffer.slice(end + 4 + length);
          return { status: Number(start.split(" ")[1]), headers, body };
        }
      }
      const chunk = new Uint8Array(16 * 1024);
      const read = await this.conn.read(chunk);
      if (read === null) throw new Error(`connection closed; got ${JSON.stringify(text)}`);
      const grown = new Uint8Array(this.#buffer.length + read);
      grown.set(this.#buffer);
      grown.set(chunk.subarray(0, read), this.#buffer.length);
      this.#buffer = grown;
    }
  }

  // Resolves to true once the server closed the connection.
  async closed(): Promise<boolean> {
    try {
      return await this.conn.read(new Uint8Array(1024)) === null;
    } catch {
      return true;
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}

const json = (answer: Answer) => JSON.parse(answer.body);
const bearer = { authorization: `Bearer ${TOKEN}` };

for (const runtime of RUNTIMES) {
  Deno.test(`${runtime}: POST /publish answered before Hono keeps the route's answers and bounds`, async () => {
    const server = await startServe(runtime, [
      "--publish-token",
      TOKEN,
      "--max-frame-bytes",
      "1000",
      "--publish-body-timeout",
      "2s",
      "--publish-max-body-bytes-in-flight",
      "1500",
    ]);
    const opened: RawHttp[] = [];
    const open = async () => {
      const http = await RawHttp.open(server.url);
      opened.push(http);
      return http;
    };
    const subscriber = await TestSocket.open(server.url.replace("http", "ws") + "/");
    try {
      await subscriber.request("LHTTP/1.0 sub\r\nsubscribe:room\r\n\r\n");
      const http = await open();

      await http.post("/publish", FRAME, bearer);
      const ok = await http.answer();
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get("content-type"), "application/json");
      assert.deepEqual(json(ok), { status: 200, channels: ["room"], delivered: 1 });
      const delivered = await subscriber.waitFor((frame) => frame.command === "chat");
      assert.equal(delivered.body, "hello room");

      // Refusals on the same keep-alive connection, each with its body sent:
      // the connection still answers after each.
      await http.post("/publish", FRAME);
      const missing = await http.answer();
      assert.equal(missing.status, 401);
      assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.equal(json(missing).code, "unauthorized");
      await http.post("/publish", FRAME, { authorization: "Bearer s3cre7" });
      assert.equal(json(await http.answer()).code, "forbidden");
      await http.post("/publish", "LHTTP/1.0 chat\r\n\r\nno channels", bearer);
      const broken = await http.answer();
      assert.deepEqual([broken.status, json(broken).code], [400, "missing_publish"]);
      assert.equal(typeof json(broken).reason, "string");
      await http.post("/publish?via=query", FRAME, bearer);
      assert.equal((await http.answer()).status, 200);
      await http.post("/publish", FRAME + "x".repeat(1000), bearer);
      assert.equal(json(await http.answer()).code, "frame_too_large");
      await http.post("/publish/", FRAME, bearer);
      assert.equal((await http.answer()).status, 404, "only /publish itself is the route");

      // A chunked body past the limit, with no length declared.
      const chunked = await open();
      const big = "x".repeat(1500);
      await chunked.write(
        `POST /publish HTTP/1.1\r\nHost: ${chunked.host}\r\nauthorization: Bearer ${TOKEN}\r\n` +
          `transfer-encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`,
      );
      assert.equal(json(await chunked.answer()).code, "frame_too_large");

      // A body that stops coming: 408, and the connection is closed. Held
      // meanwhile, it counts against the budget: a second body is refused (503).
      const slow = await open();
      await slow.write(
        `POST /publish HTTP/1.1\r\nHost: ${slow.host}\r\nauthorization: Bearer ${TOKEN}\r\n` +
          `content-length: 1000\r\n\r\nLHTTP/1.0 chat\r\n`,
      );
      // Complete bodies of the declared 1000 bytes: published until the slow one is held.
      const full = FRAME + "x".repeat(1000 - FRAME.length);
      let refused: Answer | undefined;
      for (let i = 0; i < 100 && refused === undefined; i++) {
        const busy = await open();
        await busy.post("/publish", full, bearer);
        const answer = await busy.answer();
        if (answer.status === 503) refused = answer;
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(refused?.status, 503);
      assert.equal(json(refused!).code, "server_busy");
      assert.equal(refused!.headers.get("connection"), "close");
      const late = await slow.answer();
      assert.equal(late.status, 408);
      assert.equal(json(late).code, "body_timeout");
      assert.equal(late.headers.get("connection"), "close");
      assert.equal(await slow.closed(), true);
    } finally {
      for (const http of opened) http.close();
      await subscriber.close();
      assert.equal(await server.stop(), 0, server.output());
    }
  });
}
