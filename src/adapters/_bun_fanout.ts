// Local fan-out on Bun's native topics: `server.publish` frames a message once
// and writes it from native code. The hub keeps the subscription bookkeeping.

import type { FrameData } from "../codec/frame.ts";
import type { Connection } from "../connection/connection.ts";
import type { LocalFanout } from "../hub/hub.ts";
import { isWildcard } from "../hub/pattern_trie.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";
import type { BunServer, BunServerWebSocket } from "./_bun_types.ts";
import { type BunSocketData, sizeOf, socketOf } from "./_bun_peer.ts";

/**
 * Bun's native topics as a {@linkcode LocalFanout}. A native topic costs Bun
 * about 1 KB and buys nothing for one socket, so a channel is a topic only
 * while it has two subscribers or more; a lone subscriber is sent to directly.
 * Bun drains a topic's pending messages before a socket joins or leaves it, so
 * the switch keeps frame order.
 */
export class BunFanout implements LocalFanout<Connection> {
  /** The Bun server, known from the first upgrade; until then, delivery is a loop. */
  native?: BunServer;
  // Channel → subscribers that are not Bun sockets (SSE sessions).
  readonly #others = new Map<string, number>();
  readonly #maxBuffered: number;

  /** The fan-out of `server`. */
  constructor(readonly server: LhttpServer) {
    this.#maxBuffered = server.options.maxBufferedBytes ?? 1024 * 1024;
  }

  subscribe(connection: Connection, channel: string, subscribers: ReadonlySet<Connection>): void {
    const ws = socketOf(connection);
    if (!ws) this.#others.set(channel, (this.#others.get(channel) ?? 0) + 1);
    // Patterns are delivered one by one (the hub matches them), never as topics.
    if (isWildcard(channel) || subscribers.size < 2) return;
    if (subscribers.size > 2) return ws?.subscribe(channel);
    for (const subscriber of subscribers) socketOf(subscriber)?.subscribe(channel);
  }

  unsubscribe(connection: Connection, channel: string, subscribers: ReadonlySet<Connection>): void {
    const ws = socketOf(connection);
    if (!ws) {
      const left = (this.#others.get(channel) ?? 1) - 1;
      if (left > 0) this.#others.set(channel, left);
      else this.#others.delete(channel);
    }
    if (isWildcard(channel)) return;
    leave(ws, channel);
    if (subscribers.size === 1) { for (const last of subscribers) leave(socketOf(last), channel); }
  }

  fanOut(channel: string, data: FrameData, subscribers: ReadonlySet<Connection>): void {
    const native = this.native;
    if (!native || subscribers.size < 2) {
      for (const subscriber of subscribers) subscriber.deliver(data);
      return;
    }
    // Bun's server.publish reaches every subscriber, the publisher included
    // (ws.publish would skip it, and the protocol requires self-delivery).
    const compression = this.server.settings.compression;
    const status = compression
      ? native.publish(channel, data, sizeOf(data) >= compression.minBytes)
      : native.publish(channel, data);
    // Subscribers that are not Bun sockets (SSE sessions) get it one by one.
    if (this.#others.has(channel)) {
      for (const subscriber of subscribers) if (!socketOf(subscriber)) subscriber.deliver(data);
    }
    // 0 or -1: some socket is past backpressureLimit; find it and apply the policy.
    if (status <= 0) applySlowConsumerPolicy(subscribers, data, this.#maxBuffered);
    else {
      this.server.metrics.framesOut += subscribers.size;
      if (pacingDue(subscribers)) observeBuffers(subscribers);
    }
  }
}

function leave(ws: BunServerWebSocket<BunSocketData> | undefined, channel: string): void {
  try {
    ws?.unsubscribe(channel);
  } catch {
    // The socket is already closed; Bun dropped its topics with it.
  }
}

function applySlowConsumerPolicy(
  subscribers: ReadonlySet<Connection>,
  data: FrameData,
  max: number,
): void {
  const size = sizeOf(data);
  for (const connection of subscribers) {
    const ws = socketOf(connection);
    if (!ws) continue;
    const buffered = ws.getBufferedAmount();
    if (buffered + size > max) connection.slow();
    else connection.options.pacer?.observe(connection, buffered);
  }
}

// Native publish never passes through Connection.deliver, so publisher pacing
// (connection/pacer.ts) looks at the subscribers' buffers here. Bun writes topic
// messages at the end of an event-loop turn, so buffers cannot change within
// one: a look per channel and millisecond is as good as one per publish, and
// keeps a 10 000-subscriber channel from costing 10 000 calls per frame.
const lastLook = new WeakMap<ReadonlySet<Connection>, number>();

function pacingDue(subscribers: ReadonlySet<Connection>): boolean {
  const now = performance.now();
  if (now - (lastLook.get(subscribers) ?? -1) < 1) return false;
  lastLook.set(subscribers, now);
  return true;
}

function observeBuffers(subscribers: ReadonlySet<Connection>): void {
  for (const connection of subscribers) {
    const pacer = connection.options.pacer;
    if (!pacer) return;
    const ws = socketOf(connection);
    if (ws) pacer.observe(connection, ws.getBufferedAmount());
  }
}
