/**
 * `client.history()`: asks the server for a channel's recent publications
 * (PROTOCOL.md section 13, "History query") and collects its answer. Queries
 * run one at a time, so that each answer is read whole.
 *
 * @module
 */

import { createFrame, type Frame } from "../codec/frame.ts";

/** Options of `client.history()`. */
export interface HistoryOptions {
  /** Most publications (the server's recovery limit by default). */
  limit?: number;
  /** Only those after this position (a `RemoteError` `position_expired` when they are gone). */
  since?: { offset: number; epoch: string };
}

/** What `client.history()` resolves with. */
export interface HistoryResult {
  /** The publications, oldest first, with `history`, `offset` and `epoch` headers. */
  publications: Frame[];
  /** The channel's top offset (absent for a channel without history). */
  offset?: number;
  /** The channel's epoch (absent for a channel without history). */
  epoch?: string;
}

interface Active {
  channel: string;
  frames: Frame[];
  summary?: Frame;
  onSummary?: () => void;
}

/**
 * The history queries of one client.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFrame } from "../codec/frame.ts";
 * import { HistoryQueries } from "./history_query.ts";
 * const queries = new HistoryQueries();
 * const sent: string[] = [];
 * const result = queries.run("r", {}, (frame) => {
 *   sent.push(frame.headers.get("history")!);
 *   queries.observe(createFrame({ command: "chat", headers: { history: "r", offset: "1", epoch: "e" }, body: "hi" }));
 *   queries.observe(createFrame({ command: "history", headers: { history: "r", count: "1", offset: "1", epoch: "e" } }));
 *   return Promise.resolve();
 * }, true);
 * const { publications, offset, epoch } = await result;
 * assert.deepEqual([sent, publications.map((f) => f.body), offset, epoch], [["r"], ["hi"], 1, "e"]);
 * ```
 */
export class HistoryQueries {
  #active?: Active;
  #chain: Promise<unknown> = Promise.resolve();

  /** Sees every incoming frame; keeps those of the query in flight. */
  observe(frame: Frame): void {
    const active = this.#active;
    const channel = frame.headers.get("history");
    if (!active || channel !== active.channel || frame.headers.has("publish")) return;
    if (frame.command === "history" && frame.headers.has("count")) {
      active.summary = frame;
      active.onSummary?.();
    } else active.frames.push(frame);
  }

  /**
   * Sends the query with `transmit` once earlier ones are done. With `acked`,
   * the answer is complete when `transmit` resolves (the acknowledgement comes
   * after it); otherwise when the summary frame arrives.
   */
  run(
    channel: string,
    options: HistoryOptions,
    transmit: (frame: Frame) => Promise<void>,
    acked: boolean,
  ): Promise<HistoryResult> {
    const frame = createFrame({ command: "history", headers: { history: channel } });
    if (options.limit !== undefined) frame.headers.set("limit", String(options.limit));
    if (options.since) {
      frame.headers.set("since", `${options.since.offset},${options.since.epoch}`);
    }
    const result = this.#chain.then(async () => {
      const active: Active = { channel, frames: [] };
      this.#active = active;
      try {
        const summary = acked
          ? undefined
          : new Promise<void>((resolve) => (active.onSummary = resolve));
        await transmit(frame);
        await summary;
        return toResult(active);
      } finally {
        if (this.#active === active) this.#active = undefined;
      }
    });
    this.#chain = result.catch(() => {});
    return result;
  }
}

function toResult(active: Active): HistoryResult {
  const summary = active.summary?.headers;
  const offset = Number(summary?.get("offset"));
  const epoch = summary?.get("epoch");
  return Number.isSafeInteger(offset) && epoch !== undefined
    ? { publications: active.frames, offset, epoch }
    : { publications: active.frames };
}
