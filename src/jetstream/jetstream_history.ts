/**
 * The JetStream history engine: one stream holds every channel with history,
 * a ring per subject (`max_msgs_per_subject`), and any node serves any
 * channel. No consumer is created, per client or at all:
 *
 * - publish: `js.publish` with a `Nats-Msg-Id`, so a retried publish is stored
 *   once (the stream's duplicate window);
 * - live: the stream's RePublish copies each stored message to a live subject
 *   with `Nats-Sequence` (its offset) and `Nats-Last-Sequence` (the previous
 *   offset of the same channel, its `prev`); each node subscribes to them
 *   once (`<live>.>`) and stamps the frame;
 * - reads: direct get (`allow_direct`), `next_by_subj` from an offset, one
 *   message per request (nats-server 2.9; the batch get of 2.11 would take one).
 *
 * An acknowledged publish waits for its store and its own live copy
 * (`store`); latest-value mode reads `last_by_subj` (`latest`).
 *
 * The epoch is the stream's creation time: a recreated stream has a new one.
 *
 * @module
 */

import {
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
} from "@nats-io/jetstream";
import { headers as natsHeaders, type NatsConnection, type Subscription } from "@nats-io/nats-core";
import { LhttpError, quote } from "../codec/errors.ts";
import type { FrameData } from "../codec/frame.ts";
import { type ClusterHistory, insertPosition } from "../history/cluster_history.ts";
import type { Continuation, HistoryRule, Position, StoredPublication } from "../history/history.ts";
import { MemoryHistory } from "../history/memory_history.ts";
import { channelToToken, subjectToChannel } from "../nats/subject.ts";
import { createLogger, type Logger } from "../telemetry/log.ts";
import { LiveTracker } from "./live_tracker.ts";
import { SharedReads } from "./shared_reads.ts";

/** Options of {@linkcode JetStreamHistory.create}. */
export interface JetStreamHistoryOptions {
  /** A ready NATS connection (the caller keeps it). */
  connection: NatsConnection;
  /** Which channels keep what; the stream keeps the largest size and age, reads honour each rule. */
  rules: readonly HistoryRule[];
  /** Stream name (default `LHTTP_HISTORY`). */
  stream?: string;
  /** Subjects of stored publications (default `lhttp_h`); live copies use `<prefix>_live`. */
  subjectPrefix?: string;
  /** Most publications one recovery or query returns (default 1000). */
  recoveryLimit?: number;
  /** Where failures are logged. */
  logger?: Logger;
  /**
   * Longest wait, ms, of an acknowledged publish for its own live copy after
   * JetStream stored it (default 2000); the acknowledgement goes then anyway.
   */
  liveWaitMs?: number;
}

/**
 * History in NATS JetStream, shared by every node.
 *
 * @example
 * ```ts ignore
 * import { connectNats, NatsBus } from "@lhttp/lhttp/nats";
 * import { JetStreamHistory } from "@lhttp/lhttp/jetstream";
 * import { LhttpServer } from "@lhttp/lhttp";
 * const connection = await connectNats({ servers: "nats://127.0.0.1:4222" });
 * const history = await JetStreamHistory.create({ connection, rules: [{ prefix: "chat.", size: 100, ttlMs: 3_600_000 }] });
 * const server = new LhttpServer({ bus: new NatsBus({ connection }), history });
 * ```
 */
export class JetStreamHistory implements ClusterHistory {
  readonly kind = "cluster" as const;
  readonly recoveryLimit: number;
  /** The stream's epoch. */
  readonly epoch: string;
  readonly #rules: MemoryHistory; // only for its prefix matching
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #stream: string;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #node = crypto.randomUUID().slice(0, 12);
  #sent = 0;
  #live?: Subscription;
  // Concurrent recoveries of one channel read each stored message once.
  readonly #reads = new SharedReads<StoredPublication>();
  readonly #tracker: LiveTracker;

  private constructor(options: JetStreamHistoryOptions, jsm: JetStreamManager, epoch: string) {
    this.#nc = options.connection;
    this.#jsm = jsm;
    this.#js = jetstream(options.connection);
    this.#rules = new MemoryHistory({ rules: options.rules, recoveryLimit: options.recoveryLimit });
    this.recoveryLimit = this.#rules.recoveryLimit;
    this.#stream = options.stream ?? "LHTTP_HISTORY";
    this.#prefix = options.subjectPrefix ?? "lhttp_h";
    this.#logger = options.logger ?? createLogger("warn");
    this.epoch = epoch;
    this.#tracker = new LiveTracker(options.liveWaitMs ?? 2000);
  }

  /** Creates the stream when it is missing (file storage) and reads its epoch. */
  static async create(options: JetStreamHistoryOptions): Promise<JetStreamHistory> {
    const jsm = await jetstreamManager(options.connection);
    const name = options.stream ?? "LHTTP_HISTORY";
    const prefix = options.subjectPrefix ?? "lhttp_h";
    const size = Math.max(1, ...options.rules.map((rule) => rule.size));
    const ttl = Math.max(...options.rules.map((rule) => rule.ttlMs));
    let info;
    try {
      info = await jsm.streams.info(name);
    } catch {
      info = await jsm.streams.add({
        name,
        subjects: [`${prefix}.>`],
        max_msgs_per_subject: size,
        max_age: Number.isFinite(ttl) ? ttl * 1e6 : 0, // nanoseconds
        allow_direct: true,
        duplicate_window: 120e9,
        republish: { src: `${prefix}.>`, dest: `${prefix}_live.>` },
      } as never);
    }
    const created = Date.parse(info.created);
    return new JetStreamHistory(options, jsm, `js${created.toString(36)}`);
  }

  rule(channel: string): Readonly<HistoryRule> | undefined {
    return this.#rules.rule(channel);
  }

  start(deliver: (channel: string, data: FrameData) => void): void {
    const live = `${this.#prefix}_live`;
    this.#live = this.#nc.subscribe(`${live}.>`, {
      callback: (error, msg) => {
        if (error) {
          return this.#logger.log("warn", `history: live subscription failed: ${error.message}`);
        }
        const channel = subjectToChannel(msg.subject, live);
        const offset = Number(msg.headers?.get("Nats-Sequence"));
        const prev = Number(msg.headers?.get("Nats-Last-Sequence"));
        if (channel === undefined || !Number.isSafeInteger(offset)) return;
        const data = msg.headers?.get("Lhttp-Binary") === "1" ? msg.data : msg.string();
        deliver(channel, insertPosition(data, offset, prev, this.epoch));
        this.#tracker.delivered(channel, offset);
      },
    });
  }

  publish(channel: string, data: FrameData): void {
    this.#send(channel, data).catch((error) => this.#failed(channel, error));
  }

  async store(channel: string, data: FrameData): Promise<void> {
    let sequence;
    try {
      sequence = await this.#send(channel, data);
    } catch (error) {
      this.#failed(channel, error);
      throw new LhttpError(
        "server_busy",
        `The history store did not take the publication on ${quote(channel)}`,
      );
    }
    // Without the live subscription no copy comes back here: nothing to wait for.
    if (this.#live) await this.#tracker.until(sequence);
  }

  async latest(channel: string): Promise<StoredPublication | undefined> {
    if (!this.rule(channel)) return undefined;
    const watch = this.#tracker.watch(channel);
    let msg;
    try {
      msg = await this.#jsm.direct.getMessage(this.#stream, {
        last_by_subj: this.#subject(channel),
      });
    } finally {
      watch.end();
    }
    // A live copy at or past it reached this node's subscribers while it was read.
    if (!msg || watch.seen >= msg.seq) return undefined;
    const data = msg.header?.get("Lhttp-Binary") === "1" ? msg.data : msg.string();
    // Its `prev` is not known from a direct get: the copy goes without one.
    return { offset: msg.seq, data: insertPosition(data, msg.seq, undefined, this.epoch) };
  }

  async top(channel: string): Promise<Position | undefined> {
    if (!this.rule(channel)) return undefined;
    const last = await this.#jsm.direct.getMessage(this.#stream, {
      last_by_subj: this.#subject(channel),
    });
    return { offset: last?.seq ?? 0, epoch: this.epoch };
  }

  async since(
    channel: string,
    from: Position,
    limit = this.recoveryLimit,
  ): Promise<Continuation | undefined> {
    const rule = this.rule(channel);
    const top = await this.top(channel);
    if (!rule || !top) return undefined;
    if (from.epoch !== this.epoch || from.offset > top.offset) return { top };
    if (from.offset === top.offset) return { top, publications: [] };
    // Limits remove a subject's oldest messages first: when the one at `from`
    // is still there, so is everything after it. Offset 0 cannot be checked.
    if (from.offset === 0) return { top };
    const anchor = await this.#get({ seq: from.offset });
    if (!anchor || anchor.subject !== this.#subject(channel)) return { top };
    const publications = await this.#walk(channel, from.offset, Math.min(limit, rule.size));
    if (!publications) return { top };
    const reached = publications.at(-1)?.offset ?? top.offset;
    return { top: { offset: Math.max(reached, top.offset), epoch: this.epoch }, publications };
  }

  async last(channel: string, count: number): Promise<StoredPublication[]> {
    const rule = this.rule(channel);
    const top = await this.top(channel);
    if (!rule || !top || top.offset === 0 || count <= 0) return [];
    const all = await this.#walk(channel, 0, Infinity) ?? [];
    return all.slice(-Math.min(count, rule.size));
  }

  async close(): Promise<void> {
    this.#live?.unsubscribe();
    this.#live = undefined;
    this.#tracker.close();
    await Promise.resolve();
  }

  // Stamped publications after `after`, to the end of the channel (past `top`,
  // which was read first: what is stored meanwhile is in the replay, and what
  // is stored after the last read reaches the subscriber live, after it).
  // Undefined past `limit`.
  async #walk(channel: string, after: number, limit: number) {
    const subject = this.#subject(channel);
    return await this.#reads.walk(subject, async () => {
      const out: StoredPublication[] = [];
      let prev = after;
      for (;;) {
        const first = after === 0 && out.length === 0;
        const key = first ? `${prev} first` : String(prev);
        const step = await this.#reads.read(subject, key, () => this.#step(subject, prev, first));
        if (!step) break;
        if (out.length === limit) return undefined;
        out.push(step);
        prev = step.offset;
      }
      return out;
    });
  }

  // The stamped publication after `prev` on `subject`, or null at the end.
  async #step(subject: string, prev: number, first: boolean): Promise<StoredPublication | null> {
    const msg = await this.#get({ seq: prev + 1, next_by_subj: subject });
    if (!msg) return null;
    const data = msg.header?.get("Lhttp-Binary") === "1" ? msg.data : msg.string();
    // The first publication of a walk from 0 has no known predecessor.
    return {
      offset: msg.seq,
      data: insertPosition(data, msg.seq, first ? undefined : prev, this.epoch),
    };
  }

  // Resolves with the stream sequence; retried with the same Nats-Msg-Id, so a
  // publish that was stored but not acknowledged is not stored twice.
  async #send(channel: string, data: FrameData): Promise<number> {
    const msgID = `${this.#node}.${++this.#sent}`;
    const headers = natsHeaders();
    if (typeof data !== "string") headers.set("Lhttp-Binary", "1");
    const subject = this.#subject(channel);
    for (let left = 2;; left--) {
      try {
        return (await this.#js.publish(subject, data, { msgID, headers })).seq;
      } catch (error) {
        if (left === 0) throw error;
      }
    }
  }

  #failed(channel: string, error: unknown): void {
    this.#logger.log("warn", `history: publish to ${channel} failed: ${(error as Error).message}`);
  }

  #get(query: { seq: number; next_by_subj?: string }) {
    return this.#jsm.direct.getMessage(this.#stream, query as never);
  }

  #subject(channel: string): string {
    return `${this.#prefix}.${channelToToken(channel)}`;
  }
}
