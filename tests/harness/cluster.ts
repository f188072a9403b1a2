// lhttp nodes and WebSocket clients for the cluster tests.

import type { FrameData } from "../../src/codec/frame.ts";
import { parseFrame } from "../../src/codec/parse.ts";
import type { Frame } from "../../src/codec/frame.ts";
import { createLogger, type Logger } from "../../src/telemetry/log.ts";
import { serveDeno } from "../../src/adapters/deno.ts";
import { NatsBus, type NatsBusOptions } from "../../src/nats/mod.ts";
import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { waitFor } from "./nats_server.ts";

/** A node running in this test process. */
export interface DenoNode {
  readonly url: string;
  readonly server: LhttpServer;
  readonly bus: NatsBus;
  readonly logs: string[];
  stop(): Promise<void>;
}

/** Starts an lhttp node with a NATS bus in this process. */
export function startDenoNode(options: NatsBusOptions): DenoNode {
  const logs: string[] = [];
  const logger: Logger = createLogger("debug", (line) => void logs.push(line));
  const bus = new NatsBus({ logger, ...options });
  const server = new LhttpServer({ bus, logger });
  const running = serveDeno(server, { port: 0, hostname: "127.0.0.1" });
  return {
    url: `http://127.0.0.1:${running.port}`,
    server,
    bus,
    logs,
    stop: () => running.shutdown(),
  };
}

/** A WebSocket client speaking LHTTP frames, recording what it receives. */
export class Client {
  /** Frames received that are not acknowledgements. */
  readonly received: Frame[] = [];
  readonly #acks = new Map<string, (frame: Frame | undefined) => void>();
  readonly #socket: WebSocket;
  readonly #closed: Promise<void>;
  #ack = 0;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) =>
      socket.addEventListener("close", () => {
        // Requests still waiting fail instead of hanging the test.
        for (const answer of this.#acks.values()) answer(undefined);
        resolve();
      })
    );
    socket.addEventListener("message", (event) => {
      const data: FrameData = typeof event.data === "string"
        ? event.data
        : new Uint8Array(event.data as ArrayBuffer);
      const frame = parseFrame(data);
      const ack = frame.headers.get("ack");
      if (ack === undefined) this.received.push(frame);
      else this.#acks.get(ack)?.(frame);
    });
  }

  /** Connects to a node's base URL (`http://host:port`). */
  static async open(url: string): Promise<Client> {
    const socket = new WebSocket(url.replace(/^http/, "ws") + "/");
    socket.binaryType = "arraybuffer";
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), {
        once: true,
      });
    });
    return new Client(socket);
  }

  /** Sends a frame with `headers` and waits for its acknowledgement. */
  async request(headers: Record<string, string>, body: string | Uint8Array = ""): Promise<Frame> {
    const ack = String(++this.#ack);
    const lines = Object.entries({ ...headers, ack }).map(([name, value]) =>
      `${name}:${value}\r\n`
    );
    const head = `LHTTP/1.0 chat\r\n${lines.join("")}\r\n`;
    const answered = new Promise<Frame | undefined>((resolve) => this.#acks.set(ack, resolve));
    this.#socket.send(typeof body === "string" ? head + body : concat(head, body));
    const frame = await answered;
    this.#acks.delete(ack);
    if (!frame) throw new Error(`socket closed before ack ${ack}`);
    if (frame.headers.get("status") !== "200") {
      throw new Error(`request failed: ${frame.headers.get("reason")}`);
    }
    return frame;
  }

  subscribe(channels: string): Promise<Frame> {
    return this.request({ subscribe: channels });
  }
  unsubscribe(channels: string): Promise<Frame> {
    return this.request({ unsubscribe: channels });
  }
  publish(channels: string, body: string | Uint8Array): Promise<Frame> {
    return this.request({ publish: channels }, body);
  }

  /** Bodies received so far, as text. */
  texts(): string[] {
    return this.received.map((frame) =>
      typeof frame.body === "string" ? frame.body : new TextDecoder().decode(frame.body)
    );
  }

  /** Waits until `count` frames have arrived. */
  waitForCount(count: number, timeoutMs = 10_000): Promise<void> {
    return waitFor(
      () => this.received.length >= count,
      `${count} frames (have ${this.received.length})`,
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    this.#socket.close();
    await this.#closed;
  }
}

function concat(head: string, body: Uint8Array): Uint8Array {
  const bytes = new TextEncoder().encode(head);
  const out = new Uint8Array(bytes.length + body.length);
  out.set(bytes);
  out.set(body, bytes.length);
  return out;
}

/** Publishes a frame with `POST /publish` on a node; returns the delivered count. */
export async function httpPublish(url: string, channels: string, body: string): Promise<number> {
  const response = await fetch(`${url}/publish`, {
    method: "POST",
    body: `LHTTP/1.0 chat\r\npublish:${channels}\r\n\r\n${body}`,
  });
  const answer = await response.json() as { status: number; delivered: number; reason?: string };
  if (answer.status !== 200) throw new Error(`POST /publish failed: ${answer.reason}`);
  return answer.delivered;
}

/** The bus state a node reports at `/healthz`. */
export async function healthBus(url: string): Promise<string> {
  const response = await fetch(`${url}/healthz`);
  return ((await response.json()) as { bus: string }).bus;
}
