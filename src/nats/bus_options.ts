/**
 * What a `NatsBus` takes (its options) and reports (its stats).
 *
 * @module
 */

import type { BusStats } from "../telemetry/metrics.ts";
import type { NatsConnection } from "@nats-io/nats-core";
import type { ConnectNatsOptions } from "./connect.ts";
import type { Logger } from "../telemetry/log.ts";

/** Options of `NatsBus`: `servers` or `connection`. */
export interface NatsBusOptions extends Partial<ConnectNatsOptions> {
  /** A ready connection (any transport); the caller keeps ownership and closes it. */
  connection?: NatsConnection;
  /** Subject prefix, so several lhttp clusters can share one NATS (default `lhttp`). */
  subjectPrefix?: string;
  /** Where state changes are logged; warnings to stderr by default. */
  logger?: Logger;
  /** Largest frame accepted from other nodes, bytes (default 64 MiB). */
  maxFrameBytes?: number;
  /**
   * Most bytes buffered for other nodes, in every state: frames queued in the
   * bus plus frames sent that the NATS server has not confirmed yet. Past it
   * the oldest queued frames are dropped (default 8 MiB, or twice
   * `maxFrameBytes` when that is larger).
   */
  maxPendingBytes?: number;
  /**
   * Most bytes sent to NATS and not yet confirmed by the server (a PONG to a
   * flush); frames beyond wait in the bus's queue, where the oldest can still
   * be dropped (default 1 MiB, at most `maxPendingBytes`).
   */
  maxInFlightBytes?: number;
  /**
   * How long the server may leave a flush unanswered before the bus reports
   * `stalled`, ms (default 2000). With no traffic the bus probes as often.
   */
  stallTimeoutMs?: number;
  /** Longest wait between attempts while NATS was never reached, ms (default 5000). */
  maxRetryDelayMs?: number;
}

/** What a `NatsBus` counts: the shape of the optional `Bus.stats` (see `BusStats`). */
export type NatsBusStats = BusStats;
