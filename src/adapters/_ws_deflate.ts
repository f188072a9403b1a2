// permessage-deflate (RFC 7692) for the Node fan-out: a publication is
// compressed and framed once, and the same bytes go to every `ws` socket
// that negotiated the extension. The server never keeps a compression context
// (server_no_context_takeover), so one message fits every socket. Guarded like
// `_ws_fast.ts`: when ws has anything pending for a socket, the caller falls
// back to `ws.send` (which compresses with ws's own, bounded, zlib queue).

// @ts-types="@types/ws"
import * as ws from "ws";
import { Buffer } from "node:buffer";
import { constants, deflateRawSync } from "node:zlib";
import type { FrameData } from "../codec/frame.ts";
import type { WriteBatcher } from "./_ws_fast.ts";

const { Sender } = ws as unknown as {
  Sender: {
    frame(
      data: Uint8Array,
      options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
    ): Uint8Array[];
  };
};

interface Internals {
  _socket?: { destroyed: boolean; write(data: Uint8Array): boolean } | null;
  _sender?: { _state: number; _queue: unknown[]; _extensions: Record<string, unknown> } | null;
}

const TAIL = [0x00, 0x00, 0xff, 0xff];

/**
 * One compressed WebSocket message (RSV1 set), server to client: the payload
 * deflated with no shared context, its trailing `00 00 ff ff` removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameDeflated } from "./_ws_deflate.ts";
 * const framed = frameDeflated("LHTTP/1.0 chat\r\n\r\n" + "ha".repeat(500));
 * assert.equal(framed[0], 0xc1, "FIN + RSV1 + text");
 * assert.ok(framed.length < 100);
 * ```
 */
export function frameDeflated(data: FrameData): Uint8Array {
  const binary = typeof data !== "string";
  const payload = binary
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data, "utf8");
  const deflated = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  const ends = TAIL.every((byte, i) => deflated[deflated.length - 4 + i] === byte);
  const body = ends ? deflated.subarray(0, deflated.length - 4) : deflated;
  const parts = Sender.frame(body, {
    fin: true,
    opcode: binary ? 2 : 1,
    mask: false,
    readOnly: true,
    rsv1: true,
  });
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * Writes a pre-framed message (compressed or not) to a socket that negotiated
 * permessage-deflate; false when it did not, or when ws has something pending.
 */
export function writeToDeflateSocket(
  socketWs: ws.WebSocket,
  framed: Uint8Array,
  batcher: WriteBatcher,
): boolean {
  if (socketWs.readyState !== 1) return false;
  const internals = socketWs as unknown as Internals;
  const socket = internals._socket;
  const sender = internals._sender;
  if (!socket || socket.destroyed || !sender) return false;
  if (sender._state !== 0 || sender._queue.length !== 0) return false;
  if (!sender._extensions["permessage-deflate"]) return false;
  batcher.write(socket as Parameters<WriteBatcher["write"]>[0], framed);
  return true;
}
