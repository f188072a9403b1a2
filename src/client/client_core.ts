/**
 * `ClientCore`: one connection to an lhttp server that survives network
 * drops. The socket lifecycle (states, reconnect, offline queue,
 * acknowledgements, login refusals) lives here; the pub/sub API that owns a
 * core lives in `lhttp_client.ts`. Internal: not exported from the package.
 *
 * @module
 */

import { parseFrame } from "../codec/parse.ts";
import type { Frame } from "../codec/frame.ts";
import { Emitter } from "./emitter.ts";
import { ClientError, isErrorFrame, RemoteError } from "./errors.ts";
import type { ResolvedOptions, WebSocketLike } from "./options.ts";
import { Outbox } from "./_outbox.ts";
import { RetrySchedule } from "./_retry_schedule.ts";
import type { ClientEvents, ClientState, RefusalCode } from "./client_events.ts";
import {
  errorText,
  isPromiseLike,
  refusalError,
  toFrameInput,
  withToken,
} from "./_core_helpers.ts";

/** What the owner of a core does at the points of the lifecycle. */
export interface CoreHooks {
  /** Once open, before queued frames are flushed: re-send subscriptions. */
  restore(): void;
  /** Every frame that is not an acknowledgement the client awaited. */
  dispatch(frame: Frame): void;
  /** The client closed for good with `error`; everything pending is already failed. */
  finish(error: ClientError): void;
}

// Frames from the server are trusted more than frames from clients: accept
// whatever size the server was configured to send.
const INCOMING_LIMITS = { maxFrameBytes: Infinity, maxHeaders: 4096, maxHeaderBytes: 1 << 24 };

/**
 * The socket lifecycle of {@linkcode LhttpClient}. The constructor does no
 * I/O: the owner calls {@linkcode ClientCore.start} once it is fully built.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClientCore } from "./client_core.ts";
 * import { resolveOptions } from "./options.ts";
 * const made: string[] = [];
 * class Socket {
 *   readyState = 0; binaryType = ""; onopen = null; onmessage = null; onclose = null; onerror = null;
 *   constructor(url: string) { made.push(url); }
 *   send() {}
 *   close() {}
 * }
 * const hooks = { restore() {}, dispatch() {}, finish() {} };
 * const core = new ClientCore("ws://x/", resolveOptions({ WebSocket: Socket }), hooks);
 * assert.deepEqual(made, [], "no socket before start()");
 * core.start();
 * assert.deepEqual(made, ["ws://x/"]);
 * void core.close(); // resolves once the socket reports its close (this one never does)
 * assert.equal(core.state, "closed");
 * ```
 */
export class ClientCore {
  /** The server's WebSocket URL (without the token). */
  readonly url: string;
  /** The resolved options. */
  readonly options: ResolvedOptions;
  /** Typed events. */
  readonly events: Emitter<ClientEvents> = new Emitter<ClientEvents>();
  readonly #hooks: CoreHooks;
  readonly #outbox: Outbox;
  readonly #retry: RetrySchedule;
  #state: ClientState = "connecting";
  #socket?: WebSocketLike;
  #started = false;
  #everOpen = false;
  #finalError?: ClientError;
  #closed?: () => void;

  /** Sets the core up; `url` must be checked already (see `websocketUrl`). */
  constructor(url: string, options: ResolvedOptions, hooks: CoreHooks) {
    this.url = url;
    this.options = options;
    this.#hooks = hooks;
    this.#outbox = new Outbox(url, options, this.events);
    this.#retry = new RetrySchedule(options);
  }

  /** Connects for the first time (once; later calls do nothing). */
  start(): void {
    if (this.#started || this.#state === "closed") return;
    this.#started = true;
    this.#connect();
  }

  /** The current state. */
  get state(): ClientState {
    return this.#state;
  }

  /** Frames waiting in the offline queue. */
  get queued(): number {
    return this.#outbox.queued;
  }

  /** Whether frames should ask for an acknowledgement (false once found fire-and-forget). */
  get acking(): boolean {
    return this.#outbox.acking;
  }

  /** Resolves once open (at once if open); rejects with the closing error once closed. */
  opened(): Promise<void> {
    if (this.#state === "open") return Promise.resolve();
    if (this.#state === "closed") return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => {
      const off = this.events.on("state", ({ to }) => {
        if (to === "open") (off(), resolve());
        if (to === "closed") (off(), reject(this.#closedError()));
      });
    });
  }

  /** Closes for good; resolves once the socket has closed. */
  close(code = 1000, reason = ""): Promise<void> {
    if (this.#state === "closed") return Promise.resolve();
    this.#retry.cancel();
    const socket = this.#socket;
    const done = socket ? new Promise<void>((resolve) => (this.#closed = resolve)) : undefined;
    this.#finish(new ClientError("closed", "The client was closed"));
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
  transmit(frame: Frame, ack: boolean): Promise<void> {
    if (this.#state === "closed") return Promise.reject(this.#closedError());
    return this.#outbox.transmit(frame, ack);
  }

  /** Moves to `closed` and fails everything pending with `error`. */
  #finish(error: ClientError): void {
    this.#finalError = error;
    this.#setState("closed");
    this.#outbox.fail(error);
    this.#hooks.finish(error);
  }

  #closedError(): ClientError {
    return this.#finalError ?? new ClientError("closed", "The client is closed");
  }

  #connect(): void {
    const token = this.options.token;
    if (!token) return this.#open(this.url);
    let value: ReturnType<typeof token>;
    try {
      value = token();
    } catch (error) {
      return this.#tokenFailed(error);
    }
    if (!isPromiseLike(value)) return this.#open(withToken(this.url, value));
    Promise.resolve(value).then(
      (resolved) => this.#state !== "closed" && this.#open(withToken(this.url, resolved)),
      (error) => this.#state !== "closed" && this.#tokenFailed(error),
    );
  }

  #tokenFailed(error: unknown): void {
    this.events.emit(
      "error",
      new ClientError("token_failed", `The token option failed: ${errorText(error)}`, {
        cause: error,
      }),
    );
    if (this.#retry.mayRetry()) this.#scheduleRetry();
    else this.#finish(new ClientError("closed", `No token to connect to ${this.url}`));
  }

  #open(url: string): void {
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(url, this.options.protocols);
    } catch (error) {
      // The URL was checked; what the WebSocket constructor still refuses never
      // gets better by retrying. The error event waits a microtask, so that
      // listeners added right after `new LhttpClient()` hear it.
      this.#finish(
        new ClientError("closed", `Cannot connect to ${this.url}: ${errorText(error)}`),
      );
      queueMicrotask(() => this.events.emit("error", error as Error));
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
    this.#retry.opened();
    // Open for writing before anyone hears of it: subscriptions go out first,
    // then the queue, so queued publishes reach a subscribed connection.
    const from = this.#state;
    this.#state = "open";
    this.#outbox.attach(this.#socket!);
    this.#hooks.restore();
    this.#outbox.flush();
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
    if (this.#outbox.settle(frame)) return;
    // Only the server's own error frames: never a publication, whatever
    // status, code or reason headers its publisher added.
    if (isErrorFrame(frame)) this.events.emit("error", RemoteError.fromFrame(frame));
    this.events.emit("frame", frame);
    this.#hooks.dispatch(frame);
  }

  #onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    const wasOpen = this.#state === "open";
    const refusal = refusalError(code, reason);
    this.#outbox.lost(
      refusal ??
        new ClientError("disconnected", "The connection closed before the server acknowledged"),
    );
    if (this.#state === "closed") {
      this.events.emit("close", { code, reason, wasOpen: false, reconnecting: false });
      this.#closed?.();
      return;
    }
    if (refusal) {
      // Queued frames would only meet the same refusal: fail them now.
      this.#outbox.refuseQueued(refusal);
      // An open that ended in a refusal does not reset the backoff.
      if (wasOpen) this.#retry.refusedAfterOpen();
    }
    const reconnecting = this.#retry.mayRetry() && (!refusal || this.options.token !== undefined);
    this.events.emit("close", { code, reason, wasOpen, reconnecting });
    if (refusal) {
      this.events.emit("unauthorized", {
        code: code as RefusalCode,
        reason,
        reconnecting,
        error: refusal,
      });
    }
    if (!reconnecting) {
      this.#finish(
        refusal ?? new ClientError("closed", `Connection to ${this.url} lost (code ${code})`),
      );
      return;
    }
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.options.reconnect === false) return;
    this.#setState("reconnecting");
    const { attempt, delay } = this.#retry.next(() => {
      if (this.#state === "reconnecting") this.#connect();
    });
    this.events.emit("reconnecting", { attempt, delay });
  }

  #setState(to: ClientState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.events.emit("state", { from, to });
  }
}
