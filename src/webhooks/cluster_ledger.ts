/**
 * Crash-safe lifecycle webhooks in a cluster (PROTOCOL.md section 17). Each
 * node keeps its open connections in a NATS KV bucket (`<node>.<id>` →
 * user, start, channels) and a heartbeat key in a bucket whose `ttl` (a
 * bucket TTL: nats-server 2.9 has no per-key TTL) makes it vanish when the
 * node stops beating. A surviving node that sees connections of a node
 * without a heartbeat claims it with an atomic `create()`: exactly one wins,
 * emits `unsubscribe`, `disconnect` (reason `node_lost`) and
 * `channel_vacated` for it, then deletes its keys. KV writes leave in
 * coalesced passes off the frame path.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import { type KV, Kvm } from "@nats-io/kv";
import type { Connection } from "../connection/connection.ts";
import { type LifecycleObserver, userOf } from "../router/lifecycle.ts";
import type { Logger } from "../telemetry/log.ts";
import type { WebhookEvent } from "./event.ts";
import { type ConnectionRecord, lostEvent, reapedEvents } from "./lost_node_events.ts";

/** What {@linkcode ClusterLedger.open} needs. */
export interface ClusterLedgerOptions {
  /** This node's id: the `node` of its webhooks, so that connection ids match. */
  node: string;
  /** Where reaped events go (the node's `Webhooks.emit`). */
  emit: (event: WebhookEvent) => void;
  /** Where warnings go. */
  logger: Logger;
  /** Bucket name prefix (default `lhttp`). */
  prefix?: string;
  /** The presence info of a connection, stored for the other nodes' presence. */
  infoOf?: (connection: Connection) => unknown;
  /** Heartbeat period, ms (default 1000); a node is lost after 3 missed beats. */
  heartbeatMs?: number;
  /** Period of the KV write pass, ms (default 100). */
  flushMs?: number;
}

/**
 * The lifecycle observer that mirrors a node's connections into NATS KV
 * (needs a JetStream-enabled NATS: `tests/webhooks/cluster_crash_test.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ClusterLedger } from "./cluster_ledger.ts";
 * // Opening needs a NATS connection; without JetStream it rejects.
 * const nc = { jetstream: undefined, options: {}, info: undefined } as never;
 * await assert.rejects(ClusterLedger.open(nc, { node: "n", emit() {}, logger: console as never }));
 * ```
 */
export class ClusterLedger implements LifecycleObserver {
  readonly #open = new Map<number, ConnectionRecord>();
  readonly #dirty = new Set<number>();
  readonly #connections = new Map<number, Connection>();
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  readonly #stops: (() => void)[] = [];
  #pass?: Promise<void>;
  #scanning = false;

  private constructor(
    readonly options:
      & Required<Omit<ClusterLedgerOptions, "infoOf">>
      & Pick<ClusterLedgerOptions, "infoOf">,
    readonly conns: KV,
    readonly nodes: KV,
    readonly reaps: KV,
  ) {}

  /** Opens (or creates) the buckets, beats once, then starts the timers. */
  static async open(nc: NatsConnection, options: ClusterLedgerOptions): Promise<ClusterLedger> {
    const full = { prefix: "lhttp", heartbeatMs: 1000, flushMs: 100, ...options };
    const kvm = new Kvm(nc);
    const conns = await kvm.create(`${full.prefix}_conns`, { history: 1 });
    const nodes = await kvm.create(`${full.prefix}_nodes`, {
      history: 1,
      ttl: full.heartbeatMs * 3,
    });
    const reaps = await kvm.create(`${full.prefix}_reaps`, { history: 1, ttl: 3_600_000 });
    const ledger = new ClusterLedger(full, conns, nodes, reaps);
    await ledger.#beat();
    ledger.#timers.push(
      setInterval(
        () => void ledger.#beat().catch((e) => ledger.#warn("heartbeat", e)),
        full.heartbeatMs,
      ),
      setInterval(() => void ledger.#flush(), full.flushMs),
      setInterval(() => void ledger.scan(), full.heartbeatMs),
    );
    return ledger;
  }

  /** A connection opened. */
  connected(connection: Connection): void {
    const user = userOf(connection);
    this.#open.set(connection.id, { ...(user ? { user } : {}), since: Date.now(), channels: [] });
    if (this.options.infoOf) this.#connections.set(connection.id, connection);
    this.#dirty.add(connection.id);
  }
  /** A connection joined `channel`. */
  subscribed(connection: Connection, channel: string): void {
    this.#open.get(connection.id)?.channels.push(channel);
    this.#dirty.add(connection.id);
  }
  /** A connection left `channel`. */
  unsubscribed(connection: Connection, channel: string): void {
    const record = this.#open.get(connection.id);
    if (record) record.channels = record.channels.filter((c) => c !== channel);
    this.#dirty.add(connection.id);
  }
  /** A connection closed. */
  disconnected(connection: Connection): void {
    this.#open.delete(connection.id);
    this.#connections.delete(connection.id);
    this.#dirty.add(connection.id);
  }

  /**
   * Calls `remote` with the state of every connection of the other nodes,
   * now and on each change (`null`: it closed, or its node was reaped); for
   * cluster-wide presence (`RemoteMembers.update`). Ids are `<node>-<n>`.
   */
  async watch(
    remote: (id: string, record: ConnectionRecord | null) => void,
  ): Promise<void> {
    const updates = await this.conns.watch();
    this.#stops.push(() => updates.stop());
    (async () => {
      for await (const entry of updates) {
        const dot = entry.key.indexOf(".");
        const node = entry.key.slice(0, dot);
        if (node === this.options.node) continue;
        const id = `${node}-${entry.key.slice(dot + 1)}`;
        try {
          remote(id, entry.operation === "PUT" ? entry.json<ConnectionRecord>() : null);
        } catch (error) {
          this.#warn("watch", error);
        }
      }
    })();
  }

  /** Resolves once every change so far is in KV. */
  async synced(): Promise<void> {
    while (this.#dirty.size > 0 || this.#pass) await (this.#pass ?? this.#flush());
  }

  /** Looks for lost nodes and reaps the ones this node wins; returns how many it reaped. */
  async scan(): Promise<number> {
    if (this.#scanning) return 0;
    this.#scanning = true;
    let reaped = 0;
    try {
      const owners = new Set<string>();
      for await (const key of await this.conns.keys()) owners.add(key.slice(0, key.indexOf(".")));
      owners.delete(this.options.node);
      for (const node of owners) {
        const beat = await this.nodes.get(node);
        if (beat?.operation === "PUT") continue;
        try {
          await this.reaps.create(node, this.options.node);
        } catch {
          continue; // another node claimed it
        }
        await this.#reap(node);
        reaped++;
      }
    } catch (error) {
      this.#warn("scan", error);
    } finally {
      this.#scanning = false;
    }
    return reaped;
  }

  /** Stops the timers; with `clean`, syncs and removes this node's heartbeat. */
  async close(clean = true): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    for (const stop of this.#stops) stop();
    if (!clean) return;
    await this.synced();
    await this.nodes.delete(this.options.node).catch(() => {});
  }

  async #reap(node: string): Promise<void> {
    const lost = new Set<string>();
    const now = Date.now();
    for await (const key of await this.conns.keys(`${node}.>`)) {
      const entry = await this.conns.get(key);
      if (entry?.operation === "PUT") {
        const record = entry.json<ConnectionRecord>();
        for (
          const event of reapedEvents(
            this.options.node,
            node,
            key.slice(node.length + 1),
            record,
            now,
          )
        ) {
          this.options.emit(event);
        }
        for (const channel of record.channels) lost.add(channel);
      }
      await this.conns.purge(key);
    }
    // Vacated: the lost channels nobody else in the cluster holds.
    for await (const key of await this.conns.keys()) {
      const entry = await this.conns.get(key);
      if (entry?.operation === "PUT") {
        for (const c of entry.json<ConnectionRecord>().channels) lost.delete(c);
      }
    }
    for (const channel of lost) {
      this.options.emit(
        lostEvent(this.options.node, "channel_vacated", `lost-${node}-vacated-${channel}`, now, {
          channel,
        }),
      );
    }
    this.options.logger.log("warn", "reaped the connections of a lost node", {
      node,
      vacated: lost.size,
    });
  }

  #beat(): Promise<unknown> {
    return this.nodes.put(this.options.node, String(Date.now()));
  }

  // One pass at a time, so that writes of one key stay in order.
  #flush(): Promise<void> {
    if (this.#pass || this.#dirty.size === 0) return this.#pass ?? Promise.resolve();
    const ids = [...this.#dirty];
    this.#dirty.clear();
    this.#pass = Promise.all(ids.map((id) => {
      const key = `${this.options.node}.${id}`;
      const record = this.#open.get(id);
      const connection = this.#connections.get(id);
      if (record && connection) {
        const info = this.options.infoOf!(connection);
        if (info !== undefined) record.info = info as ConnectionRecord["info"];
      }
      return (record ? this.conns.put(key, JSON.stringify(record)) : this.conns.purge(key))
        .catch((error) => {
          this.#dirty.add(id);
          this.#warn("write", error);
        });
    })).then(() => void (this.#pass = undefined));
    return this.#pass;
  }

  #warn(what: string, error: unknown): void {
    this.options.logger.log("warn", `cluster ledger ${what} failed`, {
      error: (error as Error)?.message ?? String(error),
    });
  }
}
