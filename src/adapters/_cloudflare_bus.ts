/**
 * The bus between Durable Objects, without NATS: direct object-to-object
 * calls. Each channel has a directory object (`~channel:<name>`, of the same
 * class) that stores which objects have local subscribers of the channel. An
 * object joins a channel's directory when the channel gets its first local
 * subscriber, leaves when the last one goes, and publishes through the
 * directory, which forwards the frame to every other member. A publication
 * costs one call to the directory plus one per other member object, and two
 * hops of latency; frames of one object are sent in order, one at a time.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";
import type { Bus, BusState } from "../hub/bus.ts";
import type { DurableObjectNamespace } from "./_cloudflare_types.ts";

/** The path prefix of the calls between objects; the Worker entry refuses it from outside. */
export const INTERNAL_PREFIX = "/.lhttp/bus/";
/** The name of a channel's directory object. */
export const directoryName = (channel: string): string => `~channel:${channel}`;

/** One call between objects: what it does, on which channel, from whom. */
export interface BusCall {
  /** What the call does. */
  op: "join" | "leave" | "publish" | "deliver";
  /** The channel it is about. */
  channel: string;
  /** The calling object's member id. */
  member: string;
  /** The serialized frame, for publish and deliver. */
  data?: FrameData;
}

/** Makes the request of one call. */
export function busRequest(call: BusCall): Request {
  const binary = call.data instanceof Uint8Array;
  return new Request(`https://lhttp.internal${INTERNAL_PREFIX}${call.op}`, {
    method: "POST",
    headers: {
      "x-lhttp-channel": encodeURIComponent(call.channel),
      "x-lhttp-member": call.member,
      "x-lhttp-kind": binary ? "binary" : "text",
    },
    body: call.data === undefined ? null : call.data as BodyInit,
  });
}

/** Reads one call back from its request; undefined when it is not one. */
export async function readBusCall(request: Request): Promise<BusCall | undefined> {
  const op = new URL(request.url).pathname.slice(INTERNAL_PREFIX.length);
  const channel = request.headers.get("x-lhttp-channel");
  const member = request.headers.get("x-lhttp-member");
  if (!["join", "leave", "publish", "deliver"].includes(op) || !channel || !member) {
    return undefined;
  }
  const call: BusCall = { op: op as BusCall["op"], channel: decodeURIComponent(channel), member };
  if (op === "publish" || op === "deliver") {
    call.data = request.headers.get("x-lhttp-kind") === "binary"
      ? new Uint8Array(await request.arrayBuffer())
      : await request.text();
  }
  return call;
}

/**
 * One object's side of the bus between objects: joins, leaves and publishes
 * through the channels' directories, and delivers what they forward.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ObjectBus } from "@lhttp/lhttp/cloudflare";
 * const calls: string[] = [];
 * const namespace = {
 *   idFromName: (name: string) => ({ toString: () => name }),
 *   idFromString: (id: string) => ({ toString: () => id }),
 *   get: (id: { toString(): string }) => ({
 *     fetch: (request: Request) => {
 *       calls.push(`${id} ${new URL(request.url).pathname}`);
 *       return Promise.resolve(new Response("{}"));
 *     },
 *   }),
 * };
 * const bus = new ObjectBus(namespace, "me", 4);
 * bus.start(() => {});
 * bus.subscribe("room");
 * bus.publish("room", "1234"); // fits the 4-byte queue
 * bus.publish("room", "5"); // queued bytes would pass 4: dropped
 * await bus.close();
 * assert.deepEqual(calls, ["~channel:room /.lhttp/bus/join", "~channel:room /.lhttp/bus/publish"]);
 * assert.deepEqual([bus.stats.published, bus.stats.dropped, bus.stats.queuedBytes], [2, 1, 0]);
 * ```
 */
export class ObjectBus implements Bus {
  state: BusState = "connected";
  #deliver?: (channel: string, data: FrameData) => unknown;
  #chain: Promise<void> = Promise.resolve();
  #published = 0;
  #received = 0;
  #dropped = 0;
  #queuedBytes = 0;
  #queuedFrames = 0;

  /**
   * The bus of the object `self` (its id string) in `namespace`. Frames wait
   * for the calls before them; past `maxQueuedBytes` waiting (default 8 MiB;
   * UTF-16 units for text) new frames are dropped and counted.
   */
  constructor(
    readonly namespace: DurableObjectNamespace,
    readonly self: string,
    readonly maxQueuedBytes: number = 8 * 1024 * 1024,
  ) {}

  /** The counters `/metrics` shows (`Bus.stats`). */
  get stats(): NonNullable<Bus["stats"]> {
    return {
      published: this.#published,
      received: this.#received,
      dropped: this.#dropped,
      invalid: 0,
      queuedBytes: this.#queuedBytes,
      queuedFrames: this.#queuedFrames,
      maxQueuedBytes: this.maxQueuedBytes,
      stalls: 0,
    };
  }

  start(deliver: (channel: string, data: FrameData) => void): void {
    this.#deliver = deliver;
  }
  subscribe(channel: string): void {
    this.#send({ op: "join", channel, member: this.self });
  }
  unsubscribe(channel: string): void {
    this.#send({ op: "leave", channel, member: this.self });
  }
  publish(channel: string, data: FrameData): void {
    this.#published++;
    this.#send({ op: "publish", channel, member: this.self, data });
  }
  async close(): Promise<void> {
    await this.#chain;
    this.state = "closed";
  }

  /** A frame a directory forwarded: delivered here; returns the local deliveries. */
  receive(channel: string, data: FrameData): number {
    this.#received++;
    return Number(this.#deliver?.(channel, data) ?? 0);
  }

  #send(call: BusCall): void {
    if (this.state === "closed") return;
    const size = call.data?.length ?? 0;
    if (size > 0 && this.#queuedBytes + size > this.maxQueuedBytes) {
      this.#dropped++;
      return;
    }
    this.#queuedBytes += size;
    this.#queuedFrames++;
    const stub = this.namespace.get(this.namespace.idFromName(directoryName(call.channel)));
    this.#chain = this.#chain
      .then(async () => {
        const response = await stub.fetch(busRequest(call));
        await response.body?.cancel();
        if (!response.ok) throw new Error(`bus ${call.op} answered ${response.status}`);
      })
      .catch(() => void this.#dropped++)
      .finally(() => {
        this.#queuedBytes -= size;
        this.#queuedFrames--;
      });
  }
}
