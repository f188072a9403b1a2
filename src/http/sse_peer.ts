/**
 * `SsePeer`: the write side of one SSE session, a {@linkcode Peer} like any
 * WebSocket. What it sends waits in a byte-counted queue until the runtime
 * pulls the response stream, so `bufferedAmount` is what the network has not
 * taken yet, and the slow-consumer policy and publisher pacing apply as on
 * WebSocket. A stream that holds unread bytes for `stallMs` is cut.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";
import type { Peer } from "../connection/connection.ts";
import { frameEvent, HEARTBEAT, jsonEvent } from "./sse_events.ts";
import { SsePositions } from "./sse_positions.ts";

const encoder = new TextEncoder();

/** Timing of an {@linkcode SsePeer}. */
export interface SsePeerOptions {
  /** A heartbeat comment every this many ms (default 5 000, below Bun's 10 s idle timeout). */
  heartbeatMs?: number;
  /** Bytes unread for this long (ms) close the stream (default 30 000). */
  stallMs?: number;
  /** Called once the stream is gone (closed, cancelled by the client, or cut). */
  onGone?: () => void;
}

// Chunks handed to the runtime at once, so that a backlog is not one huge copy.
const CHUNK = 64 * 1024;

/**
 * One SSE response stream as a peer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SsePeer } from "./sse_peer.ts";
 * const peer = new SsePeer({ heartbeatMs: 0 });
 * peer.send("LHTTP/1.0 ping");
 * assert.equal(peer.bufferedAmount, "data:LHTTP/1.0 ping\n\n".length);
 * const reader = peer.stream.getReader();
 * assert.equal(new TextDecoder().decode((await reader.read()).value), "data:LHTTP/1.0 ping\n\n");
 * assert.equal(peer.bufferedAmount, 0);
 * peer.close(1000, "bye");
 * assert.match(new TextDecoder().decode((await reader.read()).value), /^event:close\n/);
 * assert.equal((await reader.read()).done, true);
 * ```
 */
export class SsePeer implements Peer {
  /** The response body. */
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #wanted = false;
  #gone = false;
  #pulledAt = Date.now();
  readonly #heartbeatMs: number;
  readonly #options: SsePeerOptions;

  /** Makes the stream; heartbeats start at once. */
  constructor(options: SsePeerOptions = {}) {
    this.#options = options;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => void (this.#controller = controller),
      pull: () => {
        this.#pulledAt = Date.now();
        this.#wanted = true;
        this.#flush();
      },
      cancel: () => this.#end(),
    }, { highWaterMark: 0 });
    this.#heartbeatMs = options.heartbeatMs ?? 5_000;
    if (this.#heartbeatMs > 0) beat(this.#heartbeatMs, this, true);
  }

  /** Bytes written but not yet taken by the runtime. */
  get bufferedAmount(): number {
    return this.#queued;
  }

  /** @internal sees each frame first; a frame it returns true for is not written */
  intercept?: (data: FrameData) => boolean;

  /** History positions seen, written as the event id (PROTOCOL.md section 15). */
  readonly positions: SsePositions = new SsePositions();

  /** Writes a frame as an SSE event (with an `id:` line when a history position moved). */
  send(data: FrameData): void {
    if (this.intercept?.(data)) return;
    if (this.positions.observe(data)) this.write(encoder.encode(`id:${this.positions.id()}\n`));
    this.write(frameEvent(data));
  }

  /** @internal writes raw SSE bytes (events, comments) */
  write(bytes: Uint8Array): void {
    if (this.#gone) return;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (this.#wanted) this.#flush();
  }

  /**
   * Ends the stream with a `close` event carrying `code` and `reason`. A
   * backlog is dropped: a slow or stalled reader does not hold the stream open.
   */
  close(code = 1000, reason = ""): void {
    if (this.#gone) return;
    if (this.#queued > 0 && !this.#wanted) this.#queue = [], this.#queued = 0;
    this.write(jsonEvent("close", { code, reason }));
    for (const chunk of this.#queue) this.#controller.enqueue(chunk);
    this.#queue = [];
    this.#queued = 0;
    try {
      this.#controller.close();
    } catch {
      // Already cancelled.
    }
    // A reader that never takes the close event is cut after the stall time.
    const cut = setTimeout(() => this.#controller.error(new Error("closed")), this.#stallMs());
    (cut as { unref?: () => void }).unref?.();
    this.#end();
  }

  #flush(): void {
    if (!this.#wanted || this.#queue.length === 0 || this.#gone) return;
    let chunk: Uint8Array;
    if (this.#queue.length === 1 || this.#queue[0].length >= CHUNK) chunk = this.#queue.shift()!;
    else {
      let size = 0, count = 0;
      while (count < this.#queue.length && size + this.#queue[count].length <= CHUNK) {
        size += this.#queue[count++].length;
      }
      chunk = new Uint8Array(size);
      let at = 0;
      for (const part of this.#queue.splice(0, count)) chunk.set(part, at), at += part.length;
    }
    this.#queued -= chunk.length;
    this.#wanted = false;
    this.#controller.enqueue(chunk);
  }

  /** @internal the heartbeat: a comment, or the cut of a stream that is not read */
  tick(): void {
    if (this.#queued > 0 && Date.now() - this.#pulledAt > this.#stallMs()) {
      // Nothing taken for the stall time: the client does not read. Cut it.
      this.#queue = [];
      this.#queued = 0;
      try {
        this.#controller.error(new Error("SSE stream not read"));
      } catch {
        // Already closed.
      }
      this.#end();
      return;
    }
    this.write(HEARTBEAT);
  }

  #stallMs(): number {
    return this.#options.stallMs ?? 30_000;
  }

  #end(): void {
    if (this.#gone) return;
    this.#gone = true;
    if (this.#heartbeatMs > 0) beat(this.#heartbeatMs, this, false);
    this.#options.onGone?.();
  }
}

// One timer per heartbeat period for every stream, not one per stream.
const beats = new Map<number, { peers: Set<SsePeer>; timer: ReturnType<typeof setInterval> }>();

function beat(ms: number, peer: SsePeer, on: boolean): void {
  let group = beats.get(ms);
  if (on && !group) {
    const peers = new Set<SsePeer>();
    const timer = setInterval(() => {
      for (const each of [...peers]) each.tick();
    }, ms);
    (timer as { unref?: () => void }).unref?.();
    beats.set(ms, group = { peers, timer });
  }
  if (!group) return;
  if (on) group.peers.add(peer);
  else {
    group.peers.delete(peer);
    if (group.peers.size === 0) {
      clearInterval(group.timer);
      beats.delete(ms);
    }
  }
}
