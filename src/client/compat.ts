/**
 * A drop-in replacement for the original lhttp JavaScript SDK (`new
 * Lhttp(url)`, `on_open`/`on_message`/`on_close`/`on_error`, a long-lived
 * `context`), running on {@linkcode LhttpClient} so such pages gain
 * reconnect, restored subscriptions and an offline queue.
 *
 * Differences from the original, on purpose: `getHeader(k)` returns the
 * value (not the whole header object; `getHeaders()` returns that);
 * `subscribe`/`publish` headers no longer pile up on later frames; header
 * values keep their colons; frames are not logged to the console.
 *
 * ```ts ignore
 * import { Lhttp } from "@lhttp/lhttp/compat";
 * const ws = new Lhttp("ws://localhost:8081/");
 * ws.on_open = (context) => context.subscribe("room", "chat", null, "");
 * ws.on_message = (context) => console.log(context.getHeader("publish"), context.getBody());
 * ```
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lhttp } from "@lhttp/lhttp/compat";
 * class Socket {
 *   readyState = 0; binaryType = ""; onopen = null; onmessage = null; onclose = null; onerror = null;
 *   send() {}
 *   close() {}
 * }
 * const ws = new Lhttp("ws://localhost:8081/", { WebSocket: Socket });
 * assert.equal(ws.client.state, "connecting");
 * assert.equal(ws.context.getBody(), "");
 * void ws.close();
 * assert.equal(ws.client.state, "closed");
 * ```
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";
import { LhttpClient, type Subscription } from "./lhttp_client.ts";
import { partsOf, textOf } from "./frames.ts";
import type { ClientOptions } from "./options.ts";

/** Extra headers as the original API takes them: an object, or null. */
export type HeaderObject = Record<string, string> | null | undefined;

/** One part of a multipart frame, as a linked list like the original's. */
export interface CompatPart {
  /** The part's headers as an object. */
  getHeaders(): Record<string, string>;
  /** One header of the part. */
  getHeader(name: string): string | undefined;
  /** The part's body as text. */
  getBody(): string;
  /** The next part, or null after the last. */
  getNext(): CompatPart | null;
}

/**
 * The long-lived context handed to every callback: read the frame that
 * arrived, and send frames.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lhttp } from "./compat.ts";
 * const sent: string[] = [];
 * class Socket {
 *   readyState = 1; binaryType = ""; onopen = null; onmessage = null; onclose = null; onerror = null;
 *   send(data: string) { sent.push(data); }
 *   close() {}
 * }
 * const ws = new Lhttp("ws://localhost:8081/", { WebSocket: Socket });
 * ws.context.addHeader("nick", "jack");
 * ws.context.publish("room", "chat", { lang: "en" }, "hello");
 * assert.equal(ws.client.queued, 1, "queued until the socket opens");
 * void ws.close();
 * ```
 *
 * @example
 * ```ts ignore
 * const ws = new Lhttp("ws://localhost:8081/");
 * ws.on_message = (context) => {
 *   if (context.getHeader("nick") === "bot") return;
 *   context.addHeader("nick", "echo");
 *   context.publish("room", "chat", { lang: "en" }, context.getBody());
 * };
 * ```
 */
export class LhttpContext {
  #owner: Lhttp;
  #command = "";
  #headers = new Map<string, string>();
  /** The frame being handled (set before `on_message`). */
  frame?: Frame;

  /** Created by {@linkcode Lhttp}. */
  constructor(owner: Lhttp) {
    this.#owner = owner;
  }

  /** The received frame's command (else the one set). */
  getCommand(): string {
    return this.frame?.command ?? this.#command;
  }

  /** A header of the received frame, case-insensitive. */
  getHeader(name: string): string | undefined {
    return this.frame?.headers.get(String(name).toLowerCase());
  }

  /** Every header of the received frame as an object. */
  getHeaders(): Record<string, string> {
    return Object.fromEntries(this.frame?.headers ?? []);
  }

  /** The received frame's body as text ("" when none). */
  getBody(): string {
    return this.frame ? textOf(this.frame) : "";
  }

  /** The received frame's multipart parts as a linked list, or null. */
  getMultipart(): CompatPart | null {
    const parts = this.frame ? partsOf(this.frame) : undefined;
    if (!parts) return null;
    const nodes: CompatPart[] = parts.map((part, i) => ({
      getHeaders: () => Object.fromEntries(part.headers),
      getHeader: (name: string) => part.headers.get(String(name).toLowerCase()),
      getBody: () => textOf(part),
      getNext: () => nodes[i + 1] ?? null,
    }));
    return nodes[0] ?? null;
  }

  /** Sets the command of the frames `send` writes. */
  setCommand(command: string): void {
    this.#command = command;
  }

  /** Adds a header to every later frame this context sends. */
  addHeader(name: string, value: string): void {
    this.#headers.set(String(name).toLowerCase(), String(value));
  }

  /** Sends a frame with the set command and added headers. */
  send(body: string = ""): void {
    const command = this.#command || this.frame?.command || "message";
    this.#report(this.#owner.client.send({ command, headers: new Map(this.#headers), body }));
  }

  /** Publishes `body` to `channel` (space-separated list) with `command` and extra headers. */
  publish(channel: string, command: string, headers: HeaderObject, body: string = ""): void {
    this.#command = command;
    this.#report(
      this.#owner.client.publish(channel, body ?? "", { command, headers: this.#merge(headers) }),
    );
  }

  /** Subscribes to `channel` (space-separated list); restored after reconnects. */
  subscribe(channel: string, command: string, headers: HeaderObject, body: string = ""): void {
    this.#command = command;
    for (const name of String(channel).split(/[ \t]+/).filter(Boolean)) {
      if (this.#owner.subscriptions.has(name)) continue;
      try {
        const subscription = this.#owner.client.subscribe(name, undefined, {
          command,
          headers: this.#merge(headers),
          body: body ?? "",
        });
        this.#owner.subscriptions.set(name, subscription);
      } catch (error) {
        this.#owner.on_error(this, error);
      }
    }
  }

  /** Unsubscribes from `channel` (space-separated list). */
  unsubscribe(channel: string): void {
    for (const name of String(channel).split(/[ \t]+/).filter(Boolean)) {
      const subscription = this.#owner.subscriptions.get(name);
      this.#owner.subscriptions.delete(name);
      if (subscription) this.#report(subscription());
    }
  }

  #merge(headers: HeaderObject): Map<string, string> {
    const merged = new Map(this.#headers);
    for (const [name, value] of Object.entries(headers ?? {})) {
      merged.set(name.toLowerCase(), String(value));
    }
    return merged;
  }

  #report(result: Promise<void>): void {
    // The original API returns nothing: failures (queue full, closed) go to on_error.
    result.catch((error) => this.#owner.on_error(this, error));
  }
}

/**
 * The original SDK's entry point. Assign the callbacks right after
 * construction, as pages written for the original do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lhttp } from "./compat.ts";
 * const sent: string[] = [];
 * const sockets: Socket[] = [];
 * class Socket {
 *   readyState = 0; binaryType = ""; onclose = null; onerror = null;
 *   onopen: (() => void) | null = null;
 *   onmessage: ((event: { data: unknown }) => void) | null = null;
 *   constructor() { sockets.push(this); }
 *   send(data: string) { sent.push(data); }
 *   close() {}
 * }
 * const ws = new Lhttp("ws://localhost:8081/", { WebSocket: Socket });
 * ws.on_open = (context) => context.subscribe("chatroom", "chat", null, "");
 * const bodies: string[] = [];
 * ws.on_message = (context) => void bodies.push(context.getBody());
 * sockets[0].readyState = 1;
 * sockets[0].onopen!();
 * assert.match(sent[0], /^LHTTP\/1\.0 chat\r\nsubscribe:chatroom\r\n/);
 * sockets[0].onmessage!({ data: "LHTTP/1.0 chat\r\npublish:chatroom\r\n\r\nhi" });
 * assert.deepEqual(bodies, ["hi"]);
 * void ws.close();
 * ```
 *
 * @example
 * ```ts ignore
 * const ws = new Lhttp("ws://" + location.host + "/");
 * ws.on_open = (context) => context.subscribe("chatroom", "chat", null, "");
 * ws.on_message = (context) => console.log(context.getBody());
 * ws.context.publish("chatroom", "chat", null, "hello");
 * ```
 */
export class Lhttp {
  /** The client underneath. */
  readonly client: LhttpClient;
  /** The long-lived context. */
  readonly context: LhttpContext;
  /** Channels subscribed through the context. */
  readonly subscriptions: Map<string, Subscription> = new Map();

  /** Connects to `url`; `options` are {@linkcode LhttpClient}'s (acknowledgements off by default). */
  constructor(url: string, options: ClientOptions = {}) {
    this.client = new LhttpClient(url, { acks: false, ...options });
    this.context = new LhttpContext(this);
    this.client.on("open", () => this.on_open(this.context));
    this.client.on("frame", (frame) => {
      this.context.frame = frame;
      this.on_message(this.context);
    });
    this.client.on("close", ({ wasOpen }) => {
      if (!wasOpen) this.on_error(this.context, new Error(`Cannot connect to ${url}`));
      this.on_close(this.context);
    });
    this.client.on("error", (error) => this.on_error(this.context, error));
    this.client.on("unauthorized", ({ error }) => this.on_error(this.context, error));
  }

  /** Called on every open (again after each reconnect; subscriptions are already restored). */
  on_open(_context: LhttpContext): void {}
  /** Called with every incoming frame. */
  on_message(_context: LhttpContext): void {}
  /** Called whenever the connection closes (a reconnect may follow). */
  on_close(_context: LhttpContext): void {}
  /** Called on a failed connect, a refused or failed send, or a server error frame. */
  on_error(_context: LhttpContext, _error?: unknown): void {}

  /** Closes for good. */
  close(): Promise<void> {
    return this.client.close();
  }
}
