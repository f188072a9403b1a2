// `lhttp connect URL`: an interactive (or piped) client session. Received
// frames go to stdout; status and errors go to stderr.

import process from "node:process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { parseFrame } from "../codec/parse.ts";
import { LhttpClient, type Subscription } from "../client/api.ts";
import { ClientError, RemoteError } from "../client/errors.ts";
import type { WebSocketConstructor } from "../client/options.ts";
import { formatFrame, parseSendLine, unescapeLine } from "./_print.ts";

const HELP = `Usage: lhttp connect URL [options]

Connects to an lhttp server (ws:// or wss://; http:// works too) and reads
commands from stdin, one per line:
  subscribe CHANNEL...             subscribe (restored after reconnects)
  unsubscribe CHANNEL...           unsubscribe
  publish CHANNEL BODY...          publish the rest of the line
  send COMMAND key:value ... -- BODY   send any frame (acknowledged)
  LHTTP/1.0 COMMAND                a raw frame: header lines, a blank line, body
                                   lines, a blank line; or one line with \\r\\n escapes
  help, quit
Received frames are printed to stdout, status to stderr.

Options:
  --count N    Exit after receiving N frames (stays after stdin ends until then)
  -h, --help   Show this help
`;

/**
 * Runs `lhttp connect`; resolves to the exit code. `WebSocket` is for Node 20 (from `ws`).
 *
 * @example
 * ```ts ignore
 * import WebSocket from "ws";
 * import { runConnect } from "./connect.ts";
 * const code = await runConnect(["ws://localhost:8081/"], { WebSocket });
 * ```
 */
export async function runConnect(
  args: string[],
  options: { WebSocket?: WebSocketConstructor } = {},
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { count: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  if (parsed.values.help) return void process.stdout.write(HELP), 0;
  const [target] = parsed.positionals;
  const count = parsed.values.count === undefined ? Infinity : Number(parsed.values.count);
  if (!target || parsed.positionals.length > 1) return usage("expects one URL");
  if (!(count > 0)) return usage("--count must be a positive number");
  const url = target.replace(/^http(s?):/i, "ws$1:");

  let client: LhttpClient;
  try {
    client = new LhttpClient(url, { WebSocket: options.WebSocket });
  } catch (error) {
    const hint = error instanceof ClientError && error.code === "no_websocket"
      ? " (on Node 20, run with --experimental-websocket)"
      : "";
    return fail(`${(error as Error).message}${hint}`);
  }
  const first = await new Promise<{ code: number } | undefined>((resolve) => {
    client.once("open", () => resolve(undefined));
    client.once("close", ({ code, wasOpen }) => wasOpen || resolve({ code }));
  });
  if (first) {
    await client.close();
    const code = first.code === 0 || first.code === 1006 ? "" : ` (close code ${first.code})`;
    return fail(`cannot connect to ${url}: refused, unreachable or not an lhttp server${code}`);
  }
  status(`connected to ${url}`);
  let leaving = false;
  client.on("close", ({ reconnecting, code }) => {
    if (!leaving) status(`connection lost (code ${code})${reconnecting ? "" : "; giving up"}`);
  });
  client.on(
    "reconnecting",
    ({ attempt, delay }) => status(`reconnecting in ${delay} ms (attempt ${attempt})`),
  );
  client.on("open", ({ reconnected }) => reconnected && status("reconnected"));
  client.on(
    "queuefull",
    ({ capacity }) => status(`offline queue full (${capacity}); frame refused`),
  );

  const input = createInterface({ input: process.stdin, terminal: false });
  let received = 0;
  const enough = new Promise<void>((resolve) => {
    client.on("frame", (frame) => {
      process.stdout.write(formatFrame(frame) + "\n");
      if (++received >= count) resolve();
    });
    client.on("state", ({ to }) => to === "closed" && resolve());
  });
  enough.then(() => input.close());

  const session = new Session(client);
  for await (const line of input) {
    if (session.handle(line) === "quit") break;
  }
  session.flush();
  await session.settled();
  if (Number.isFinite(count) && received < count) await enough;
  input.close();
  process.stdin.destroy(); // release the terminal or pipe so the process can exit
  leaving = true;
  await client.close();
  return session.failures > 0 ? 1 : 0;
}

class Session {
  failures = 0;
  #pending = new Set<Promise<void>>();
  #subscriptions = new Map<string, Subscription>();
  #raw?: { lines: string[]; body?: string[] };

  constructor(readonly client: LhttpClient) {}

  handle(line: string): "quit" | void {
    if (this.#raw) return this.#rawLine(line);
    const [word, ...fields] = line.trim().split(/\s+/);
    const rest = line.trim().slice(word.length).trim();
    if (word === "" || word.startsWith("#")) return;
    if (word.startsWith("LHTTP/")) {
      if (/\\[rn]/.test(line)) return this.#sendRaw(unescapeLine(line));
      this.#raw = { lines: [line] };
      return;
    }
    switch (word) {
      case "subscribe":
        for (const channel of fields) {
          this.#track(`subscribe ${channel}`, () => {
            const subscription = this.client.subscribe(channel);
            this.#subscriptions.set(channel, subscription);
            return subscription.ready;
          });
        }
        return;
      case "unsubscribe":
        for (const channel of fields) {
          const subscription = this.#subscriptions.get(channel);
          this.#subscriptions.delete(channel);
          this.#track(`unsubscribe ${channel}`, () => subscription?.() ?? Promise.resolve());
        }
        return;
      case "publish": {
        const [, channel = "", body = ""] = rest.match(/^(\S+)\s?([\s\S]*)$/) ?? [];
        return this.#track(`publish ${channel}`, () => this.client.publish(channel, body));
      }
      case "send":
        return this.#track("send", () => {
          const { command, headers, body } = parseSendLine(rest);
          return this.client.send({ command, headers, body }, { ack: true });
        });
      case "help":
        return void process.stderr.write(HELP);
      case "quit":
      case "exit":
        return "quit";
      default:
        this.failures++;
        status(`unknown command ${JSON.stringify(word)}; type help`);
    }
  }

  /** Sends a raw frame still being typed when stdin ends. */
  flush(): void {
    if (this.#raw) this.#rawLine("");
    if (this.#raw) this.#rawLine("");
  }

  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #rawLine(line: string): void {
    const raw = this.#raw!;
    if (!raw.body) {
      if (line === "") raw.body = [];
      else raw.lines.push(line);
      return;
    }
    if (line !== "") return void raw.body.push(line);
    this.#raw = undefined;
    this.#sendRaw(raw.lines.join("\r\n") + "\r\n\r\n" + raw.body.join("\n"));
  }

  #sendRaw(text: string): void {
    this.#track("frame", () => this.client.send(parseFrame(text), { ack: true }));
  }

  #track(what: string, action: () => Promise<void>): void {
    let promise: Promise<void>;
    try {
      promise = action();
    } catch (error) {
      promise = Promise.reject(error);
    }
    const done = promise.then(
      () => status(`${what}: ok`),
      (error) => {
        this.failures++;
        const detail = error instanceof RemoteError
          ? `${error.status} ${error.code}: ${error.reason}`
          : (error as Error).message;
        status(`${what}: failed: ${detail}`);
      },
    ).finally(() => this.#pending.delete(done));
    this.#pending.add(done);
  }
}

function status(text: string): void {
  process.stderr.write(`lhttp: ${text}\n`);
}

function fail(text: string): number {
  process.stderr.write(`lhttp connect: ${text}\n`);
  return 1;
}

function usage(text: string): number {
  process.stderr.write(`lhttp connect: ${text}\n\n${HELP}`);
  return 2;
}
