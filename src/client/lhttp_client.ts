/**
 * `LhttpClient`: subscribe, publish, send, per-command handlers and async
 * iteration, on top of the reconnecting socket of `client_core.ts`.
 *
 * @module
 */

import { parseChannels } from "../codec/channels.ts";
import { createFrame, type Frame, type FrameInit, toHeaderMap } from "../codec/frame.ts";
import { ClientCore } from "./client_core.ts";
import type { ClientEvents, ClientState } from "./client_events.ts";
import type { Listener } from "./emitter.ts";
import type { ClientError } from "./errors.ts";
import { type ClientOptions, resolveOptions } from "./options.ts";
import { FrameStream, type FrameStreamOptions } from "./frame_stream.ts";
import { websocketUrl } from "./websocket_url.ts";
import type { FrameHandler } from "./subscriptions.ts";
import { Subscriber } from "./_subscriber.ts";
import { type HistoryOptions, HistoryQueries, type HistoryResult } from "./history_query.ts";
import type { PublishOptions, SubscribeOptions, Subscription } from "./subscribe_options.ts";

export type { PublishOptions, SubscribeOptions, Subscription } from "./subscribe_options.ts";

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
  #commands = new Map<string, Set<FrameHandler>>();
  #streams = new Set<FrameStream>();
  #queries = new HistoryQueries();
  readonly #core: ClientCore;
  readonly #subscriber: Subscriber;

  /**
   * Checks `url` and `options`, then connects. Throws a {@linkcode ClientError}:
   * `invalid_url` for a URL that is not a WebSocket URL, `no_websocket` when
   * there is no WebSocket constructor.
   */
  constructor(url: string | URL, options: ClientOptions = {}) {
    this.url = websocketUrl(url);
    this.#core = new ClientCore(this.url, resolveOptions(options), {
      restore: () => this.#subscriber.restore(),
      dispatch: (frame) => this.#dispatch(frame),
      finish: (error) => this.#finish(error),
    });
    this.#subscriber = new Subscriber(this.#core);
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
    return this.#subscriber.subscribe(channel, handler, options);
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
    return this.#subscriber.position(channel);
  }

  /** The channels subscribed to (or to be subscribed once connected). */
  get channels(): string[] {
    return this.#subscriber.channels;
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

  /** Routes a frame to command handlers, subscriptions and iterators. */
  #dispatch(frame: Frame): void {
    this.#queries.observe(frame);
    if (!this.#subscriber.observe(frame)) return;
    for (const handler of [...this.#commands.get(frame.command) ?? []]) {
      try {
        handler(frame);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.#subscriber.dispatch(frame);
    for (const stream of this.#streams) stream.push(frame);
  }

  /** Fails subscriptions still waiting and ends the iterators. */
  #finish(error: ClientError): void {
    this.#subscriber.fail(error);
    for (const stream of [...this.#streams]) stream.end();
  }
}
