// The admin API's cluster link over NATS request/reply: `lhttp serve --nats`
// with `--admin-token` opens one more NATS connection for it.

import { createInbox, type NatsConnection } from "@nats-io/nats-core";
import { connectNats } from "../nats/connect.ts";
import type { AdminCluster } from "../server/options.ts";
import type { Logger } from "../telemetry/log.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * An {@linkcode AdminCluster} on NATS: `_LHTTP_ADMIN.<prefix>.all` reaches
 * every node, `_LHTTP_ADMIN.<prefix>.node.<node>` one. Connects in the
 * background; until connected, gathering finds no other node and asking fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createLogger } from "@lhttp/lhttp";
 * import { NatsAdminCluster } from "./_admin_nats.ts";
 * const link = new NatsAdminCluster("nats://127.0.0.1:1", "lhttp", createLogger("silent"));
 * assert.deepEqual(await link.gather("info", {}, 100), []); // not connected: no other node
 * await assert.rejects(link.ask("b", "info", {}, 100), /NATS is not connected/);
 * await link.close();
 * ```
 */
export class NatsAdminCluster implements AdminCluster {
  #nc?: NatsConnection;
  readonly #ready: Promise<NatsConnection | undefined>;
  readonly #root: string;
  #closed = false;

  /** A link through `servers`, for the cluster named by `prefix`. */
  constructor(servers: string, prefix: string, readonly logger: Logger) {
    this.#root = `_LHTTP_ADMIN.${prefix}`;
    this.#ready = connectNats({ servers, connectOptions: { name: "lhttp-admin" } }).then(
      (nc) => {
        if (this.#closed) return void nc.close();
        return this.#nc = nc;
      },
      (error) => {
        logger.log("warn", "admin cluster link: cannot reach NATS; showing this node only", {
          error: String(error?.message ?? error),
        });
        return undefined;
      },
    );
  }

  async gather(
    op: string,
    body: unknown,
    timeoutMs: number,
    expected = Infinity,
  ): Promise<unknown[]> {
    const nc = this.#nc;
    if (!nc || nc.isClosed()) return [];
    const inbox = createInbox();
    const answers: unknown[] = [];
    const sub = nc.subscribe(inbox);
    // Stop at the timeout, or once the expected nodes answered and 200 ms passed for new ones.
    const started = Date.now();
    const timer = setTimeout(() => sub.unsubscribe(), timeoutMs);
    const early = setTimeout(() => answers.length >= expected && sub.unsubscribe(), 200);
    nc.publish(`${this.#root}.all`, encoder.encode(JSON.stringify({ op, body })), { reply: inbox });
    try {
      for await (const message of sub) {
        try {
          answers.push(JSON.parse(decoder.decode(message.data)));
        } catch {
          continue; // not ours
        }
        if (answers.length >= expected && Date.now() - started >= 200) break;
      }
    } finally {
      clearTimeout(timer);
      clearTimeout(early);
      sub.unsubscribe();
    }
    return answers;
  }

  async ask(node: string, op: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const nc = this.#nc;
    if (!nc || nc.isClosed()) throw new Error("NATS is not connected");
    const subject = `${this.#root}.node.${node}`;
    const reply = await nc.request(subject, encoder.encode(JSON.stringify({ op, body })), {
      timeout: timeoutMs,
    });
    return JSON.parse(decoder.decode(reply.data));
  }

  serve(node: string, handler: (op: string, body: unknown) => Promise<unknown>): void {
    void this.#ready.then((nc) => {
      if (!nc) return;
      for (const subject of [`${this.#root}.all`, `${this.#root}.node.${node}`]) {
        nc.subscribe(subject, {
          callback: (error, message) => {
            if (error || !message.reply) return;
            let request: { op?: unknown; body?: unknown };
            try {
              request = JSON.parse(decoder.decode(message.data));
            } catch {
              return;
            }
            if (typeof request?.op !== "string") return;
            handler(request.op, request.body).then(
              (answer) => message.respond(encoder.encode(JSON.stringify(answer))),
              () => {},
            );
          },
        });
      }
    });
  }

  /** Closes the link's connection. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#nc?.close();
  }
}
