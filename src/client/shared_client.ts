/**
 * `SharedLhttpClient`: one server connection for every tab of an origin
 * (issue 19, part 3; opt-in). Tabs elect a leader with Web Locks; the leader
 * holds the only {@linkcode LhttpClient} and the others talk to it over a
 * `BroadcastChannel`. Subscriptions are counted across tabs (the server sees
 * one per channel), each tab gets only its own channels' frames, and acks and
 * errors go back to the tab that asked. When the leader's tab closes, the lock
 * passes to another tab, which connects and subscribes everything again.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";
import { ClientError } from "./errors.ts";
import { LhttpClient } from "./lhttp_client.ts";
import type { ClientOptions } from "./options.ts";

/** Options: the client's, plus the name tabs share (the URL by default). */
export interface SharedClientOptions extends ClientOptions {
  /** Tabs with the same name share a connection. */
  name?: string;
}

type Message =
  | { t: "leader"; tab: string }
  | { t: "sub" | "unsub"; tab: string; id: number; channel: string }
  | {
    t: "pub";
    tab: string;
    id: number;
    channel: string;
    body: string | Uint8Array;
    command?: string;
  }
  | { t: "ans"; to: string; id: number; error?: { code: string; message: string } }
  | { t: "frame"; channel: string; frame: Frame }
  | { t: "bye"; tab: string };
type Request = Extract<Message, { id: number; tab: string }>;

interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<void>;
}

/**
 * A client whose tabs share one connection.
 *
 * @example
 * ```ts ignore
 * import { SharedLhttpClient } from "./shared_client.ts";
 * const client = new SharedLhttpClient("wss://example.com/");
 * await client.subscribe("room", (frame) => console.log(frame.body));
 * await client.publish("room", "hello from one of many tabs");
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SharedLhttpClient } from "./shared_client.ts";
 * assert.equal(typeof SharedLhttpClient, "function");
 * ```
 */
export class SharedLhttpClient {
  /** This tab's random id. */
  readonly tab: string = crypto.randomUUID();
  readonly #bus: BroadcastChannel;
  readonly #handlers = new Map<string, Set<(frame: Frame) => void>>();
  readonly #pending = new Map<
    number,
    { request: Request; resolve(): void; reject(e: Error): void }
  >();
  #nextId = 1;
  #client?: LhttpClient;
  #refs = new Map<string, { tabs: Set<string>; ready: Promise<() => Promise<void>> }>();
  #resign?: () => void;

  /** Joins the tabs sharing `url` (or `options.name`); one of them connects. */
  constructor(readonly url: string, readonly options: SharedClientOptions = {}) {
    const name = `lhttp-tabs:${options.name ?? url}`;
    this.#bus = new BroadcastChannel(name);
    this.#bus.onmessage = (event) => this.#onMessage(event.data as Message);
    // Web Locks: the DOM types of Deno's checker do not declare navigator.locks.
    const locks = (navigator as unknown as { locks: LockManagerLike }).locks;
    locks.request(name, () => {
      this.#lead();
      return new Promise<void>((resolve) => (this.#resign = resolve));
    }).catch(() => {});
    globalThis.addEventListener?.(
      "pagehide",
      () => this.#bus.postMessage({ t: "bye", tab: this.tab }),
    );
  }

  /** Whether this tab holds the connection. */
  get leader(): boolean {
    return this.#client !== undefined;
  }

  /** Subscribes this tab to `channel`; resolves once the server acknowledged. */
  async subscribe(channel: string, handler: (frame: Frame) => void): Promise<() => Promise<void>> {
    let set = this.#handlers.get(channel);
    if (!set) this.#handlers.set(channel, set = new Set());
    set.add(handler);
    await this.#ask({ t: "sub", tab: this.tab, id: this.#nextId++, channel });
    return async () => {
      set.delete(handler);
      if (set.size > 0) return;
      this.#handlers.delete(channel);
      await this.#ask({ t: "unsub", tab: this.tab, id: this.#nextId++, channel });
    };
  }

  /** Publishes through the leader; settles with the server's answer. */
  publish(
    channel: string,
    body: string | Uint8Array,
    options: { command?: string } = {},
  ): Promise<void> {
    return this.#ask({
      t: "pub",
      tab: this.tab,
      id: this.#nextId++,
      channel,
      body,
      command: options.command,
    });
  }

  /** Leaves: the tab's subscriptions are released; a leader hands the connection on. */
  async close(): Promise<void> {
    this.#bus.postMessage({ t: "bye", tab: this.tab });
    for (const { reject } of this.#pending.values()) {
      reject(new ClientError("closed", "The client was closed"));
    }
    this.#pending.clear();
    await this.#client?.close();
    this.#client = undefined;
    this.#resign?.();
    this.#bus.close();
  }

  #ask(request: Request): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.set(request.id, { request, resolve, reject });
      if (this.#client) void this.#serve(request);
      else this.#bus.postMessage(request);
    });
  }

  #onMessage(message: Message): void {
    if (message.t === "frame") return this.#dispatch(message.channel, message.frame);
    if (message.t === "ans") return message.to === this.tab ? this.#answered(message) : undefined;
    if (message.t === "leader") {
      // A new leader knows nothing yet: ask again for what this tab holds and waits for.
      for (const channel of this.#handlers.keys()) {
        if (
          ![...this.#pending.values()].some((p) =>
            p.request.t === "sub" && p.request.channel === channel
          )
        ) {
          this.#bus.postMessage({ t: "sub", tab: this.tab, id: 0, channel });
        }
      }
      for (const { request } of this.#pending.values()) this.#bus.postMessage(request);
      return;
    }
    if (!this.#client) return;
    if (message.t === "bye") {
      for (const [channel, ref] of this.#refs) {
        if (ref.tabs.has(message.tab)) void this.#release(channel, message.tab);
      }
      return;
    }
    void this.#serve(message);
  }

  #answered(message: Extract<Message, { t: "ans" }>): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.error) {
      pending.reject(new ClientError(message.error.code as never, message.error.message));
    } else pending.resolve();
  }

  #dispatch(channel: string, frame: Frame): void {
    for (const handler of this.#handlers.get(channel) ?? []) handler(frame);
  }

  #lead(): void {
    this.#client = new LhttpClient(this.url, this.options);
    this.#bus.postMessage({ t: "leader", tab: this.tab });
    for (const channel of this.#handlers.keys()) {
      void this.#serve({ t: "sub", tab: this.tab, id: 0, channel });
    }
    for (const { request } of this.#pending.values()) void this.#serve(request);
  }

  // The leader does what a tab asked, and answers it.
  async #serve(request: Request): Promise<void> {
    const client = this.#client!;
    let error: { code: string; message: string } | undefined;
    try {
      if (request.t === "sub") {
        let ref = this.#refs.get(request.channel);
        if (!ref) {
          const sub = client.subscribe(request.channel, (frame) => {
            this.#bus.postMessage({ t: "frame", channel: request.channel, frame });
            this.#dispatch(request.channel, frame);
          });
          ref = { tabs: new Set(), ready: sub.ready.then(() => sub) };
          this.#refs.set(request.channel, ref);
        }
        ref.tabs.add(request.tab);
        await ref.ready;
      } else if (request.t === "unsub") {
        await this.#release(request.channel, request.tab);
      } else if (request.t === "pub") {
        await client.publish(request.channel, request.body, { command: request.command });
      }
    } catch (failure) {
      const known = failure as { code?: string; message?: string };
      error = { code: known.code ?? "internal", message: known.message ?? String(failure) };
    }
    if (request.id === 0) return;
    const answer: Message = { t: "ans", to: request.tab, id: request.id, error };
    if (request.tab === this.tab) this.#answered(answer);
    else this.#bus.postMessage(answer);
  }

  async #release(channel: string, tab: string): Promise<void> {
    const ref = this.#refs.get(channel);
    if (!ref?.tabs.delete(tab) || ref.tabs.size > 0) return;
    this.#refs.delete(channel);
    await (await ref.ready)();
  }
}
