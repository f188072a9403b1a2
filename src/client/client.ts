/**
 * `LhttpClient`: one connection to an lhttp server that survives network
 * drops. The socket lifecycle (states, reconnect, offline queue) lives here;
 * the pub/sub API on top of it lives in `api.ts`.
 *
 * @module
 */

import { parseFrame } from "../codec/parse.ts";
import { serializeFrame } from "../codec/serialize.ts";
import type { Frame } from "../codec/frame.ts";
import { AckTracker } from "./acks.ts";
import { backoffDelay } from "./backoff.ts";
import { Emitter, type Listener } from "./emitter.ts";
import { ClientError, isErrorFrame, RemoteError } from "./errors.ts";
import { type ClientOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import type { WebSocketLike } from "./options.ts";
import { BoundedQueue } from "./queue.ts";

/** The connection states; every change emits a `state` event with both ends. */
export type ClientState = "connecting" | "open" | "reconnecting" | "closed";

/** The client's events and what each carries. */
export interface ClientEvents {
  /** The state changed. */
  state: { from: ClientState; to: ClientState };
  /** The socket opened (again, when `reconnected`); subscriptions are restored and the queue flushed. */
  open: { reconnected: boolean };
  /** The socket closed; `reconnecting` tells whether a retry is scheduled. */
  close: { code: number; reason: string; wasOpen: boolean; reconnecting: boolean };
  /** A retry is scheduled in `delay` ms; `attempt` counts from 1 since the last open. */
  reconnecting: { attempt: number; delay: number };
  /** A frame arrived (acknowledgements the client consumed excluded). */
  frame: Frame;
  /** A server error frame nobody awaited, a refused subscription, an unreadable frame. */
  error: Error;
  /** A send was refused because the offline queue was full. */
  queuefull: { frame: Frame; capacity: number; error: ClientError };
}

interface Outgoing {
  frame: Frame;
  data: string | Uint8Array;
  /** Acknowledgement id, when the server is asked to answer. */
  id?: string;
  /** Settles un-acknowledged sends once written. */
  written?: { resolve: () => void; reject: (error: Error) => void };
}

// Frames from the server are trusted more than frames from clients: accept
// whatever size the server was configured to send.
const INCOMING_LIMITS = { maxFrameBytes: Infinity, maxHeaders: 4096, maxHeaderBytes: 1 << 24 };

/** The socket lifecycle shared by {@linkcode LhttpClient}; not exported from the package. */
export class ClientCore {
  /** The server's WebSocket URL. */
  readonly url: string;
  /** The resolved options. */
  protected readonly options: ResolvedOptions;
  /** Typed events. */
  protected readonly events: Emitter<ClientEvents> = new Emitter<ClientEvents>();
  /** Acknowledgements awaited. */
  protected readonly acks: AckTracker;
  #state: ClientState = "connecting";
  #socket?: WebSocketLike;
  #queue: BoundedQueue<Outgoing>;
  #inFlight = new Set<string>();
  #attempt = 0;
  #timer?: unknown;
  #everOpen = false;
  #closed?: () => void;

  /** Connects at once; throws a `no_websocket` {@linkcode ClientError} without a WebSocket. */
  constructor(url: string | URL, options: ClientOptions = {}) {
    this.url = String(url);
    this.options = resolveOptions(options);
    if (!this.options.WebSocket) {
      throw new ClientError(
        "no_websocket",
        "No global WebSocket here: pass one as options.WebSocket (on Node 20, from the ws package)",
      );
    }
    this.acks = new AckTracker(this.options.clock, this.options.ackTimeout);
    this.#queue = new BoundedQueue(this.options.queueSize);
    this.#connect();
  }

  /** The current state. */
  get state(): ClientState {
    return this.#state;
  }

  /** Frames waiting in the offline queue. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Adds an event listener; returns a function that removes it. */
  on<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents, K>): () => void {
    return this.events.on(name, listener);
  }

  /** Adds a listener called at most once. */
  once<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents, K>): () => void {
    return this.events.once(name, listener);
  }

  /** Removes an event listener. */
  off<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents, K>): void {
    this.events.off(name, listener);
  }

  /** Resolves once open (at once if open); rejects with a `closed` error once closed. */
  opened(): Promise<void> {
    if (this.#state === "open") return Promise.resolve();
    if (this.#state === "closed") return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const off = this.on("state", ({ to }) => {
        if (to === "open") (off(), resolve());
        if (to === "closed") (off(), reject(closedError()));
      });
    });
  }

  /**
   * Closes for good: no reconnect; pending acknowledgements, queued frames and
   * subscriptions' `ready` are rejected with a `closed` error; iterators end.
   * Resolves once the socket has closed.
   */
  close(code = 1000, reason = ""): Promise<void> {
    if (this.#state === "closed") return Promise.resolve();
    if (this.#timer !== undefined) this.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const socket = this.#socket;
    const done = socket ? new Promise<void>((resolve) => (this.#closed = resolve)) : undefined;
    this.finish(new ClientError("closed", "The client was closed"));
    try {
      socket?.close(code, reason);
    } catch {
      socket?.close();
    }
    return done ?? Promise.resolve();
  }

  /**
   * Writes a frame now when open, else queues it. With `ack`, the promise
   * settles on the server's answer; without, once the frame is written.
   */
  protected transmit(frame: Frame, ack: boolean): Promise<void> {
    if (this.#state === "closed") return Promise.reject(closedError());
    const out: Outgoing = { frame, data: "" };
    let promise: Promise<unknown>;
    if (ack) {
      const created = this.acks.create();
      out.id = created.id;
      promise = created.promise;
    } else {
      promise = new Promise<void>((resolve, reject) => (out.written = { resolve, reject }));
    }
    try {
      const headers = out.id === undefined ? frame.headers : new Map(frame.headers);
      if (out.id !== undefined) headers.set("ack", out.id);
      out.data = serializeFrame({ command: frame.command, headers, body: frame.body });
    } catch (error) {
      this.#reject(out, new ClientError("bad_request", (error as Error).message, { cause: error }));
      return promise.then(() => {});
    }
    this.#writeOrQueue(out);
    return promise.then(() => {});
  }

  /** Called once open, before queued frames are flushed; subclasses restore state here. */
  protected restore(): void {}

  /** Called with every frame that is not an acknowledgement the client awaited. */
  protected dispatch(frame: Frame): void {
    this.events.emit("frame", frame);
  }

  /** Moves to `closed` and fails everything pending with `error`. */
  protected finish(error: ClientError): void {
    this.#setState("closed");
    this.acks.rejectAll(error);
    this.#inFlight.clear();
    for (const out of this.#queue.drain()) this.#reject(out, error);
  }

  #writeOrQueue(out: Outgoing): void {
    const socket = this.#socket;
    if (this.#state === "open" && socket && socket.readyState === 1) {
      try {
        socket.send(out.data);
      } catch (error) {
        this.#reject(
          out,
          new ClientError("disconnected", "The socket refused the frame", { cause: error }),
        );
        return;
      }
      if (out.id !== undefined) {
        this.#inFlight.add(out.id);
        this.acks.sent(out.id);
      } else out.written?.resolve();
      return;
    }
    if (this.#queue.push(out)) return;
    const error = new ClientError(
      "queue_full",
      `Not connected and the offline queue is full (${this.#queue.capacity} frames)`,
    );
    this.#reject(out, error);
    this.events.emit("queuefull", { frame: out.frame, capacity: this.#queue.capacity, error });
  }

  #reject(out: Outgoing, error: Error): void {
    if (out.id !== undefined) this.acks.reject(out.id, error);
    else out.written?.reject(error);
  }

  #connect(): void {
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket!(this.url, this.options.protocols);
    } catch (error) {
      // A malformed URL never gets better by retrying.
      this.events.emit("error", error as Error);
      this.finish(
        new ClientError("closed", `Cannot connect to ${this.url}: ${(error as Error).message}`),
      );
      return;
    }
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    socket.onopen = () => socket === this.#socket && this.#onOpen();
    socket.onmessage = (event) => socket === this.#socket && this.#onMessage(event.data);
    socket.onerror = () => {}; // a close event follows and carries what we act on
    socket.onclose = (event) => this.#onClose(socket, event.code, event.reason);
  }

  #onOpen(): void {
    const reconnected = this.#everOpen;
    this.#everOpen = true;
    this.#attempt = 0;
    // Open for writing before anyone hears of it: subscriptions go out first,
    // then the queue, so queued publishes reach a subscribed connection.
    const from = this.#state;
    this.#state = "open";
    this.restore();
    for (const out of this.#queue.drain()) this.#writeOrQueue(out);
    if (this.#state !== "open") return;
    this.events.emit("state", { from, to: "open" });
    this.events.emit("open", { reconnected });
  }

  #onMessage(data: unknown): void {
    let frame: Frame;
    try {
      frame = parseFrame(toFrameInput(data), INCOMING_LIMITS);
    } catch (error) {
      this.events.emit(
        "error",
        new ClientError("bad_frame", (error as Error).message, { cause: error }),
      );
      return;
    }
    const id = frame.headers.get("ack");
    if (this.acks.settle(frame)) {
      this.#inFlight.delete(id!);
      return;
    }
    if (isErrorFrame(frame) && frame.headers.has("code")) {
      this.events.emit("error", RemoteError.fromFrame(frame));
    }
    this.dispatch(frame);
  }

  #onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    const wasOpen = this.#state === "open";
    // A frame written but not acknowledged may or may not have been applied;
    // re-sending could duplicate it, so its promise is rejected instead.
    this.acks.rejectAll(
      new ClientError("disconnected", "The connection closed before the server acknowledged"),
      this.#inFlight,
    );
    this.#inFlight.clear();
    if (this.#state === "closed") {
      this.events.emit("close", { code, reason, wasOpen: false, reconnecting: false });
      this.#closed?.();
      return;
    }
    const retry = this.options.reconnect;
    const reconnecting = retry !== false && this.#attempt < retry.maxAttempts;
    this.events.emit("close", { code, reason, wasOpen, reconnecting });
    if (!reconnecting) {
      this.finish(new ClientError("closed", `Connection to ${this.url} lost (code ${code})`));
      return;
    }
    const delay = backoffDelay(this.#attempt, retry, this.options.random);
    this.#attempt++;
    this.#setState("reconnecting");
    this.events.emit("reconnecting", { attempt: this.#attempt, delay });
    this.#timer = this.options.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#state === "reconnecting") this.#connect();
    }, delay);
  }

  #setState(to: ClientState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.events.emit("state", { from, to });
  }
}

function closedError(): ClientError {
  return new ClientError("closed", "The client is closed");
}

function toFrameInput(data: unknown): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError("Unsupported WebSocket message type (set binaryType to arraybuffer)");
}
