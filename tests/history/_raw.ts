// A raw WebSocket peer for wire tests: what it sends and receives is exact.

import { within } from "../client/_guard.ts";

/** A raw socket that records every message it receives, as text. */
export class RawPeer {
  readonly received: string[] = [];
  readonly #socket: WebSocket;
  #waiters: (() => void)[] = [];

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => {
      const data = event.data;
      this.received.push(typeof data === "string" ? data : new TextDecoder().decode(data));
      for (const wake of this.#waiters.splice(0)) wake();
    };
  }

  /** Opens a peer on `url`. */
  static async open(url: string): Promise<RawPeer> {
    const socket = new WebSocket(url);
    await within(
      new Promise<void>((resolve, reject) => {
        socket.onopen = () => resolve();
        socket.onerror = () => reject(new Error(`cannot open ${url}`));
      }),
      "open",
    );
    return new RawPeer(socket);
  }

  /** Sends a frame given as text. */
  send(frame: string): void {
    this.#socket.send(frame);
  }

  /** Sends `frame` with `ack:<token>` and resolves with the frames received up to its answer. */
  async request(frame: string, token: string): Promise<string[]> {
    const start = this.received.length;
    const [head, ...rest] = frame.split("\r\n\r\n");
    this.send(`${head}\r\nack:${token}\r\n\r\n${rest.join("\r\n\r\n")}`);
    const answer = await this.until((all) =>
      all.slice(start).some((m) => m.includes(`\r\nack:${token}\r\n`))
    );
    return answer.slice(start);
  }

  /** Resolves once `test(received)` is true. */
  async until(test: (received: string[]) => boolean, what = "frames"): Promise<string[]> {
    await within(
      (async () => {
        while (!test(this.received)) await new Promise<void>((wake) => this.#waiters.push(wake));
      })(),
      what,
    );
    return this.received;
  }

  /** Closes the socket and waits for its close. */
  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) =>
      this.#socket.addEventListener("close", () => resolve())
    );
    this.#socket.close();
    await within(closed, "close");
  }
}
