/**
 * The directory side of the bus between objects: one object per channel
 * keeps, in its storage, which objects have local subscribers of the channel,
 * and forwards each publication to the others. A member that answers it has
 * no subscriber left is removed.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";
import { type BusCall, busRequest } from "./_cloudflare_bus.ts";
import type { DurableObjectNamespace, DurableObjectStorage } from "./_cloudflare_types.ts";

const MEMBERS = "lhttp:members:";

/**
 * Members of channels, and the forwarding of publications.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ChannelDirectory } from "@lhttp/lhttp/cloudflare";
 * const stored = new Map<string, unknown>();
 * const storage = {
 *   get: (key: string) => Promise.resolve(stored.get(key) as never),
 *   put: (key: string, value: unknown) => Promise.resolve(void stored.set(key, value)),
 *   delete: (key: string) => Promise.resolve(stored.delete(key)),
 * };
 * const got: string[] = [];
 * const namespace = {
 *   idFromName: (name: string) => ({ toString: () => name }),
 *   idFromString: (id: string) => ({ toString: () => id }),
 *   get: (id: { toString(): string }) => ({
 *     fetch: async (request: Request) => {
 *       got.push(`${id}: ${await request.text()}`);
 *       return Response.json({ delivered: 1 });
 *     },
 *   }),
 * };
 * const directory = new ChannelDirectory(namespace, storage);
 * await directory.handle({ op: "join", channel: "room", member: "a" });
 * await directory.handle({ op: "join", channel: "room", member: "b" });
 * const answer = await directory.handle({ op: "publish", channel: "room", member: "a", data: "hi" });
 * assert.deepEqual(got, ["b: hi"]);
 * assert.equal((await answer.json()).delivered, 1);
 * ```
 */
export class ChannelDirectory {
  // Promises, so that two calls arriving while storage is read share one set.
  readonly #members = new Map<string, Promise<Set<string>>>();

  /** A directory calling members in `namespace`, keeping them in `storage`. */
  constructor(
    readonly namespace: DurableObjectNamespace,
    readonly storage: DurableObjectStorage,
  ) {}

  /** Answers a join, leave or publish call. */
  async handle(call: BusCall): Promise<Response> {
    const members = await this.#load(call.channel);
    if (call.op === "join" || call.op === "leave") {
      const had = members.has(call.member);
      if (call.op === "join") members.add(call.member);
      else members.delete(call.member);
      if (had !== members.has(call.member)) await this.#save(call.channel, members);
      return Response.json({ members: members.size });
    }
    if (call.op !== "publish" || call.data === undefined) {
      return Response.json({ code: "bad_call" }, { status: 400 });
    }
    return Response.json({ delivered: await this.#forward(call.channel, call.member, call.data) });
  }

  async #forward(channel: string, origin: string, data: FrameData): Promise<number> {
    const members = await this.#load(channel);
    const others = [...members].filter((member) => member !== origin);
    let pruned = false;
    const counts = await Promise.all(others.map(async (member) => {
      const stub = this.namespace.get(this.namespace.idFromString(member));
      try {
        const response = await stub.fetch(busRequest({ op: "deliver", channel, member, data }));
        const answer = await response.json() as { delivered?: number; subscribed?: boolean };
        if (answer.subscribed === false) pruned = members.delete(member) || pruned;
        return answer.delivered ?? 0;
      } catch {
        return 0;
      }
    }));
    if (pruned) await this.#save(channel, members);
    return counts.reduce((sum, count) => sum + count, 0);
  }

  #load(channel: string): Promise<Set<string>> {
    let members = this.#members.get(channel);
    if (!members) {
      members = this.storage.get<string[]>(MEMBERS + channel).then((stored) => new Set(stored));
      this.#members.set(channel, members);
    }
    return members;
  }

  async #save(channel: string, members: Set<string>): Promise<void> {
    if (members.size === 0) await this.storage.delete(MEMBERS + channel);
    else await this.storage.put(MEMBERS + channel, [...members]);
  }
}
