// What the Bun adapter keeps per socket: one object that is the socket's
// `data` and its lhttp Peer at once.

import type { FrameData } from "../codec/frame.ts";
import type { Connection, Peer } from "../connection/connection.ts";
import type { BunServerWebSocket } from "./_bun_types.ts";

/** What the adapter keeps on each Bun socket. */
export interface BunSocketData {
  /** What `authenticate` returned. */
  accepted: unknown;
  /** Set when `authenticate` refused: the socket is closed with this at once. */
  refusal?: { code: number; reason: string };
  /** The lhttp connection, once open. */
  connection?: Connection;
}

/**
 * The data of a Bun socket is also its {@linkcode Peer}: one object per socket
 * beside the Connection. Bun's send status feeds the slow-consumer policy.
 */
export class BunPeer implements Peer, BunSocketData {
  /** The lhttp connection, once open. */
  connection?: Connection;
  /** The socket, set when it opens. */
  ws!: BunServerWebSocket<BunSocketData>;
  /** `compressFrom`: sends of this many bytes or more are compressed (where negotiated). */
  constructor(
    readonly accepted: unknown,
    readonly refusal: { code: number; reason: string } | undefined,
    readonly compressFrom: number,
  ) {}
  send(data: FrameData): number {
    return this.ws.send(data, sizeOf(data) >= this.compressFrom);
  }
  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
  get bufferedAmount(): number {
    return this.ws.getBufferedAmount();
  }
}

/** The Bun socket of a connection; undefined for other peers (SSE sessions). */
export function socketOf(connection: Connection): BunServerWebSocket<BunSocketData> | undefined {
  return connection.peer instanceof BunPeer ? connection.peer.ws : undefined;
}

/** Bytes of binary data, code units of text. */
export function sizeOf(data: FrameData): number {
  return typeof data === "string" ? data.length : data.byteLength;
}
