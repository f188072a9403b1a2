/**
 * `SharedLhttpClient`: one server connection for every tab of an origin
 * (issue 19, part 3; opt-in). With `share: "worker"` a `SharedWorker` holds
 * the only {@linkcode LhttpClient} and tabs talk to it over its port; with
 * `"leader"` (or where `SharedWorker` is missing) tabs elect a leader with
 * Web Locks, which holds it and talks to the others over a
 * `BroadcastChannel`. Either way subscriptions are counted across tabs (the
 * server sees one per channel), each tab gets only its own channels' frames,
 * and acks and errors go back to the tab that asked. When a leader's tab
 * closes, another takes over and subscribes again; on channels with history
 * each tab then fetches what it missed, so nothing is lost or repeated.
 *
 * @module
 */

import { type Frame, type HeadersInit, toHeaderMap } from "../codec/frame.ts";
import { ClientError } from "./errors.ts";
import { websocketUrl } from "./websocket_url.ts";
import { type SharedClientOptions, type ShareMode, shareMode } from "./shared_options.ts";
import { localLink } from "./_shared_local.ts";
import { LeaderLink } from "./_shared_leader.ts";
import { TabOrder } from "./_shared_order.ts";
import { PortLink } from "./_shared_port.ts";
import {
  fromWire,
  type HubMessage,
  type TabLink,
  type TabReceiver,
  type TabRequest,
  type WirePosition,
} from "./_shared_protocol.ts";

interface Pending {
  request: TabRequest;
  resolve(frames?: Frame[]): void;
  reject(error: Error): void;
}

/**
 * A client whose tabs share one connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedLhttpClient } from "@lhttp/lhttp/client";
 * class Socket { readyState = 0; binaryType = ""; onopen = null; onmessage = null; onclose: any = null; onerror = null; send() {} close() { this.onclose?.({ code: 1000, reason: "" }); } }
 * // Two "tabs" (Deno has Web Locks and BroadcastChannel too): the first leads.
 * const options = { WebSocket: Socket, name: "doc" };
 * const first = new SharedLhttpClient("ws://localhost:8081/", options);
 * const second = new SharedLhttpClient("ws://localhost:8081/", options);
 * assert.equal(second.mode, "leader");
 * // The leader's hub answers the tab that asked.
 * await assert.rejects(second.publish("bad channel!", "x"), { code: "bad_channel" });
 * assert.deepEqual([first.leader, second.leader], [true, false]);
 * await second.close();
 * await first.close();
 * ```
 *
 * @example
 * ```ts ignore
 * import { SharedLhttpClient } from "@lhttp/lhttp/client";
 * const client = new SharedLhttpClient("wss://example.com/", { workerUrl: "/vendor/lhttp-shared-worker.js" });
 * const unsubscribe = await client.subscribe("room", (frame) => console.log(frame.body));
 * await client.publish("room", "hello from one of many tabs");
 * await unsubscribe();
 * ```
 */
export class SharedLhttpClient {
  /** This tab's random id. */
  readonly tab: string = crypto.randomUUID();
  /** How this tab shares the connection. */
  readonly mode: Exclude<ShareMode, "auto">;
  /** The server's WebSocket URL, normalized. */
  readonly url: string;
  readonly #handlers = new Map<string, Set<(frame: Frame) => void>>();
  readonly #pending = new Map<number, Pending>();
  readonly #order: TabOrder;
  readonly #link: TabLink;
  #nextId = 1;
  // A hub answered already: a `leader` now is a change, not the first election.
  #hubSeen = false;

  /** Joins the tabs sharing `url` (or `options.name`). Throws `invalid_url` at once. */
  constructor(url: string | URL, options: SharedClientOptions = {}) {
    this.url = websocketUrl(url);
    this.mode = shareMode(options);
    const name = `lhttp-tabs:${options.name ?? this.url}`;
    this.#order = new TabOrder(
      (channel, frame) => this.#dispatch(channel, frame),
      (channel, since) => this.#fill(channel, since),
    );
    const receive: TabReceiver = (message) => this.#onMessage(message);
    if (this.mode === "worker") {
      this.#link = new PortLink(this.tab, name, this.url, options, options.workerUrl!, receive);
    } else if (this.mode === "leader") {
      this.#link = new LeaderLink(this.tab, name, this.url, options, receive);
    } else this.#link = localLink(this.url, options, receive);
  }

  /** Whether this tab holds the connection (never on the worker path). */
  get leader(): boolean {
    return this.#link.leader;
  }

  /** The last delivered position of a subscribed channel with history. */
  position(channel: string): WirePosition | undefined {
    return this.#order.get(channel);
  }

  /** Subscribes this tab to `channel`; resolves, with a function that unsubscribes, once the server acknowledged. */
  async subscribe(channel: string, handler: (frame: Frame) => void): Promise<() => Promise<void>> {
    let set = this.#handlers.get(channel);
    if (!set) this.#handlers.set(channel, set = new Set());
    set.add(handler);
    const leave = async (send: boolean) => {
      set.delete(handler);
      if (set.size > 0 || this.#handlers.get(channel) !== set) return;
      this.#handlers.delete(channel);
      this.#order.forget(channel);
      if (send) await this.#ask({ t: "unsub", tab: this.tab, id: this.#nextId++, channel });
    };
    try {
      await this.#ask({ t: "sub", tab: this.tab, id: this.#nextId++, channel });
    } catch (error) {
      await leave(false);
      throw error;
    }
    return () => leave(true);
  }

  /** Publishes through the connection's holder; settles with the server's answer. */
  async publish(
    channel: string,
    body: string | Uint8Array,
    options: { command?: string; headers?: HeadersInit } = {},
  ): Promise<void> {
    const headers = options.headers === undefined ? undefined : [...toHeaderMap(options.headers)];
    const id = this.#nextId++;
    await this.#ask({
      t: "pub",
      tab: this.tab,
      id,
      channel,
      body,
      command: options.command,
      headers,
    });
  }

  /** Leaves: the tab's subscriptions are released; a leader hands the connection on. */
  async close(): Promise<void> {
    for (const { reject } of this.#pending.values()) {
      reject(new ClientError("closed", "The client was closed"));
    }
    this.#pending.clear();
    this.#handlers.clear();
    await this.#link.close();
  }

  #ask(request: TabRequest): Promise<Frame[] | undefined> {
    return new Promise((resolve, reject) => {
      this.#pending.set(request.id, { request, resolve, reject });
      this.#link.post(request);
    });
  }

  async #fill(channel: string, since: WirePosition): Promise<Frame[]> {
    const id = this.#nextId++;
    return await this.#ask({ t: "fill", tab: this.tab, id, channel, since }) ?? [];
  }

  #onMessage(message: HubMessage): void {
    if (message.t === "leader") return this.#newHub();
    this.#hubSeen = true;
    if (message.t === "ans") {
      const pending = message.to === this.tab ? this.#pending.get(message.id) : undefined;
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.error) pending.reject(fromWire(message.error));
      else pending.resolve(message.frames);
    } else if (message.t === "frame") {
      if (this.#handlers.has(message.channel)) this.#order.frame(message.channel, message.frame);
    } else if (message.t === "position") {
      if (!this.#handlers.has(message.channel)) return;
      this.#order.position(message.channel, message.offset, message.epoch);
    }
  }

  // A new hub knows nothing yet: ask again for what this tab holds and waits for.
  #newHub(): void {
    const changed = this.#hubSeen;
    this.#hubSeen = true;
    const asked = new Set<string>();
    for (const [id, { request, reject }] of this.#pending) {
      if (changed && request.t === "pub") {
        // The old hub may have published it: sending it again could publish it twice
        // (LhttpClient rejects a publish in flight on a lost connection alike).
        this.#pending.delete(id);
        reject(new ClientError("disconnected", "The tab holding the connection left"));
        continue;
      }
      if (request.t === "sub") asked.add(request.channel);
      this.#link.post(request);
    }
    for (const channel of this.#handlers.keys()) {
      if (!asked.has(channel)) this.#link.post({ t: "sub", tab: this.tab, id: 0, channel });
    }
  }

  #dispatch(channel: string, frame: Frame): void {
    for (const handler of [...this.#handlers.get(channel) ?? []]) {
      try {
        handler(frame);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
