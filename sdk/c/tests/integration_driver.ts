// Drives sdk/c/tests/integration.c against a real lhttp server.
//
//   deno run -A sdk/c/tests/integration_driver.ts --client PATH [--readme PATH]
//       [--server-cwd DIR] [--runner "qemu-arm -L /usr/arm-linux-gnueabihf"] [--tls]
//       -- SERVER COMMAND WITH {PORT}
//
// --runner: prefix for the C programs (run cross-built binaries under qemu-user).
// --tls: makes a CA and a "localhost" certificate with openssl (tls_certs.ts);
// the server command also gets {TLSPORT}, {CERT} and {KEY} (tls_server.ts
// serves both), and the C client connects to wss://localhost:TLSPORT/ with
// the CA file as its second argument, while the TypeScript peer and the
// HTTP publish use the plain port: frames cross from one transport to the other.
//
// Steps: start the server on a free port; the C client subscribes to "room"
// (acked); a TypeScript WebSocket client publishes, the C client receives it
// and publishes back, the TS client gets the reply; the same through
// HTTP POST /publish; the server is restarted on the same port, the C client
// reconnects and re-subscribes by itself (acked), gets a publish from a new TS
// client and answers it; finally the README example runs against the server.
// Then recovery (PROTOCOL.md section 13): an in-process LhttpServer with history
// on "hist." behind a TCP proxy; the C client (--history) gets two
// publications, the proxy drops its connection and refuses new ones while
// three more are published, then lets it back: the C client must get all five
// exactly once, in order, with recovered=1. Then the server is replaced (the
// history is gone): recovered=0, nothing replayed, the next live one arrives.
// Exit code 0 on success. Only Deno and web-standard APIs are used.

import process from "node:process";
import { makeCerts, type TestCerts } from "./tls_certs.ts";
import { LhttpServer } from "../../../mod.ts";
import { serveDeno } from "../../../src/adapters/deno.ts";

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  const sep = Deno.args.indexOf("--");
  return i !== -1 && (sep === -1 || i < sep) ? Deno.args[i + 1] : undefined;
}
const sep = Deno.args.indexOf("--");
const serverCmd = sep === -1 ? [] : Deno.args.slice(sep + 1);
const clientPath = arg("--client");
const readmePath = arg("--readme");
const serverCwd = arg("--server-cwd") ?? ".";
const runner = (arg("--runner") ?? "").split(" ").filter((w) => w !== "");
const tls = Deno.args.slice(0, sep === -1 ? undefined : sep).includes("--tls");
if (!clientPath || serverCmd.length === 0) {
  console.error(
    "usage: integration_driver.ts --client PATH [--readme PATH] [--server-cwd DIR] -- CMD {PORT}",
  );
  Deno.exit(2);
}

const log = (msg: string) => console.log(`[driver] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitFor<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 20000,
): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

class Server {
  child?: Deno.ChildProcess;
  output = "";
  #pumps: Promise<void>[] = [];
  constructor(readonly port: number, readonly tlsPort = 0, readonly certs?: TestCerts) {}
  async start() {
    const [cmd, ...args] = serverCmd.map((a) =>
      a.replaceAll("{PORT}", String(this.port)).replaceAll("{TLSPORT}", String(this.tlsPort))
        .replaceAll("{CERT}", this.certs?.good.cert ?? "").replaceAll("{KEY}", this.certs?.good.key ?? "")
    );
    this.child = new Deno.Command(cmd, {
      args,
      cwd: serverCwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    for (const stream of [this.child.stdout, this.child.stderr]) {
      this.#pumps.push((async () => {
        const dec = new TextDecoder();
        for await (const chunk of stream) this.output += dec.decode(chunk, { stream: true });
      })());
    }
    for (const port of this.tlsPort ? [this.port, this.tlsPort] : [this.port]) {
      await waitFor("the server to listen", async () => {
        try {
          const conn = await Deno.connect({ hostname: "127.0.0.1", port });
          conn.close();
          return true;
        } catch {
          return undefined;
        }
      }, 60000);
    }
    log(`server up on port ${this.port}`);
  }
  async stop() {
    if (!this.child) return;
    const child = this.child;
    this.child = undefined;
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 5000);
    await child.status;
    clearTimeout(timer);
    await Promise.all(this.#pumps);
    this.#pumps = [];
    log("server stopped");
  }
}

class CClient {
  child: Deno.ChildProcess;
  lines: string[] = [];
  stderr = "";
  #pumps: Promise<void>[];
  constructor(path: string, args: string[]) {
    const child = new Deno.Command(runner[0] ?? path, {
      args: [...runner.slice(1), ...(runner.length ? [path] : []), ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .spawn();
    this.child = child;
    this.#pumps = [
      (async () => {
        const dec = new TextDecoder();
        let buf = "";
        for await (const chunk of child.stdout) {
          buf += dec.decode(chunk, { stream: true });
          let nl;
          while ((nl = buf.indexOf("\n")) !== -1) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            this.lines.push(line);
            log(`C: ${line}`);
          }
        }
      })(),
      (async () => {
        const dec = new TextDecoder();
        for await (const chunk of child.stderr) this.stderr += dec.decode(chunk, { stream: true });
      })(),
    ];
  }
  expect(line: string, ms = 20000): Promise<boolean> {
    return waitFor(`C client line "${line}"`, () => this.lines.includes(line) || undefined, ms);
  }
  async finish(ms = 20000): Promise<number> {
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch { /* gone */ }
    }, ms);
    const status = await this.child.status;
    clearTimeout(timer);
    await Promise.all(this.#pumps);
    return status.code;
  }
}

/** A TypeScript WebSocket client subscribed to "room". */
async function tsClient(url: string) {
  const ws = new WebSocket(url);
  const received: string[] = [];
  ws.onmessage = (e) => received.push(typeof e.data === "string" ? e.data : "(binary)");
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("TS client could not connect"));
  });
  ws.send("LHTTP/1.0 subscribe\r\nsubscribe:room\r\nack:ts-1\r\n\r\n");
  await waitFor(
    "the TS client's subscribe ack",
    () => received.some((m) => m.includes("ack:ts-1")) || undefined,
  );
  const close = async () => {
    if (ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => ws.onclose = r);
    ws.close();
    await closed;
  };
  return { ws, received, close };
}

/** A TCP proxy to 127.0.0.1:target that can drop its connections and refuse new ones. */
function tcpProxy(target: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  let refusing = false;
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        for (let o = 0; o < n;) o += await to.write(buf.subarray(o, n));
      }
    } catch { /* dropped */ }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch { /* closed */ }
      conns.delete(c);
    }
  };
  const accepting = (async () => {
    try {
      for await (const a of listener) {
        if (refusing) {
          a.close();
          continue;
        }
        try {
          const b = await Deno.connect({ hostname: "127.0.0.1", port: target });
          conns.add(a);
          conns.add(b);
          pump(a, b);
          pump(b, a);
        } catch {
          a.close();
        }
      }
    } catch { /* closed */ }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    drop(refuse: boolean) {
      refusing = refuse;
      for (const c of [...conns]) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      conns.clear();
    },
    async close() {
      this.drop(true);
      listener.close();
      await accepting;
    },
  };
}

async function historyPhase() {
  const hport = freePort();
  const start = () => {
    const s = new LhttpServer({ history: [{ prefix: "hist.", size: 100, ttlMs: 600000 }] });
    return { lhttp: s, http: serveDeno(s, { port: hport, hostname: "127.0.0.1" }) };
  };
  const publish = async (body: string) => {
    const res = await fetch(`http://127.0.0.1:${hport}/publish`, {
      method: "POST",
      body: `LHTTP/1.0 chat\r\npublish:hist.room\r\n\r\n${body}`,
    });
    await res.body?.cancel();
    if (res.status >= 300) throw new Error(`POST /publish answered ${res.status}`);
  };
  let srv = start();
  const proxy = tcpProxy(hport);
  const c = new CClient(clientPath!, ["--history", `ws://127.0.0.1:${proxy.port}/`]);
  const got = () => c.lines.filter((l) => l.startsWith("HGOT ")).map((l) => l.slice(5));
  const positions = () => c.lines.filter((l) => l.startsWith("POSITION "));
  try {
    await c.expect("HREADY");
    await waitFor("the first position frame", () => positions().length === 1 || undefined);
    if (!/^POSITION hist\.room recovered=-1 offset=0 epoch=[A-Za-z0-9_-]+$/.test(positions()[0])) {
      throw new Error(`unexpected first position: ${positions()[0]}`);
    }
    await publish("h1");
    await publish("h2");
    await waitFor("h1 h2", () => got().length === 2 || undefined);
    // the connection dies; three publications while the client is away
    const downs = () => c.lines.filter((l) => l.startsWith("DOWN")).length;
    proxy.drop(true);
    await waitFor("the C client to notice the drop", () => downs() === 1 || undefined);
    for (const b of ["h3", "h4", "h5"]) await publish(b);
    proxy.drop(false);
    await waitFor("the recovery", () => positions().length === 2 || undefined, 30000);
    if (!/^POSITION hist\.room recovered=1 offset=5 /.test(positions()[1])) {
      throw new Error(`unexpected recovery position: ${positions()[1]}`);
    }
    await waitFor("h3..h5", () => got().length >= 5 || undefined);
    await publish("h6");
    await waitFor("h6 live", () => got().length >= 6 || undefined);
    if (got().join(",") !== "h1,h2,h3,h4,h5,h6") {
      throw new Error(`deliveries not exactly once in order: ${got().join(",")}`);
    }
    log("recovery after a lost connection (recovered=1, each once): ok");
    // history gone: a new server (new epoch) on the same port
    proxy.drop(true);
    await waitFor("the C client to notice again", () => downs() === 2 || undefined);
    await srv.http.shutdown();
    srv = start();
    await publish("x1"); // in the new history only: not replayed
    proxy.drop(false);
    await waitFor("the refused recovery", () => positions().length === 3 || undefined, 30000);
    if (!/^POSITION hist\.room recovered=0 offset=1 /.test(positions()[2])) {
      throw new Error(`unexpected position after history loss: ${positions()[2]}`);
    }
    await publish("bye");
    await waitFor("bye", () => got().includes("bye") || undefined);
    if (got().join(",") !== "h1,h2,h3,h4,h5,h6,bye") {
      throw new Error(`unexpected deliveries after history loss: ${got().join(",")}`);
    }
    const code = await c.finish();
    if (code !== 0) throw new Error(`C history client exited with ${code}: ${c.stderr}`);
    log("history lost (recovered=0, nothing replayed, live continues): ok");
  } catch (error) {
    console.error(`[driver] C history client stderr:\n${c.stderr}`);
    throw error;
  } finally {
    try {
      c.child.kill("SIGKILL");
    } catch { /* exited */ }
    await c.finish(1000);
    await proxy.close();
    await srv.http.shutdown();
  }
}

const port = freePort();
const url = `ws://127.0.0.1:${port}/`;
const certs = tls ? await makeCerts() : undefined;
const tlsPort = tls ? freePort() : 0;
const clientArgs = certs ? [`wss://localhost:${tlsPort}/`, certs.ca] : [url];
const server = new Server(port, tlsPort, certs);
let client: CClient | undefined;
let ok = false;
try {
  await server.start();
  client = new CClient(clientPath, clientArgs);
  await client.expect("READY");

  // 1. publish from a TypeScript client over WebSocket
  let ts = await tsClient(url);
  ts.ws.send("LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello from ts");
  await client.expect("GOT hello from ts");
  await waitFor(
    "the C reply at the TS client",
    () => ts.received.some((m) => m.endsWith("\r\n\r\nre: hello from ts")) || undefined,
  );
  log("TS -> C -> TS over WebSocket: ok");

  // 2. publish over HTTP (curl-equivalent)
  const res = await fetch(`http://127.0.0.1:${port}/publish`, {
    method: "POST",
    body: "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello via http",
  });
  await res.body?.cancel();
  if (res.status >= 300) throw new Error(`POST /publish answered ${res.status}`);
  await client.expect("GOT hello via http");
  await waitFor(
    "the C reply to the HTTP publish",
    () => ts.received.some((m) => m.endsWith("re: hello via http")) || undefined,
  );
  log("HTTP -> C -> TS: ok");
  await ts.close();

  // 3. server restart: the C client reconnects and re-subscribes by itself
  await server.stop();
  await waitFor(
    "the C client to notice",
    () => client!.lines.some((l) => l.startsWith("DOWN")) || undefined,
  );
  await server.start();
  await client.expect("RESUBSCRIBED", 30000);
  ts = await tsClient(url);
  ts.ws.send("LHTTP/1.0 chat\r\npublish:room\r\n\r\nbye");
  await client.expect("GOT bye");
  await waitFor(
    "the C reply after the restart",
    () => ts.received.some((m) => m.endsWith("re: bye")) || undefined,
  );
  log("reconnect + resubscribe after a server restart: ok");
  await ts.close();
  const code = await client.finish();
  if (code !== 0) throw new Error(`C client exited with ${code}: ${client.stderr}`);

  // 4. the README example, verbatim
  if (readmePath) {
    const out = await new Deno.Command(runner[0] ?? readmePath, {
      args: [...runner.slice(1), ...(runner.length ? [readmePath] : []), url],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    if (out.code !== 0 || !text.includes("got: hello from C")) {
      throw new Error(`README example failed (${out.code}): ${text}`);
    }
    log("README example: ok");
  }
  await historyPhase();
  ok = true;
} catch (error) {
  console.error(`[driver] FAILED: ${(error as Error).message}`);
  if (client) console.error(`[driver] C client stderr:\n${client.stderr}`);
  console.error(`[driver] server output:\n${server.output}`);
} finally {
  if (client) {
    try {
      client.child.kill("SIGKILL");
    } catch { /* exited */ }
    await client.finish(1000);
  }
  await server.stop();
  if (certs) await Deno.remove(certs.dir, { recursive: true });
}
console.log(ok ? "integration: ok" : "integration: FAILED");
process.exitCode = ok ? 0 : 1;
