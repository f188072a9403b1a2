// `lhttp connect URL`: an interactive (or piped) client session. Received
// frames go to stdout; status and errors go to stderr.

import process from "node:process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { parseFrame } from "../codec/parse.ts";
// The client's public surface (stable while its files are renamed).
import {
  type Frame,
  LhttpClient,
  RemoteError,
  type Subscription,
  type WebSocketConstructor,
} from "../client/mod.ts";
import { describeClose, formatFrame, parseSendLine, unescapeLine } from "./_print.ts";
import { CONNECT_HELP as HELP } from "./_connect_help.ts";
import { versionLine } from "./_version.ts";
import { HISTORY_SIZE, HistoryFile, historyPath, Screen } from "./_terminal.ts";
import { webSocketConstructor, type WebSocketSource } from "./_websocket_constructor.ts";

const PROMPT = "lhttp> ";
const RAW_PROMPT = "...... ";

/** What {@linkcode runConnect} can be handed instead of what it finds. */
export type ConnectOptions = WebSocketSource;

/**
 * Runs `lhttp connect`; resolves to the exit code. The socket is
 * `options.WebSocket`, else the global `WebSocket`, else the `ws` package's
 * (Node 20 has no global one).
 *
 * @example
 * ```ts ignore
 * import { runConnect } from "./connect.ts";
 * const code = await runConnect(["ws://localhost:8081/", "--count", "1"]);
 * ```
 */
export async function runConnect(args: string[], options: ConnectOptions = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        count: { type: "string" },
        token: { type: "string", default: process.env.LHTTP_TOKEN },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  if (parsed.values.help) return void process.stdout.write(HELP), 0;
  if (parsed.values.version) return void process.stdout.write(versionLine() + "\n"), 0;
  const [target] = parsed.positionals;
  const count = parsed.values.count === undefined ? Infinity : Number(parsed.values.count);
  if (!target || parsed.positionals.length > 1) return usage("expects one URL");
  if (!(count > 0)) return usage("--count must be a positive number");
  const url = target.replace(/^http(s?):/i, "ws$1:");

  let WebSocket: WebSocketConstructor;
  try {
    WebSocket = await webSocketConstructor(options);
  } catch (error) {
    return fail((error as Error).message);
  }
  let client: LhttpClient;
  try {
    const token = parsed.values.token;
    client = new LhttpClient(url, { WebSocket, ...(token ? { token: () => token } : {}) });
  } catch (error) {
    return fail((error as Error).message);
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
  const terminal = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const history = terminal ? new HistoryFile(historyPath()) : undefined;
  const input = createInterface({
    input: process.stdin,
    output: terminal ? process.stderr : undefined,
    terminal,
    prompt: PROMPT,
    historySize: HISTORY_SIZE,
    history: history?.load(),
  });
  const screen = new Screen(terminal ? input : undefined);
  screen.status(`connected to ${url}${terminal ? " (type help for commands)" : ""}`);
  let leaving = false;
  let refused = false;
  client.on("close", (close) => {
    if (leaving || close.code === 4401 || close.code === 4403) return; // see unauthorized
    const what = describeClose(close);
    const next = close.reconnecting ? "" : "; giving up";
    screen.status(
      close.wasOpen ? `connection lost: ${what}${next}` : `reconnect failed: ${what}${next}`,
    );
  });
  // A refused login: the same token would be refused again, so stop.
  client.on("unauthorized", (refusal) => {
    refused = true;
    const hint = parsed.values.token ? "" : "; pass --token TOKEN";
    screen.status(`login refused: ${describeClose({ ...refusal, wasOpen: true })}${hint}`);
    void client.close();
  });
  client.on("reconnecting", ({ attempt, delay }) => {
    if (refused) return;
    const wait = delay < 1000 ? `${Math.round(delay)} ms` : `${(delay / 1000).toFixed(1)} s`;
    screen.status(`reconnecting in ${wait} (attempt ${attempt})`);
  });
  // A reconnect (or a gap) the server could not fill from its history.
  client.on("subscribed", ({ channel, history, wasRecovering, recovered }) => {
    if (history && wasRecovering && !recovered) {
      screen.status(`${channel}: publications missed meanwhile are gone from the server's history`);
    }
  });
  client.on("open", ({ reconnected }) => {
    if (reconnected) screen.status(`reconnected to ${url}; subscriptions restored`);
  });
  client.on(
    "queuefull",
    ({ capacity }) => screen.status(`offline queue full (${capacity} frames); frame refused`),
  );

  let received = 0;
  const enough = new Promise<void>((resolve) => {
    client.on("frame", (frame) => {
      if (isPositionFrame(frame)) return; // the client's own bookkeeping, see subscribed
      screen.frame(formatFrame(frame) + "\n");
      if (++received >= count) resolve();
    });
    client.on("state", ({ to }) => to === "closed" && resolve());
  });
  enough.then(() => input.close());
  // Ctrl-C at the prompt leaves like quit (without a listener readline would only pause).
  input.on("SIGINT", () => input.close());

  const session = new Session(client, screen);
  screen.prompt();
  for await (const line of input) {
    history?.add(line);
    if (session.handle(line) === "quit") break;
    input.setPrompt(session.typingRaw ? RAW_PROMPT : PROMPT);
    screen.prompt();
  }
  screen.done();
  session.flush();
  await session.settled();
  if (Number.isFinite(count) && received < count) await enough;
  input.close();
  process.stdin.destroy(); // release the terminal or pipe so the process can exit
  leaving = true;
  await client.close();
  return session.failures > 0 || refused ? 1 : 0;
}

/**
 * A subscription's position frame (PROTOCOL.md section 13): the client asks
 * for one with every subscribe and reads it itself, so it is not a delivery
 * to print or count.
 */
function isPositionFrame(frame: Frame): boolean {
  return frame.command === "position" && frame.headers.has("position") &&
    !frame.headers.has("publish");
}

class Session {
  failures = 0;
  #pending = new Set<Promise<void>>();
  #subscriptions = new Map<string, Subscription>();
  #raw?: { lines: string[]; body?: string[] };

  constructor(readonly client: LhttpClient, readonly screen: Screen) {}

  /** True while a multi-line raw frame is being typed. */
  get typingRaw(): boolean {
    return this.#raw !== undefined;
  }

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
        this.screen.status(`unknown command ${JSON.stringify(word)}; type help`);
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
      () => this.screen.status(`${what}: ok`),
      (error) => {
        this.failures++;
        const detail = error instanceof RemoteError
          ? `${error.status} ${error.code}: ${error.reason}`
          : (error as Error).message;
        this.screen.status(`${what}: failed: ${detail}`);
      },
    ).finally(() => this.#pending.delete(done));
    this.#pending.add(done);
  }
}

function fail(text: string): number {
  process.stderr.write(`lhttp connect: ${text}\n`);
  return 1;
}

function usage(text: string): number {
  process.stderr.write(`lhttp connect: ${text}\n\n${HELP}`);
  return 2;
}
