/**
 * `LhttpClient`: subscribe, publish, send, per-command handlers and async
 * iteration, on top of the reconnecting socket of `client_core.ts`.
 *
 * @module
 */

import { parseChannels } from "../codec/channels.ts";
import { isPattern, parseTargets } from "../codec/patterns.ts";
import {
  createFrame,
  type Frame,
  type FrameInit,
  type HeadersInit,
  toHeaderMap,
} from "../codec/frame.ts";
import { ClientCore, type ClientEvents, type ClientState } from "./client_core.ts";
import type { Listener } from "./emitter.ts";
import { ClientError, RemoteError } from "./errors.ts";
import { type ClientOptions, resolveOptions } from "./options.ts";
import { FrameStream, type FrameStreamOptions } from "./frame_stream.ts";
import { websocketUrl } from "./websocket_url.ts";
import { type FrameHandler, type SubscriptionRecord, Subscriptions } from "./subscriptions.ts";
import { type GapEvent, PositionTracker } from "./positions.ts";
import { type HistoryOptions, HistoryQueries, type HistoryResult } from "./history_query.ts";

// Subscriptions that failed with these are re-sent by restore() after the reconnect.
const RETRIED = new Set(["disconnected", "unauthorized", "forbidden"]);

/** Options of {@linkcode LhttpClient.publish}. */
export interface PublishOptions {
  /** The frame's command; `message` by default. */
  command?: string;
  /** Extra headers (the `publish` header is set for you). */
  headers?: HeadersInit;
}

/** Options of {@linkcode LhttpClient.subscribe}: the subscribing frame, re-sent after reconnects. */
export interface SubscribeOptions {
  /** The frame's command; `subscribe` by default. */
  command?: string;
  /** Extra headers (the `subscribe` header is set for you). */
  headers?: HeadersInit;
  /** A body for the subscribing frame (a processor may read it); empty by default. */
  body?: string;
}

/**
 * What {@linkcode LhttpClient.subscribe} returns: call it to unsubscribe (it
 * resolves once the server acknowledged, at once if offline or if other
 * subscribers of the channel remain); await `ready` for the server's first
 * acknowledgement.
 */
export interface Subscription {
  (): Promise<void>;
  /** The channel. */
  readonly channel: string;
  /** Resolves on the server's acknowledgement; rejects with a {@linkcode RemoteError} when refused. */
  readonly ready: Promise<void>;
}

/**
 * A client for lhttp servers, for browsers, Deno, Bun and Node (22+, or 20 with
 * `WebSocket` from `ws` in the options). It reconnects with exponential
 * backoff and full jitter, restores its subscriptions, and queues frames sent
 * while offline (a full queue rejects the send with `queue_full`).
 *
 * The constructor checks the URL first (a `ClientError` with code
 * `invalid_url` for anything but `ws://`, `wss://`, `http://` or `https://`),
 * then connects. A login refusal (close code 4401 or 4403) emits
 * `unauthorized` and closes the client, unless a `token` option can supply a
 * new token for the next attempt.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpClient } from "@lhttp/lhttp/client";
 * assert.throws(() => new LhttpClient("localhost:8081"), { name: "ClientError", code: "invalid_url" });
 * ```
 *
 * @example
 * ```ts ignore
 * import { LhttpClient } from "@lhttp/lhttp/client";
 * const client = new LhttpClient("ws://localhost:8081/", { token: () => localStorage.token });
 * client.on("unauthorized", ({ code, reason }) => console.error("login refused", code, reason));
 * const unsubscribe = client.subscribe("room", (frame) => console.log(frame.body));
 * await unsubscribe.ready;
 * await client.publish("room", "hello", { command: "chat", headers: { nick: "ann" } });
 * await unsubscribe();
 * await client.close();
 * ```
 */
export class LhttpClient {
  /** The server's WebSocket URL, normalized (without the token). */
  readonly url: string;
  #subscriptions = new Subscriptions();
  #commands = new Map<string, Set<FrameHandler>>();
  #streams = new Set<FrameStream>();
  #positions = new PositionTracker();
  #queries = new HistoryQueries();
  readonly #core: ClientCore;

  /**
   * Checks `url` and `options`, then connects. Throws a {@linkcode ClientError}:
   * `invalid_url` for a URL that is not a WebSocket URL, `no_websocket` when
   * there is no WebSocket constructor.
   */
  constructor(url: string | URL, options: ClientOptions = {}) {
    this.url = websocketUrl(url);
    this.#core = new ClientCore(this.url, resolveOptions(options), {
      restore: () => this.#restore(),
      dispatch: (frame) => this.#dispatch(frame),
      finish: (error) => this.#finish(error),
    });
    // Every field is set: only now may I/O start.
    this.#core.start();
  }

  /** The current state. */
  get state(): ClientState {
    return this.#core.state;
  }

  /** Frames waiting in the offline queue. */
  get queued(): number {
    return this.#core.queued;
  }

  /** Adds an event listener; returns a function that removes it. */
  on<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents, K>): () => void {
    return this.#core.events.on(name, listener);
  }

  /** Adds a listener called at most once. */
  once<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents, K>): () => void {
    return this.#core.events.once(name, listener);
  }

  /** Removes an event listener. */
  off<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents, K>): void {
    this.#core.events.off(name, listener);
  }

  /**
   * Resolves once open (at once if open); once closed, rejects with the error
   * that closed it (`closed`, or `unauthorized`/`forbidden` after a refusal).
   */
  opened(): Promise<void> {
    return this.#core.opened();
  }

  /**
   * Closes for good: no reconnect; pending acknowledgements, queued frames and
   * subscriptions' `ready` are rejected with a `closed` error; iterators end.
   * Resolves once the socket has closed.
   */
  close(code = 1000, reason = ""): Promise<void> {
    return this.#core.close(code, reason);
  }

  /**
   * Subscribes to `channel`; `handler` gets every frame published to it. The
   * subscription is restored after every reconnect until unsubscribed. A
   * refused subscription is dropped, its `ready` rejected and an `error` emitted.
   * `channel` may be a wildcard pattern (`sensors.*`, `sensors.>`: PROTOCOL.md
   * section 14): `handler` then gets the frames of every channel it matches,
   * each frame's `publish` naming its concrete channel; patterns recover no history.
   * Throws an `LhttpError` (`bad_channel`) on an invalid channel name or pattern.
   */
  subscribe(channel: string, handler?: FrameHandler, options: SubscribeOptions = {}): Subscription {
    const [name, ...more] = parseTargets(channel, { patterns: true });
    if (more.length > 0) throw new TypeError("subscribe() takes one channel");
    let record = this.#subscriptions.get(name);
    if (!record) {
      const frame = createFrame({
        command: options.command ?? "subscribe",
        headers: options.headers,
        body: options.body ?? "",
      });
      frame.headers.set("subscribe", name);
      record = this.#subscriptions.add(name, frame);
      if (this.state === "open") this.#sendSubscribe(record);
      if (this.state === "closed") record.fail(new ClientError("closed", "The client is closed"));
    }
    const listener = { handler };
    record.listeners.add(listener);
    const current = record;
    const unsubscribe = () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0 || !this.#subscriptions.remove(current)) {
        return Promise.resolve();
      }
      this.#positions.forget(name);
      current.fail(new ClientError("closed", "Unsubscribed before the server acknowledged"));
      if (this.state !== "open") return Promise.resolve();
      return this.#core.transmit(
        createFrame({ command: "unsubscribe", headers: { unsubscribe: name } }),
        this.#core.acking,
      );
    };
    return Object.assign(unsubscribe, { channel: name, ready: current.ready });
  }

  /**
   * The last `limit` publications of `channel` (or those after `since`), oldest
   * first, from a server with history (PROTOCOL.md section 13); authorized like
   * a subscribe. Rejects with a `RemoteError` (`history_limit`,
   * `position_expired`, `forbidden`, ...). A channel without history answers none.
   */
  history(channel: string, options: HistoryOptions = {}): Promise<HistoryResult> {
    let name: string;
    try {
      [name] = parseChannels(channel);
    } catch (error) {
      return Promise.reject(error);
    }
    const acked = this.#core.acking;
    return this.#queries.run(name, options, (frame) => this.#core.transmit(frame, acked), acked);
  }

  /** The position held for a subscribed channel with history: what a reconnect recovers from. */
  position(channel: string): { offset: number; epoch: string } | undefined {
    return this.#positions.get(channel);
  }

  /** The channels subscribed to (or to be subscribed once connected). */
  get channels(): string[] {
    return this.#subscriptions.all().map((record) => record.channel);
  }

  /**
   * Publishes `body` to one or more channels. Resolves when the server
   * acknowledged; rejects with a {@linkcode RemoteError} (status, code, reason)
   * when it refused, or a {@linkcode ClientError} (`queue_full`, `disconnected`,
   * `closed`, `ack_timeout`, `bad_request`, or `unauthorized`/`forbidden` when
   * the server refused the login while the frame waited). Against a server
   * without acknowledgements (see the `acks` option) it resolves once written.
   */
  publish(
    channels: string | readonly string[],
    body: string | Uint8Array = "",
    options: PublishOptions = {},
  ): Promise<void> {
    let list: string[];
    try {
      list = parseChannels(channels);
    } catch (error) {
      return Promise.reject(error);
    }
    const headers = toHeaderMap(options.headers);
    headers.set("publish", list.join(" "));
    return this.#core.transmit(
      { command: options.command ?? "message", headers, body },
      this.#core.acking,
    );
  }

  /**
   * Sends any frame as it is. With `{ ack: true }` it asks the server to
   * acknowledge and settles on its answer; otherwise it resolves once written.
   */
  send(frame: Frame | FrameInit, options: { ack?: boolean } = {}): Promise<void> {
    const full = frame.headers instanceof Map ? frame as Frame : createFrame(frame as FrameInit);
    return this.#core.transmit(full, options.ack ?? false);
  }

  /** Calls `handler` with every incoming frame of `command`; returns a function that stops it. */
  onCommand(command: string, handler: FrameHandler): () => void {
    let set = this.#commands.get(command);
    if (!set) this.#commands.set(command, set = new Set());
    set.add(handler);
    return () => void set.delete(handler);
  }

  /**
   * An async iterator over incoming frames from now on; it ends when the
   * client closes. It buffers at most `highWaterMark` frames (1024 by default)
   * for a reader that is behind, then drops the oldest and counts them in
   * `dropped`.
   */
  frames(options: FrameStreamOptions = {}): FrameStream {
    const stream: FrameStream = new FrameStream(() => this.#streams.delete(stream), options);
    if (this.state === "closed") stream.end();
    else this.#streams.add(stream);
    return stream;
  }

  /** `for await (const frame of client)`: see {@linkcode LhttpClient.frames}. */
  [Symbol.asyncIterator](): FrameStream {
    return this.frames();
  }

  /** Re-sends every subscription on a fresh socket. */
  #restore(): void {
    for (const record of this.#subscriptions.all()) this.#sendSubscribe(record);
  }

  /** Routes a frame to command handlers, subscriptions and iterators. */
  #dispatch(frame: Frame): void {
    this.#queries.observe(frame);
    const position = this.#positions.position(frame);
    if (position) this.#core.events.emit("subscribed", position);
    else if (!this.#positions.accept(frame, (gap) => this.#gap(gap))) return;
    for (const handler of [...this.#commands.get(frame.command) ?? []]) {
      try {
        handler(frame);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.#subscriptions.dispatch(frame);
    for (const stream of this.#streams) stream.push(frame);
  }

  /** Fails subscriptions still waiting and ends the iterators. */
  #finish(error: ClientError): void {
    for (const record of this.#subscriptions.all()) record.fail(error);
    for (const stream of [...this.#streams]) stream.end();
  }

  // A live subscription missed publications: subscribe again from its position.
  #gap(gap: GapEvent): void {
    this.#core.events.emit("gap", gap);
    const record = this.#subscriptions.get(gap.channel);
    if (record && this.state === "open") this.#sendSubscribe(record);
  }

  #sendSubscribe(record: SubscriptionRecord): void {
    // Every subscribe asks for its position, and after a reconnect or a gap
    // for what was missed (PROTOCOL.md section 13); other servers ignore it.
    // A pattern has no position of its own (history is per concrete channel).
    if (!isPattern(record.channel)) {
      record.frame.headers.set("recover", this.#positions.recoverEntry(record.channel));
    }
    this.#core.transmit(record.frame, this.#core.acking).then(() => record.confirm(), (error) => {
      if (error instanceof RemoteError) {
        // Refused: retrying after every reconnect would be refused again.
        this.#subscriptions.remove(record);
        this.#positions.forget(record.channel);
        record.fail(error);
        this.#core.events.emit("error", error);
      } else if (
        !(error instanceof ClientError && RETRIED.has(error.code) && this.state !== "closed")
      ) {
        // A lost connection or a refused login that reconnects: restore()
        // re-sends the subscription on the next socket.
        record.fail(error);
      }
    });
  }
}
