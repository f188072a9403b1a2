/**
 * `SharedHub`: the side of a `SharedLhttpClient` that holds the one
 * connection, in the leader tab or in the `SharedWorker`. It counts each
 * channel's subscribing tabs (the server sees one subscription per channel),
 * sends a channel's frames and positions to the tabs that hold it, answers
 * each request to the tab that asked, and releases a vanished tab's channels.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";
import type { LhttpClient, Subscription } from "./lhttp_client.ts";
import { type HubMessage, type TabRequest, toWire, type WireError } from "./_shared_protocol.ts";

/** Where the hub's messages go. */
export interface HubSink {
  /** To the tab `tab`. */
  send(tab: string, message: HubMessage): void;
  /** To the tabs in `holders` (a broadcast may reach more; tabs filter by channel). */
  cast(holders: ReadonlySet<string>, message: HubMessage): void;
}

interface Ref {
  tabs: Set<string>;
  subscription: Subscription;
}

/**
 * Serves many tabs' requests on one {@linkcode LhttpClient}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedHub } from "./_shared_hub.ts";
 * import { LhttpClient } from "./lhttp_client.ts";
 * class Socket { readyState = 0; binaryType = ""; onopen = null; onmessage = null; onclose: any = null; onerror = null; send() {} close() { this.onclose?.({ code: 1000, reason: "" }); } }
 * const client = new LhttpClient("ws://x/", { WebSocket: Socket, reconnect: false });
 * const sent: unknown[] = [];
 * const hub = new SharedHub(client, { send: (tab, m) => sent.push([tab, m]), cast() {} });
 * await hub.serve({ t: "pub", tab: "t1", id: 7, channel: "bad channel!", body: "x" });
 * assert.deepEqual(sent.map(([tab, m]: any) => [tab, m.id, m.error.code]), [["t1", 7, "bad_channel"]]);
 * await hub.close();
 * ```
 */
export class SharedHub {
  readonly #refs = new Map<string, Ref>();
  readonly #client: LhttpClient;
  readonly #sink: HubSink;

  /** Serves on `client`, which the hub then owns (it closes it). */
  constructor(client: LhttpClient, sink: HubSink) {
    this.#client = client;
    this.#sink = sink;
    // Tabs compare the channel's top with what they delivered, and ask for the rest.
    client.on("subscribed", ({ channel, offset, epoch }) => {
      const ref = this.#refs.get(channel);
      if (ref) sink.cast(ref.tabs, { t: "position", channel, offset, epoch });
    });
  }

  /** The channels a tab holds (for tests and diagnostics). */
  channelsOf(tab: string): string[] {
    return [...this.#refs].filter(([, ref]) => ref.tabs.has(tab)).map(([channel]) => channel);
  }

  /** Does what a tab asked and answers it (unless its id is 0). */
  async serve(request: TabRequest): Promise<void> {
    let error: WireError | undefined;
    let frames: Frame[] | undefined;
    try {
      if (request.t === "sub") await this.#subscribe(request.channel, request.tab);
      else if (request.t === "unsub") await this.#unsubscribe(request.channel, request.tab);
      else if (request.t === "pub") {
        const { command, headers } = request;
        await this.#client.publish(request.channel, request.body, { command, headers });
      } else frames = await this.#fill(request.channel, request.since);
    } catch (failure) {
      error = toWire(failure);
    }
    if (request.id !== 0) {
      this.#sink.send(request.tab, { t: "ans", to: request.tab, id: request.id, error, frames });
    }
  }

  /** A tab left or vanished: every channel only it held is unsubscribed. */
  release(tab: string): void {
    for (const channel of this.channelsOf(tab)) {
      this.#unsubscribe(channel, tab).catch(() => {});
    }
  }

  /** Closes the connection. */
  close(): Promise<void> {
    this.#refs.clear();
    return this.#client.close();
  }

  async #subscribe(channel: string, tab: string): Promise<void> {
    let ref = this.#refs.get(channel);
    if (!ref) {
      const tabs = new Set<string>();
      const subscription = this.#client.subscribe(channel, (frame) => {
        this.#sink.cast(tabs, { t: "frame", channel, frame });
      });
      ref = { tabs, subscription };
      this.#refs.set(channel, ref);
    }
    ref.tabs.add(tab);
    const current = ref;
    await ref.subscription.ready.catch((error) => {
      // Refused: the client dropped it, so the next ask starts afresh.
      if (this.#refs.get(channel) === current) this.#refs.delete(channel);
      throw error;
    });
  }

  async #unsubscribe(channel: string, tab: string): Promise<void> {
    const ref = this.#refs.get(channel);
    if (!ref?.tabs.delete(tab) || ref.tabs.size > 0) return;
    this.#refs.delete(channel);
    await ref.subscription();
  }

  // History after `since`, shaped as deliveries (a `publish` header, no `history`).
  async #fill(channel: string, since: { offset: number; epoch: string }): Promise<Frame[]> {
    const { publications } = await this.#client.history(channel, { since });
    for (const frame of publications) {
      frame.headers.delete("history");
      frame.headers.set("publish", channel);
    }
    return publications;
  }
}
