/**
 * The sending half of `ClientCore`: frames written now when a socket is
 * open, queued (bounded) while offline, and their acknowledgements, with the
 * fallback to fire-and-forget for servers that never acknowledge.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";
import { serializeFrame } from "../codec/serialize.ts";
import { AckTracker } from "./ack_tracker.ts";
import { BoundedQueue } from "./bounded_queue.ts";
import type { ClientEvents } from "./client_events.ts";
import type { Emitter } from "./emitter.ts";
import { ClientError } from "./errors.ts";
import type { ResolvedOptions, WebSocketLike } from "./options.ts";

interface Outgoing {
  frame: Frame;
  data: string | Uint8Array;
  /** Acknowledgement id, when the server is asked to answer. */
  id?: string;
  /** Settles un-acknowledged sends once written. */
  written?: { resolve: () => void; reject: (error: Error) => void };
}

/**
 * Outgoing frames of one client, across its sockets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Outbox } from "./_outbox.ts";
 * import { Emitter } from "./emitter.ts";
 * import { resolveOptions } from "./options.ts";
 * import { createFrame } from "../codec/frame.ts";
 * const outbox = new Outbox("ws://x/", resolveOptions({ queueSize: 1 }), new Emitter());
 * void outbox.transmit(createFrame({ command: "a" }), false);
 * await assert.rejects(outbox.transmit(createFrame({ command: "b" }), false), { code: "queue_full" });
 * const sent: unknown[] = [];
 * outbox.attach({ readyState: 1, send: (data: unknown) => sent.push(data) } as never);
 * outbox.flush();
 * assert.deepEqual(sent, ["LHTTP/1.0 a\r\n\r\n"]);
 * ```
 */
export class Outbox {
  readonly #acks: AckTracker;
  readonly #queue: BoundedQueue<Outgoing>;
  #socket?: WebSocketLike;
  // Written and waiting for their acknowledgement: lost if the socket closes.
  #inFlight = new Set<string>();
  #ackSeen = false;
  #fireAndForget = false;

  /** An outbox for the client of `url`. */
  constructor(
    private readonly url: string,
    private readonly options: ResolvedOptions,
    private readonly events: Emitter<ClientEvents>,
  ) {
    this.#acks = new AckTracker(options.clock, options.ackTimeout, (id) => this.#ackTimedOut(id));
    this.#queue = new BoundedQueue(options.queueSize);
  }

  /** Frames waiting in the offline queue. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Whether frames should ask for an acknowledgement (false once found fire-and-forget). */
  get acking(): boolean {
    return this.options.acks !== false && !this.#fireAndForget;
  }

  /** Writes to `socket` from now on (it is open). */
  attach(socket: WebSocketLike): void {
    this.#socket = socket;
  }

  /** Writes queued frames to the attached socket, oldest first. */
  flush(): void {
    for (const out of this.#queue.drain()) this.#writeOrQueue(out);
  }

  /**
   * Writes a frame now when a socket is open, else queues it. With `ack`, the
   * promise settles on the server's answer; without, once the frame is written.
   */
  transmit(frame: Frame, ack: boolean): Promise<void> {
    const out: Outgoing = { frame, data: "" };
    let promise: Promise<unknown>;
    if (ack) {
      const created = this.#acks.create();
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

  /** True when `frame` is an acknowledgement this client awaited (now settled). */
  settle(frame: Frame): boolean {
    const id = frame.headers.get("ack");
    if (!this.#acks.settle(frame)) return false;
    this.#ackSeen = true;
    this.#inFlight.delete(id!);
    return true;
  }

  /**
   * The socket closed: what was written but not acknowledged may or may not
   * have been applied, and re-sending could duplicate it, so it fails with `error`.
   */
  lost(error: ClientError): void {
    this.#socket = undefined;
    this.#acks.rejectAll(error, this.#inFlight);
    this.#inFlight.clear();
  }

  /** Fails every queued frame with `error`. */
  refuseQueued(error: ClientError): void {
    for (const out of this.#queue.drain()) this.#reject(out, error);
  }

  /** Fails everything pending with `error`: the client closed for good. */
  fail(error: ClientError): void {
    this.#socket = undefined;
    this.#acks.rejectAll(error);
    this.#inFlight.clear();
    this.refuseQueued(error);
  }

  #writeOrQueue(out: Outgoing): void {
    const socket = this.#socket;
    if (socket && socket.readyState === 1) {
      try {
        socket.send(out.data);
      } catch (error) {
        this.#reject(
          out,
          new ClientError("disconnected", "The socket refused the frame", { cause: error }),
        );
        return;
      }
      if (out.id === undefined) out.written?.resolve();
      else if (this.#fireAndForget) this.#acks.resolve(out.id);
      else {
        this.#inFlight.add(out.id);
        this.#acks.sent(out.id);
      }
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
    if (out.id !== undefined) this.#acks.reject(out.id, error);
    else out.written?.reject(error);
  }

  /** An acknowledgement did not come in time. */
  #ackTimedOut(id: string): void {
    if (this.options.acks === "auto" && !this.#ackSeen) {
      // Never one acknowledgement from this server: it predates them (the
      // original Go lhttp). What was written has been served as far as we can know.
      this.#fireAndForget = true;
      for (const written of this.#inFlight) this.#acks.resolve(written);
      this.#inFlight.clear();
      const warning = new ClientError(
        "no_acks",
        `The server at ${this.url} sent no acknowledgement within ${this.options.ackTimeout} ms: ` +
          "it does not support them (the original lhttp?), so frames are now fire-and-forget. " +
          "Pass { acks: false } to skip this wait.",
      );
      if (this.events.listenerCount("warning") > 0) this.events.emit("warning", warning);
      else console.warn(`lhttp: ${warning.message}`);
      return;
    }
    this.#inFlight.delete(id);
    this.#acks.reject(id, this.#acks.timeoutError());
  }
}
