/**
 * The cluster as the admin API shows it: this node's operations, and the
 * other nodes' over {@linkcode AdminCluster} request/reply, each with a
 * timeout. A node seen before that does not answer is listed as such.
 *
 * @module
 */

import type { AdminCluster } from "../../server/options.ts";
import { AdminError, type NodeInfo, type NodeOps } from "./node_ops.ts";

/** A node in the list: its info, or that it did not answer in time. */
export type NodeEntry = (NodeInfo & { status: "ok" }) | { node: string; status: "no_answer" };

type Reply = { ok: unknown } | { error: { code: string; message: string; status: number } };

/**
 * The admin view of the cluster.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { NodeOps } from "./node_ops.ts";
 * import { ClusterView } from "./cluster_view.ts";
 * const view = new ClusterView(new NodeOps(new LhttpServer(), "a", "1.0.0"));
 * const [node] = await view.nodes();
 * assert.deepEqual([node.node, node.status], ["a", "ok"]);
 * await assert.rejects(view.connections("b"), /No node "b"/);
 * ```
 */
export class ClusterView {
  readonly #seen = new Set<string>();

  /** This node's `ops`; the others over `cluster`, waiting `timeoutMs` for them. */
  constructor(
    readonly ops: NodeOps,
    readonly cluster?: AdminCluster,
    readonly timeoutMs = 1500,
  ) {
    cluster?.serve(ops.node, async (op, body): Promise<Reply> => {
      try {
        return { ok: await ops.run(op, body) };
      } catch (error) {
        const known = error as { code?: unknown; status?: unknown; message?: string };
        const { code, message, status } =
          typeof known?.code === "string" && typeof known.status === "number"
            ? known as { code: string; status: number; message: string }
            : { code: "internal", message: String(known?.message ?? error), status: 500 };
        return { error: { code, message, status } };
      }
    });
  }

  /** Every node: this one first, then the others by name. */
  async nodes(): Promise<NodeEntry[]> {
    const answers = await this.#gather<NodeInfo>("info");
    const found = new Map(answers.map((info) => [info.node, info]));
    const entries: NodeEntry[] = [{ ...this.ops.info(), status: "ok" }];
    for (const node of [...this.#seen].sort()) {
      const info = found.get(node);
      entries.push(info ? { ...info, status: "ok" } : { node, status: "no_answer" });
    }
    return entries;
  }

  /** Channels across the cluster: subscribers in all, and per node. */
  async channels(): Promise<
    {
      channels: { channel: string; subscribers: number; nodes: Record<string, number> }[];
      missing: string[];
    }
  > {
    const answers = await this.#gather<
      { node: string; channels: { channel: string; subscribers: number }[] }
    >("channels");
    const all = [{ node: this.ops.node, channels: this.ops.channels() }, ...answers];
    const merged = new Map<
      string,
      { channel: string; subscribers: number; nodes: Record<string, number> }
    >();
    for (const { node, channels } of all) {
      for (const { channel, subscribers } of channels) {
        const entry = merged.get(channel) ?? { channel, subscribers: 0, nodes: {} };
        entry.subscribers += subscribers;
        entry.nodes[node] = subscribers;
        merged.set(channel, entry);
      }
    }
    const answered = new Set(all.map((answer) => answer.node));
    return {
      channels: [...merged.values()],
      missing: [...this.#seen].filter((n) => !answered.has(n)),
    };
  }

  /** The presence of `channel` on every node that answers (`off` where it keeps none). */
  async presence(
    channel: string,
  ): Promise<{ channel: string; nodes: unknown[]; missing: string[] }> {
    const local = this.ops.presence(channel);
    const answers = await this.#gather<{ node: string }>("presence", { channel });
    const answered = new Set([this.ops.node, ...answers.map((answer) => answer.node)]);
    return {
      channel,
      nodes: [local, ...answers],
      missing: [...this.#seen].filter((n) => !answered.has(n)),
    };
  }

  /** The connections of `node`. */
  connections(node: string): Promise<unknown> {
    return this.#on(node, "connections", {});
  }

  /** Disconnects connection `connection` of `node`. */
  disconnect(node: string, connection: unknown): Promise<unknown> {
    return this.#on(node, "disconnect", { connection });
  }

  async #on(node: string, op: string, body: unknown): Promise<unknown> {
    if (node === this.ops.node) return await this.ops.run(op, body);
    if (!this.cluster || !this.#seen.has(node)) {
      throw new AdminError("unknown_node", `No node ${JSON.stringify(node)} in the cluster`, 404);
    }
    let reply: Reply;
    try {
      reply = await this.cluster.ask(node, op, body, this.timeoutMs) as Reply;
    } catch {
      throw new AdminError(
        "node_timeout",
        `Node ${JSON.stringify(node)} did not answer within ${this.timeoutMs} ms`,
        504,
      );
    }
    if ("error" in reply) {
      throw new AdminError(reply.error.code, reply.error.message, reply.error.status);
    }
    return reply.ok;
  }

  async #gather<T extends { node: string }>(op: string, body: unknown = {}): Promise<T[]> {
    if (!this.cluster) return [];
    const replies = await this.cluster.gather(op, body, this.timeoutMs, this.#seen.size)
      .catch(() => []) as Reply[];
    const answers: T[] = [];
    for (const reply of replies) {
      if (!reply || typeof reply !== "object" || !("ok" in reply)) continue;
      const answer = reply.ok as T;
      if (typeof answer?.node !== "string" || answer.node === this.ops.node) continue;
      this.#seen.add(answer.node);
      answers.push(answer);
    }
    return answers;
  }
}
