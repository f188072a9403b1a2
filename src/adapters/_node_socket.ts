// One `ws` socket of the Node adapter, at the least memory it can cost: a
// NodePeer is the only object lhttp adds beside the Connection, its `ws`
// listeners are shared functions (the peer is found on the socket), and the
// heartbeat is one sweep over every peer, not a timer per socket.

// @ts-types="@types/ws"
import type { WebSocket } from "ws";
import type { FrameData } from "../codec/frame.ts";
import type { Connection, Peer } from "../connection/connection.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";
import { type WriteBatcher, writeFramed } from "./_ws_fast.ts";
import { writeToDeflateSocket } from "./_ws_deflate.ts";

// PROTOCOL.md, "Errors": 4009 closes a peer silent through a whole idle timeout.
const IDLE_CLOSE_CODE = 4009;

/** The message being fanned out, framed once; peers compare by identity. */
export interface Fanning {
  /** `deflated`: the compressed message, made on first use (compression on, frame not small). */
  current?: {
    data: FrameData;
    framed: Uint8Array;
    compression?: boolean;
    deflated?: () => Uint8Array;
  };
  /** Corks each socket for the rest of the turn. */
  readonly batcher: WriteBatcher;
  /** Where the sockets' frames go. */
  readonly server: LhttpServer;
  /** Every open peer, for the heartbeat. */
  readonly peers: Set<NodePeer>;
}

/** A `ws` socket as lhttp's {@linkcode Peer}; it also holds the socket's connection. */
export class NodePeer implements Peer {
  /** Heard from since the last heartbeat. */
  alive = true;
  /** Closed for silence once; the next sweep terminates it. */
  idleClosed = false;
  /** The connection, once the server opened it. */
  connection?: Connection;
  /** Wraps `ws`, writing fan-outs through `fanning`. */
  constructor(readonly ws: WebSocket, readonly fanning: Fanning) {}
  send(data: FrameData): void {
    const fanning = this.fanning.current;
    if (fanning?.data === data && writeFramed(this.ws, fanning.framed, this.fanning.batcher)) {
      return;
    }
    if (fanning?.data === data && fanning.compression) {
      // A deflate socket: the compressed copy, or the plain frame for small ones.
      const framed = fanning.deflated?.() ?? fanning.framed;
      if (writeToDeflateSocket(this.ws, framed, this.fanning.batcher)) return;
    }
    this.ws.send(data);
  }
  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
  // While the core paces this connection (connection/pacer.ts), stop reading its
  // socket: TCP pushes back on the publisher instead of frames queueing here.
  pause(): void {
    this.ws.pause();
  }
  resume(): void {
    this.ws.resume();
  }
}

// The peer rides on its socket, so one function serves every socket's events.
const PEER = Symbol("lhttp.peer");
type Carrier = WebSocket & { [PEER]: NodePeer };

function onMessage(this: Carrier, data: Uint8Array, isBinary: boolean): void {
  const peer = this[PEER];
  peer.alive = true;
  const connection = peer.connection;
  if (!connection) return;
  // Text arrives as a Buffer; a binary frame is copied out of ws's buffer.
  peer.fanning.server.receive(connection, isBinary ? new Uint8Array(data) : String(data));
}

function onPong(this: Carrier): void {
  this[PEER].alive = true;
}

function onClose(this: Carrier): void {
  const peer = this[PEER];
  peer.fanning.peers.delete(peer);
  if (peer.connection) peer.fanning.server.release(peer.connection);
}

// ws emits protocol errors here (an EventEmitter with no listener would throw); the close follows.
function onError(): void {}

/**
 * Opens the lhttp connection of an upgraded `ws` socket: the `decision`
 * of `server.accept`. Listeners are shared; the peer is found on the socket.
 */
export function openSocket(
  ws: WebSocket,
  fanning: Fanning,
  decision: { data: unknown; refusal?: { code: number; reason: string } },
): NodePeer {
  const peer = new NodePeer(ws, fanning);
  (ws as Carrier)[PEER] = peer;
  fanning.peers.add(peer);
  ws.on("message", onMessage as never);
  ws.on("pong", onPong as never);
  ws.on("close", onClose as never);
  ws.on("error", onError);
  peer.connection = fanning.server.open(peer, decision.data, decision.refusal);
  return peer;
}

/**
 * Starts the heartbeat of `peers`: every idle/2, a peer that answered neither
 * the previous ping nor sent anything since is closed with 4009 and its
 * subscriptions released. A dead peer cannot answer the close either (ws would
 * wait 30 s for it), so one still there a round later is cut. Returns the
 * timer (unref'd), or undefined when `idleMs` is 0.
 */
export function startHeartbeat(
  peers: Set<NodePeer>,
  idleMs: number,
): ReturnType<typeof setInterval> | undefined {
  if (idleMs <= 0) return undefined;
  const timer = setInterval(() => {
    for (const peer of peers) {
      if (!peer.alive) {
        if (peer.idleClosed) peer.ws.terminate();
        else peer.ws.close(IDLE_CLOSE_CODE, "idle timeout");
        peer.idleClosed = true;
        continue;
      }
      peer.alive = false;
      peer.ws.ping();
    }
  }, idleMs / 2);
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
