/**
 * The per-frame context processors and middleware work with.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";
import { encoder } from "../codec/_utf8.ts";
import type { Part } from "../codec/multipart.ts";
import type { Connection } from "../connection/connection.ts";
import { type Frame, type HeadersInit, toHeaderMap } from "../codec/frame.ts";
import type { PubSub } from "./pubsub.ts";

/**
 * What a context publishes and subscribes through. Calls from a context are
 * server code: limits apply, the `authorize` hook does not (see PubSub).
 */
export type ContextHost = Pick<
  PubSub,
  "channels" | "publish" | "subscribe" | "unsubscribe"
>;

/** Overrides for {@linkcode Context.send}. */
export interface SendInit {
  /** Command of the sent frame; the reply command by default. */
  command?: string;
  /** Extra headers, over the reply headers. */
  headers?: HeadersInit;
}

/**
 * One incoming frame and the reply being built for it. The reply starts as the
 * request: `setCommand`, `setHeader`, `deleteHeader` and `setBody` change it, and
 * everything the built-ins publish or relay is the reply.
 */
export class Context {
  /** Multipart parts, set by the multipart step when the frame has them. */
  parts?: Part[];
  #command?: string;
  #headers?: Map<string, string>;
  #body?: FrameData;
  #text?: string;
  #reply?: Frame;

  /** Wraps one parsed frame from `connection`. */
  constructor(
    readonly connection: Connection,
    readonly request: Frame,
    readonly host: ContextHost,
  ) {}

  /** The request's command. */
  get command(): string {
    return this.request.command;
  }
  /** A request header by (case-insensitive) name. */
  header(name: string): string | undefined {
    return this.request.headers.get(name.toLowerCase());
  }
  /** True when the request came in a binary WebSocket frame. */
  get binary(): boolean {
    return typeof this.request.body !== "string";
  }
  /** The request body as text (binary bodies decoded as UTF-8, lossily). */
  get text(): string {
    const body = this.request.body;
    if (typeof body === "string") return body;
    return this.#text ??= new TextDecoder().decode(body);
  }
  /** The request body as bytes. */
  get bytes(): Uint8Array {
    const body = this.request.body;
    return typeof body === "string" ? encoder.encode(body) : body;
  }
  /** Per-connection state, shared by every frame of the connection. */
  get state(): Record<string, unknown> {
    return this.connection.state;
  }

  /** Sets the reply's command. */
  setCommand(command: string): this {
    this.#command = command;
    this.#reply = undefined;
    return this;
  }
  /** Sets (or replaces) one reply header. */
  setHeader(name: string, value: string): this {
    this.#replyHeaders().set(name.toLowerCase(), value);
    this.#reply = undefined;
    return this;
  }
  /** Removes one reply header. */
  deleteHeader(name: string): this {
    this.#replyHeaders().delete(name.toLowerCase());
    this.#reply = undefined;
    return this;
  }
  /** Sets the reply's body; bytes make the reply a binary frame. */
  setBody(body: FrameData): this {
    this.#body = body;
    this.#reply = undefined;
    return this;
  }

  /** The reply: what the processor set, each part falling back to the request. */
  get reply(): Frame {
    return this.#reply ??= {
      command: this.#command ?? this.request.command,
      headers: this.#headers ?? this.request.headers,
      body: this.#body ?? this.request.body,
    };
  }

  /** Sends the reply (or `body` with the reply's command and headers) to this connection. */
  send(body?: FrameData, init: SendInit = {}): void {
    const reply = this.reply;
    const headers = init.headers
      ? new Map([...reply.headers, ...toHeaderMap(init.headers)])
      : reply.headers;
    this.connection.send({
      command: init.command ?? reply.command,
      headers,
      body: body ?? reply.body,
    });
  }

  /** Publishes the reply (or `body` with the reply's command and headers) to channels. */
  publish(channels: string | readonly string[], body?: FrameData): number {
    const reply = this.reply;
    const frame = body === undefined ? reply : { ...reply, body };
    return this.host.publish(this.host.channels(channels), frame);
  }
  /** Subscribes this connection to channels, within its subscription limit. */
  subscribe(channels: string | readonly string[]): void {
    this.host.subscribe(this.connection, this.host.channels(channels));
  }
  /** Unsubscribes this connection from channels. */
  unsubscribe(channels: string | readonly string[]): void {
    this.host.unsubscribe(this.connection, this.host.channels(channels));
  }
  /** Closes this connection. */
  close(code?: number, reason?: string): void {
    this.connection.close(code, reason);
  }

  #replyHeaders(): Map<string, string> {
    return this.#headers ??= new Map(this.request.headers);
  }
}
