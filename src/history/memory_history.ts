/**
 * The embedded history engine: per-channel rings in the memory of one node,
 * bounded by count and age, with an epoch per channel life.
 *
 * @module
 */

import type { FrameData } from "../codec/frame.ts";
import { newEpoch } from "./epoch.ts";
import { FrameRing } from "./frame_ring.ts";
import type { Continuation, History, HistoryRule, Position, StoredPublication } from "./history.ts";

/** Options of {@linkcode MemoryHistory}. */
export interface MemoryHistoryOptions {
  /** Which channels keep what; the longest matching prefix wins. */
  rules: readonly HistoryRule[];
  /** Most publications one recovery or query returns (default 1000). */
  recoveryLimit?: number;
  /** The clock, ms (`Date.now` by default). */
  now?: () => number;
}

// A channel's publications are consecutive (offsets top - count + 1 .. top), so
// the ring keeps only the frames (as bytes) and their times: no object per publication.
interface ChannelState {
  readonly epoch: string;
  readonly rule: Readonly<HistoryRule>;
  top: number;
  readonly ring: FrameRing;
  touched: number;
}

/**
 * In-memory history. A channel's state (its epoch and top) lives while it has
 * publications or was used within its `ttlMs`; then it is forgotten, and the
 * next life gets a new epoch. Each append also sweeps one other channel, so
 * idle channels are released without a timer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryHistory } from "@lhttp/lhttp/internal";
 * let now = 0;
 * const history = new MemoryHistory({ rules: [{ prefix: "", size: 2, ttlMs: 10 }], now: () => now });
 * for (const body of ["a", "b", "c"]) history.append("r", history.next("r")!, body);
 * assert.deepEqual(history.last("r", 5).map((p) => p.data), ["b", "c"], "bounded by count");
 * const epoch = history.top("r")!.epoch;
 * assert.equal(history.since("r", { offset: 0, epoch })!.publications, undefined, "1 is gone");
 * now = 11;
 * assert.deepEqual(history.last("r", 5), [], "bounded by age");
 * ```
 */
export class MemoryHistory implements History {
  readonly recoveryLimit: number;
  readonly #rules: readonly Readonly<HistoryRule>[];
  readonly #now: () => number;
  readonly #channels = new Map<string, ChannelState>();
  #sweep?: Iterator<[string, ChannelState]>;
  #reserved?: ChannelState;
  #reservedFor?: string;
  #lastNow = 0;

  /** An engine with `options.rules`; throws a `RangeError` on a bad rule. */
  constructor(options: MemoryHistoryOptions) {
    for (const rule of options.rules) checkRule(rule);
    // Longest prefix first, so the first match is the most specific.
    this.#rules = [...options.rules].map((rule) => Object.freeze({ ...rule }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
    this.recoveryLimit = options.recoveryLimit ?? 1000;
    if (!Number.isSafeInteger(this.recoveryLimit) || this.recoveryLimit < 1) {
      throw new RangeError(
        `The recovery limit must be a positive integer, got ${options.recoveryLimit}`,
      );
    }
    this.#now = options.now ?? Date.now;
  }

  /** Channels with a state in memory. */
  get channelCount(): number {
    return this.#channels.size;
  }

  rule(channel: string): Readonly<HistoryRule> | undefined {
    for (const rule of this.#rules) if (channel.startsWith(rule.prefix)) return rule;
    return undefined;
  }

  next(channel: string): Position | undefined {
    const state = this.#state(channel);
    if (!state) return undefined;
    // The publish path calls append right after: it takes this state and time
    // (a string comparison, not a second Map lookup).
    this.#reserved = state;
    this.#reservedFor = channel;
    return { offset: state.top + 1, epoch: state.epoch };
  }

  append(channel: string, position: Position, data: FrameData): void {
    const reserved = this.#reserved;
    this.#reserved = undefined;
    const state = reserved && this.#reservedFor === channel ? reserved : this.#state(channel);
    if (!state || state.epoch !== position.epoch || position.offset !== state.top + 1) return;
    const at = this.#lastNow;
    state.top = position.offset;
    state.touched = at;
    state.ring.push(data, at);
    this.#sweepOne(channel);
  }

  top(channel: string): Position | undefined {
    const state = this.#state(channel);
    return state && { offset: state.top, epoch: state.epoch };
  }

  since(channel: string, from: Position, limit = this.recoveryLimit): Continuation | undefined {
    const state = this.#state(channel);
    if (!state) return undefined;
    const top = { offset: state.top, epoch: state.epoch };
    const missing = state.top - from.offset;
    if (from.epoch !== state.epoch || missing < 0 || missing > limit) return { top };
    if (missing === 0) return { top, publications: [] };
    const count = state.ring.count;
    if (missing > count) return { top }; // the oldest ones aged out or were pushed out
    return { top, publications: stored(state, count - missing) };
  }

  last(channel: string, count: number): StoredPublication[] {
    const state = this.#state(channel);
    if (!state || count <= 0) return [];
    return stored(state, Math.max(0, state.ring.count - count));
  }

  // The live state of a channel with a rule: expired entries dropped, and a
  // new life (new epoch) when the old one was forgotten.
  #state(channel: string): ChannelState | undefined {
    let state = this.#channels.get(channel);
    const now = this.#lastNow = this.#now();
    if (state) {
      this.#expire(state, now);
      if (state.ring.count === 0 && now - state.touched > state.rule.ttlMs) {
        this.#channels.delete(channel);
        state = undefined;
      }
    }
    if (!state) {
      const rule = this.rule(channel);
      if (!rule) return undefined;
      state = { epoch: newEpoch(), rule, top: 0, ring: new FrameRing(rule.size), touched: now };
      this.#channels.set(channel, state);
    }
    return state;
  }

  // Drops the frames older than the rule's age, oldest first: each frame once.
  #expire(state: ChannelState, now: number): void {
    state.ring.dropOlderThan(now - state.rule.ttlMs);
  }

  // Looks at one other channel per append and forgets it when it is idle.
  #sweepOne(current: string): void {
    if (this.#channels.size < 2) return; // only `current`: nothing else to look at
    this.#sweep ??= this.#channels.entries();
    let step = this.#sweep.next();
    if (step.done) step = (this.#sweep = this.#channels.entries()).next();
    if (step.done || step.value[0] === current) return;
    const [channel, state] = step.value;
    const now = this.#lastNow;
    this.#expire(state, now);
    if (state.ring.count === 0 && now - state.touched > state.rule.ttlMs) {
      this.#channels.delete(channel);
    }
  }
}

// The frames from the `from`-th oldest on, with their offsets.
function stored(state: ChannelState, from: number): StoredPublication[] {
  const out: StoredPublication[] = [];
  const { ring } = state;
  const first = state.top - ring.count + 1;
  for (let i = from; i < ring.count; i++) out.push({ offset: first + i, data: ring.frame(i) });
  return out;
}

function checkRule(rule: HistoryRule): void {
  if (typeof rule.prefix !== "string") throw new RangeError("A history rule needs a prefix");
  if (!Number.isSafeInteger(rule.size) || rule.size < 1) {
    throw new RangeError(
      `History size of ${JSON.stringify(rule.prefix)} must be a positive integer, got ${rule.size}`,
    );
  }
  if (!(rule.ttlMs > 0)) {
    throw new RangeError(
      `History ttlMs of ${JSON.stringify(rule.prefix)} must be positive, got ${rule.ttlMs}`,
    );
  }
}
