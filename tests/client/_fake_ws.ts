// An in-memory WebSocket and a manual clock for the client's unit tests.

import { parseFrame } from "../../src/codec/parse.ts";
import { serializeFrame } from "../../src/codec/serialize.ts";
import type { Frame } from "../../src/codec/frame.ts";
import type { Clock, WebSocketConstructor, WebSocketLike } from "../../src/client/options.ts";

/** A socket the test opens, feeds and drops by hand. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  binaryType = "blob";
  sent: (string | Uint8Array)[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closedWith?: number;

  constructor(readonly url: string) {}

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(data: string | Frame | ArrayBuffer): void {
    const payload = typeof data === "string" || data instanceof ArrayBuffer
      ? data
      : serializeFrame(data);
    this.onmessage?.({ data: payload });
  }

  /** The network drops (or a connect fails when never opened). */
  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code, reason });
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState === 3) return;
    this.closedWith = code;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code: code ?? 1005, reason: reason ?? "" }));
  }

  /** What the client sent, parsed. */
  frames(): Frame[] {
    return this.sent.map((data) => parseFrame(data));
  }

  /** Answers every frame sent so far that asked for an acknowledgement. */
  ackAll(status = 200): void {
    for (const frame of this.frames()) {
      const ack = frame.headers.get("ack");
      if (ack === undefined || this.#acked.has(ack)) continue;
      this.#acked.add(ack);
      this.receive({
        command: frame.command,
        headers: new Map([["ack", ack], ["status", String(status)]]),
        body: "",
      });
    }
  }
  #acked = new Set<string>();
}

/** A WebSocket constructor recording every socket it makes. */
export function fakeWebSocket(): { WebSocket: WebSocketConstructor; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  const WebSocket = class extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  };
  return { WebSocket, sockets };
}

/** Timers that fire only when the test says so. */
export class ManualClock implements Clock {
  timers = new Map<number, { callback: () => void; ms: number }>();
  delays: number[] = [];
  #next = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.timers.set(id, { callback, ms });
    this.delays.push(ms);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Fires the oldest timer whose delay is `ms` or less (any, by default). */
  fire(maxMs = Infinity): boolean {
    for (const [id, timer] of this.timers) {
      if (timer.ms > maxMs) continue;
      this.timers.delete(id);
      timer.callback();
      return true;
    }
    return false;
  }
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
