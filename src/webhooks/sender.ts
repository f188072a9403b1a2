/**
 * Delivery toward one receiver: a bounded queue, batches flushed by size or
 * after `flushMs`, one POST in flight, retries with exponential backoff and
 * full jitter. `enqueue` is O(1) and never waits: the frame path stays free.
 *
 * @module
 */

import type { Logger } from "../telemetry/log.ts";
import type { WebhookEvent } from "./event.ts";
import { EventQueue } from "./event_queue.ts";
import { postBatch, WebhookError } from "./post.ts";
import type { WebhookSettings } from "./options.ts";

/** Webhook counters, summed over receivers for `/metrics`. */
export interface WebhookStats {
  /** Events waiting (queued, or in a batch being sent). */
  queued: number;
  /** Events a receiver accepted (2xx). */
  sent: number;
  /** Batch attempts retried. */
  retried: number;
  /** Events dropped: the queue overflowed, or a receiver refused for good. */
  dropped: number;
}

/** The queue and delivery loop of one endpoint. */
export class WebhookSender {
  /** Counters of this endpoint. */
  readonly stats: WebhookStats = { queued: 0, sent: 0, retried: 0, dropped: 0 };
  readonly #queue: EventQueue<WebhookEvent>;
  #inFlight: WebhookEvent[] = [];
  #timer?: ReturnType<typeof setTimeout>;
  #sending = false;
  #attempt = 0;
  #closed = false;
  #soon = false;
  #loggedAt = 0;
  #unlogged = 0;
  #idle?: () => void;

  /** A sender to `endpoint`, signing with `key`. */
  constructor(
    readonly endpoint: string,
    readonly settings: WebhookSettings,
    readonly key: Promise<CryptoKey>,
    readonly logger: Logger,
  ) {
    this.#queue = new EventQueue(settings.maxQueued);
  }

  /** Queues one event; drops (counts, logs) the oldest when full. */
  enqueue(event: WebhookEvent): void {
    const dropped = this.#queue.push(event);
    if (dropped) {
      this.stats.dropped++;
      // Logged at most once a second, with the count, so that a flood does not flood the log.
      this.#unlogged++;
      const now = Date.now();
      if (now - this.#loggedAt >= 1000) {
        this.logger.log("warn", "webhook queue full: dropped the oldest events", {
          endpoint: this.endpoint,
          dropped: this.#unlogged,
          last: dropped.id,
          type: dropped.type,
        });
        this.#loggedAt = now;
        this.#unlogged = 0;
      }
    }
    this.stats.queued = this.#queue.length + this.#inFlight.length;
    if (this.#sending || this.#closed) return;
    if (this.#queue.length >= this.settings.batchSize) {
      // A full batch goes at the next turn; later events of this turn join the queue.
      if (!this.#soon) {
        this.#soon = true;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.#flush(), 0);
      }
    } else this.#timer ??= setTimeout(() => this.#flush(), this.settings.flushMs);
  }

  /** Resolves once everything queued was sent or dropped (for tests and shutdown). */
  idle(): Promise<void> {
    if (!this.#sending && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#idle;
      this.#idle = () => (previous?.(), resolve());
    });
  }

  /** Stops timers; queued events are abandoned. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#idle?.();
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    this.#soon = false;
    if (this.#sending || this.#closed) return;
    this.#sending = true;
    try {
      while (!this.#closed) {
        if (this.#inFlight.length === 0) this.#inFlight = this.#queue.take(this.settings.batchSize);
        if (this.#inFlight.length === 0) break;
        if (!await this.#send(this.#inFlight)) return; // a retry is scheduled
        this.#inFlight = [];
        this.stats.queued = this.#queue.length;
      }
    } finally {
      if (this.#timer === undefined) this.#sending = false;
    }
    const idle = this.#idle;
    this.#idle = undefined;
    idle?.();
  }

  // True when the batch is done with (sent, or dropped for good).
  async #send(batch: WebhookEvent[]): Promise<boolean> {
    const { key, settings } = this;
    try {
      await postBatch(this.endpoint, JSON.stringify({ events: batch }), {
        key: await key,
        allow: settings.allow,
        timeoutMs: settings.timeoutMs,
        fetch: settings.fetch,
      });
      this.#attempt = 0;
      this.stats.sent += batch.length;
      return true;
    } catch (error) {
      const known = error instanceof WebhookError
        ? error
        : new WebhookError("webhook_unreachable", String(error), true);
      if (!known.retry) {
        this.stats.dropped += batch.length;
        this.logger.log("error", "webhook refused for good: dropped a batch", {
          endpoint: this.endpoint,
          code: known.code,
          error: known.message,
          events: batch.length,
        });
        return true;
      }
      this.stats.retried++;
      const ceiling = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** this.#attempt++);
      this.logger.log("warn", "webhook delivery failed, retrying", {
        endpoint: this.endpoint,
        error: known.message,
        attempt: this.#attempt,
      });
      // Full jitter; the timer keeps #sending true so that enqueue does not race it.
      this.#timer = setTimeout(() => {
        this.#sending = false;
        this.#flush();
      }, Math.random() * ceiling);
      return false;
    }
  }
}
