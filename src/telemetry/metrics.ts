/**
 * Server counters and their Prometheus text rendering (`GET /metrics`).
 *
 * @module
 */

/** Counters a server keeps; gauges are read from the server when rendering. */
export class Metrics {
  /** Connections accepted since start. */
  connectionsTotal = 0;
  /** Frames read from clients. */
  framesIn = 0;
  /** Sizes of frames read from clients: text in UTF-16 code units, binary in bytes. */
  bytesIn = 0;
  /** Frames written to clients. */
  framesOut = 0;
  /** Bytes of published frames times their local deliveries, plus direct replies. */
  bytesOut = 0;
  /** Publish operations (one per channel). */
  publishes = 0;
  /** Frames not delivered, by reason. */
  readonly drops: Map<string, number> = new Map();
  /** Error frames and HTTP errors sent, by machine code. */
  readonly errors: Map<string, number> = new Map();
  /** Connections closed by the server, by reason. */
  readonly closes: Map<string, number> = new Map();
  /** Upstream calls by outcome (`ok` or an error code). */
  readonly upstream: Map<string, number> = new Map();
  /** Publisher pacing waits by outcome (`drained`, `lagging`, `closed`). */
  readonly pacing: Map<string, number> = new Map();

  /** Adds `by` to a labelled counter. */
  count(counter: Map<string, number>, label: string, by = 1): void {
    counter.set(label, (counter.get(label) ?? 0) + by);
  }
}

/** Gauges sampled at render time. */
export interface Gauges {
  /** Open WebSocket connections. */
  connections: number;
  /** Channels with at least one local subscriber. */
  channels: number;
  /** Subscriptions, one per connection per channel. */
  subscriptions: number;
  /** The bus state: `local` without a bus, else the bus's state (`connected` when up). */
  bus: string;
  /** Webhook delivery, when webhooks are configured. */
  webhooks?: { queued: number; sent: number; retried: number; dropped: number };
}

/**
 * Renders counters and gauges in the Prometheus text exposition format.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Metrics, renderMetrics } from "@lhttp/lhttp/internal";
 * const metrics = new Metrics();
 * metrics.count(metrics.errors, "bad_header");
 * const text = renderMetrics(metrics, { connections: 1, channels: 0, subscriptions: 0, bus: "local" });
 * assert.ok(text.includes('lhttp_errors_total{code="bad_header"} 1'));
 * const stats = { published: 3, received: 2, dropped: 0, invalid: 0, queuedBytes: 0, queuedFrames: 0, maxQueuedBytes: 8, stalls: 1 };
 * const withBus = renderMetrics(metrics, { connections: 0, channels: 0, subscriptions: 0, bus: "connected" }, stats);
 * assert.ok(withBus.includes("lhttp_bus_published_total 3"));
 * assert.ok(withBus.includes("lhttp_bus_stalls_total 1"));
 * ```
 */
export function renderMetrics(metrics: Metrics, gauges: Gauges, bus?: BusStats): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const labelled = (label: string, counter: Map<string, number>): [string, number][] =>
    [...counter].map(([key, value]) => [`{${label}="${key}"}`, value]);
  metric("lhttp_connections", "gauge", "Open WebSocket connections.", [["", gauges.connections]]);
  metric("lhttp_connections_total", "counter", "Connections accepted.", [[
    "",
    metrics.connectionsTotal,
  ]]);
  metric("lhttp_channels", "gauge", "Channels with local subscribers.", [["", gauges.channels]]);
  metric("lhttp_subscriptions", "gauge", "Local channel subscriptions.", [[
    "",
    gauges.subscriptions,
  ]]);
  metric("lhttp_frames_in_total", "counter", "Frames received.", [["", metrics.framesIn]]);
  metric("lhttp_frames_out_total", "counter", "Frames sent.", [["", metrics.framesOut]]);
  // Counted in O(1) from what exists: a string's length, a byte array's size.
  const unit = "text frames in UTF-16 code units (bytes for ASCII), binary frames in bytes";
  metric("lhttp_bytes_in_total", "counter", `Frame sizes received: ${unit}.`, [[
    "",
    metrics.bytesIn,
  ]]);
  metric("lhttp_bytes_out_total", "counter", `Frame sizes sent, times deliveries: ${unit}.`, [[
    "",
    metrics.bytesOut,
  ]]);
  metric("lhttp_publishes_total", "counter", "Frames published, per channel.", [[
    "",
    metrics.publishes,
  ]]);
  metric(
    "lhttp_drops_total",
    "counter",
    "Frames not delivered, by reason.",
    labelled("reason", metrics.drops),
  );
  metric(
    "lhttp_errors_total",
    "counter",
    "Errors answered, by code.",
    labelled("code", metrics.errors),
  );
  metric(
    "lhttp_closes_total",
    "counter",
    "Connections closed by the server, by reason.",
    labelled("reason", metrics.closes),
  );
  metric(
    "lhttp_upstream_total",
    "counter",
    "Upstream calls, by outcome.",
    labelled("outcome", metrics.upstream),
  );
  metric(
    "lhttp_pacing_waits_total",
    "counter",
    "Publisher waits for a subscriber past high water, by outcome.",
    labelled("outcome", metrics.pacing),
  );
  metric("lhttp_bus_up", "gauge", "1 when the bus is connected (or local).", [[
    `{state="${gauges.bus}"}`,
    gauges.bus === "connected" || gauges.bus === "local" ? 1 : 0,
  ]]);
  const webhooks = gauges.webhooks;
  if (webhooks) {
    metric("lhttp_webhook_queued", "gauge", "Webhook events waiting to be sent.", [[
      "",
      webhooks.queued,
    ]]);
    metric("lhttp_webhook_sent_total", "counter", "Webhook events accepted by receivers.", [[
      "",
      webhooks.sent,
    ]]);
    metric("lhttp_webhook_retried_total", "counter", "Webhook batch attempts retried.", [[
      "",
      webhooks.retried,
    ]]);
    metric(
      "lhttp_webhook_dropped_total",
      "counter",
      "Webhook events dropped (queue full, or refused for good).",
      [["", webhooks.dropped]],
    );
  }
  if (bus) renderBusStats(metric, bus);
  return lines.join("\n") + "\n";
}

/** The counters of a bus that keeps them (the shape of `Bus.stats`). */
export interface BusStats {
  /** Frames sent to other nodes. */
  readonly published: number;
  /** Frames from other nodes delivered locally. */
  readonly received: number;
  /** Frames for other nodes dropped (no connection, or oldest past the cap). */
  readonly dropped: number;
  /** Payloads from the bus that did not decode, dropped. */
  readonly invalid: number;
  /** Bytes buffered: queued plus sent but unconfirmed. */
  readonly queuedBytes: number;
  /** Frames waiting in the queue. */
  readonly queuedFrames: number;
  /** The cap on buffered bytes. */
  readonly maxQueuedBytes: number;
  /** Times the bus entered `stalled`. */
  readonly stalls: number;
}

type Emit = (name: string, type: string, help: string, samples: [string, number][]) => void;

function renderBusStats(metric: Emit, bus: BusStats): void {
  const counter = (name: string, help: string, value: number) =>
    metric(`lhttp_bus_${name}`, "counter", help, [["", value]]);
  const gauge = (name: string, help: string, value: number) =>
    metric(`lhttp_bus_${name}`, "gauge", help, [["", value]]);
  counter("published_total", "Frames sent to the other nodes.", bus.published);
  counter("received_total", "Frames received from other nodes and delivered.", bus.received);
  counter(
    "dropped_total",
    "Frames for other nodes dropped (no connection, buffer cap).",
    bus.dropped,
  );
  counter("invalid_total", "Bus payloads that did not decode to a frame.", bus.invalid);
  counter("stalls_total", "Times the bus entered the stalled state.", bus.stalls);
  gauge(
    "queued_bytes",
    "Bytes buffered for other nodes (queued plus unconfirmed).",
    bus.queuedBytes,
  );
  gauge("queued_frames", "Frames queued in the bus, not yet sent.", bus.queuedFrames);
  gauge("max_queued_bytes", "The cap of lhttp_bus_queued_bytes.", bus.maxQueuedBytes);
}
