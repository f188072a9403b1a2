/**
 * `GET /healthz`: gauges, the bus in detail, and 503 while draining or when
 * the bus has been down past its grace period, so that load balancers take
 * the node out.
 *
 * @module
 */

import type { Bus } from "../hub/bus.ts";
import type { Gauges } from "../telemetry/metrics.ts";

/** What {@linkcode Health} reads from the server. */
export interface HealthSource {
  /** True once shutdown began. */
  readonly draining: boolean;
  /** The gauges of `/metrics`. */
  gauges(): Gauges;
  /** The bus, if any. */
  readonly hub: { readonly bus?: Bus };
  /** `busDownGraceMs` of the settings. */
  readonly settings: { readonly busDownGraceMs: number };
}

/** The body of `/healthz`. */
export interface HealthReport extends Gauges {
  /** `ok` (200), `draining` or `bus_down` (503). */
  status: "ok" | "draining" | "bus_down";
  /** True once shutdown began. */
  draining: boolean;
  /** The bus in detail. */
  busDetail: {
    /** The bus state (`local` without a bus). */
    state: string;
    /** True when frames reach other nodes: connected (or no bus). */
    connected: boolean;
    /** Ms since the bus was first seen down, 0 when up. */
    downForMs: number;
    /** The grace before a down bus makes `/healthz` 503. */
    graceMs: number;
    /** The bus's counters, when it keeps them. */
    stats?: Bus["stats"];
  };
}

/**
 * Health of one server. The bus's down time is measured from the first check
 * that saw it down (checks are what load balancers do, every few seconds), or
 * from startup for a bus that never connected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer, MemoryBroker } from "@lhttp/lhttp";
 * import { Health } from "./health.ts";
 * const bus = new MemoryBroker().connect();
 * const server = new LhttpServer({ bus, busDownGraceMs: 0 });
 * const health = new Health(server);
 * assert.equal(health.check().status, "ok");
 * await bus.close(); // closed: down, and the grace is 0
 * health.check();
 * assert.equal(health.check().status, "bus_down");
 * ```
 */
export class Health {
  #downSince?: number;
  // Until the first check, the bus counts as down since the routes were made (startup).
  readonly #createdAt: number;
  #checked = false;

  /** Health of `server`; `now` is the clock. A bus not connected yet is down from now. */
  constructor(readonly server: HealthSource, readonly now: () => number = Date.now) {
    this.#createdAt = now();
  }

  /** Samples the bus state; the report. */
  check(): HealthReport {
    const gauges = this.server.gauges();
    const bus = this.server.hub.bus;
    const connected = this.#sample();
    const now = this.now();
    const downForMs = this.#downSince === undefined ? 0 : now - this.#downSince;
    const graceMs = this.server.settings.busDownGraceMs;
    const draining = this.server.draining;
    const status = draining ? "draining" : !connected && downForMs >= graceMs ? "bus_down" : "ok";
    return {
      status,
      ...gauges,
      draining,
      busDetail: { state: gauges.bus, connected, downForMs, graceMs, stats: bus?.stats },
    };
  }

  // Notes when the bus went down (first seen); true when it is up.
  #sample(): boolean {
    const bus = this.server.hub.bus;
    const connected = bus === undefined || bus.state === "connected";
    if (connected) this.#downSince = undefined;
    else this.#downSince ??= this.#checked ? this.now() : this.#createdAt;
    this.#checked = true;
    return connected;
  }

  /** `/healthz` as a Response: 200 when `ok`, else 503. */
  respond(): Response {
    const report = this.check();
    return Response.json(report, {
      status: report.status === "ok" ? 200 : 503,
      headers: { "cache-control": "no-store" },
    });
  }
}
