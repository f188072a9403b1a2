// Frame a published message once and write the same bytes to every `ws`
// socket. The `ws` package frames and encodes per socket in `ws.send`; for a
// fan-out to N subscribers that is N string encodings and N header
// allocations. Here a message is encoded and framed once per publish.
//
// This touches `ws` internals (`_socket`, `_sender`), so every use is guarded:
// when a socket is not in the plain state (a send queued in the sender,
// compression negotiated, closing), the caller falls back to `ws.send`.

// @ts-types="@types/ws"
import * as ws from "ws";
import { Buffer } from "node:buffer";
import type { FrameData } from "../codec/frame.ts";

interface RawSocket {
  destroyed: boolean;
  write(data: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
}

interface WsInternals {
  _socket?: RawSocket | null;
  _sender?: { _state: number; _queue: unknown[]; _extensions: Record<string, unknown> } | null;
}

// @types/ws does not declare Sender; its static `frame` is stable across ws 8.
const { Sender } = ws as unknown as {
  Sender: {
    frame(
      data: Uint8Array,
      options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
    ): Uint8Array[];
  };
};
const OPEN = 1;

/** One WebSocket frame (header and payload in one buffer), server to client. */
export function frameOnce(data: FrameData): Uint8Array {
  const binary = typeof data !== "string";
  const payload = binary
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data, "utf8");
  const parts = Sender.frame(payload, {
    fin: true,
    opcode: binary ? 2 : 1,
    mask: false,
    readOnly: true,
    rsv1: false,
  });
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * Batches the writes of one event-loop turn per socket: the first write of a
 * turn corks the socket, and one `nextTick` uncorks every corked socket, so a
 * burst of frames to a socket leaves in one `writev` instead of a syscall per
 * frame, and a lone frame still leaves in the same turn.
 */
export class WriteBatcher {
  readonly #corked = new Set<RawSocket>();
  readonly #flush = () => {
    for (const socket of this.#corked) socket.uncork();
    this.#corked.clear();
  };

  /** Writes `framed` to `socket`, corked until the end of this turn. */
  write(socket: RawSocket, framed: Uint8Array): void {
    if (!this.#corked.has(socket)) {
      if (this.#corked.size === 0) queueMicrotask(this.#flush);
      socket.cork();
      this.#corked.add(socket);
    }
    socket.write(framed);
  }
}

/**
 * Writes a pre-framed message straight to the socket; false when the socket
 * is not in a state where that is safe (the caller then uses `ws.send`).
 */
export function writeFramed(
  socketWs: ws.WebSocket,
  framed: Uint8Array,
  batcher?: WriteBatcher,
): boolean {
  if (socketWs.readyState !== OPEN) return false;
  const internals = socketWs as unknown as WsInternals;
  const socket = internals._socket;
  const sender = internals._sender;
  if (!socket || socket.destroyed || !sender) return false;
  // DEFAULT state (0) with an empty queue: nothing of ws's is pending, so
  // our bytes land in order after whatever ws already wrote.
  if (sender._state !== 0 || sender._queue.length !== 0) return false;
  if (sender._extensions["permessage-deflate"]) return false;
  if (batcher) batcher.write(socket, framed);
  else socket.write(framed);
  return true;
}
