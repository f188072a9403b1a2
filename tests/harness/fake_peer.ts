// An in-memory peer: what the server sends lands in `sent`, closes in `closedWith`.

import type { FrameData } from "../../src/codec/frame.ts";
import { parseFrame } from "../../src/codec/parse.ts";
import type { Connection, Peer } from "../../src/connection/connection.ts";
import type { Frame } from "../../src/codec/frame.ts";
import type { LhttpServer } from "../../src/server/lhttp_server.ts";

/** A fake client socket attached to a server. */
export class FakeClient {
  readonly sent: FrameData[] = [];
  closedWith?: { code?: number; reason?: string };
  bufferedAmount = 0;
  readonly connection: Connection;

  constructor(readonly server: LhttpServer, data?: unknown) {
    // deno-lint-ignore no-this-alias -- the peer getter needs the client, not itself
    const client = this;
    const peer: Peer = {
      send: (data) => void client.sent.push(data),
      close: (code, reason) => {
        client.closedWith = { code, reason };
        server.release(client.connection);
      },
      get bufferedAmount() {
        return client.bufferedAmount;
      },
    };
    this.connection = server.open(peer, data);
  }

  /** Sends a raw message to the server. */
  send(data: FrameData): void {
    this.server.receive(this.connection, data);
  }

  /** Frames received so far, parsed. */
  frames(): Frame[] {
    return this.sent.map((data) => parseFrame(data));
  }

  /** Takes and parses the frames received so far. */
  take(): Frame[] {
    const frames = this.frames();
    this.sent.length = 0;
    return frames;
  }

  /** The client went away (as the adapter reports a socket close). */
  disconnect(): void {
    this.server.release(this.connection);
  }
}

/** Waits until queued microtasks and timers of 0 ms have run. */
export function settle(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
