/**
 * Cluster routing of SSE POSTs, so that no sticky sessions are needed: a
 * session id starts with the id of the node that holds its stream, and a POST
 * that reaches another node is relayed to it over NATS request/reply (subject
 * `<prefix>-sse.<node>`, outside the channel subjects `<prefix>.…`, so no
 * channel wildcard ever sees a secret). The owning node checks and answers it
 * exactly as a local POST.
 *
 * @module
 */

import type { LhttpServer } from "../server/lhttp_server.ts";

/** A relayed POST. */
export interface RelayedPost {
  /** The session id. */
  session: string;
  /** The bearer secret the POST carried. */
  secret: string | undefined;
  /** True for an `application/octet-stream` body. */
  binary: boolean;
  /** The body, read within the limits. */
  body: Uint8Array;
}

/** The owning node's answer: the HTTP status and JSON body of a local POST. */
export interface RelayedAnswer {
  /** HTTP status. */
  status: number;
  /** Machine code of a refusal. */
  code?: string;
  /** Readable reason of a refusal. */
  reason?: string;
}

/** How POSTs reach the node that holds a session. */
export interface SseRelay {
  /** This node's id: 8 base64url characters, the first 8 of its session ids. */
  readonly node: string;
  /** Asks `node` to take `post`; rejects when no node answers in time. */
  forward(node: string, post: RelayedPost): Promise<RelayedAnswer>;
  /** Answers the POSTs relayed to this node. */
  serve(handler: (post: RelayedPost) => Promise<RelayedAnswer>): void;
}

/** The part of a NATS connection (`@nats-io/nats-core`) the relay uses. */
export interface NatsRequester {
  /** Sends a request and waits for one reply. */
  request(
    subject: string,
    payload: Uint8Array,
    options: { timeout: number },
  ): Promise<{ data: Uint8Array }>;
  /** Subscribes to a subject. */
  subscribe(
    subject: string,
    options: {
      callback(
        error: Error | null,
        message: { data: Uint8Array; respond(data: Uint8Array): boolean },
      ): void;
    },
  ): { unsubscribe(): void };
}

const relays = new WeakMap<LhttpServer, SseRelay>();

/**
 * Routes the SSE POSTs of `server` through `relay`; call before serving (the
 * routes read it when they are made).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { relayOf, useSseRelay } from "./sse_relay.ts";
 * const server = new LhttpServer();
 * const relay = { node: "AAAAAAAA", forward: () => Promise.resolve({ status: 202 }), serve() {} };
 * useSseRelay(server, relay);
 * assert.equal(relayOf(server), relay);
 * ```
 */
export function useSseRelay(server: LhttpServer, relay: SseRelay): void {
  relays.set(server, relay);
}

/** The relay of `server`, if any. */
export function relayOf(server: LhttpServer): SseRelay | undefined {
  return relays.get(server);
}

/**
 * A relay over a NATS connection. The envelope is one JSON line (session,
 * secret, binary) and the body; the answer is JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { natsSseRelay } from "./sse_relay.ts";
 * const subjects: string[] = [];
 * const nc = {
 *   request: () => Promise.reject(new Error("no responders")),
 *   subscribe: (subject: string) => (subjects.push(subject), { unsubscribe() {} }),
 * };
 * const relay = natsSseRelay(nc, { node: "nodeAAAA" });
 * relay.serve(() => Promise.resolve({ status: 202 }));
 * assert.deepEqual(subjects, ["lhttp-sse.nodeAAAA"]);
 * ```
 */
export function natsSseRelay(
  nc: NatsRequester,
  options: { prefix?: string; node?: string; timeoutMs?: number } = {},
): SseRelay {
  const prefix = options.prefix ?? "lhttp";
  const node = options.node ?? nodeId();
  if (!/^[A-Za-z0-9_-]{8}$/.test(node)) {
    throw new RangeError(
      `An SSE relay node id is 8 base64url characters, not ${JSON.stringify(node)}`,
    );
  }
  const timeout = options.timeoutMs ?? 5_000;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    node,
    async forward(target, post) {
      const head = encoder.encode(
        JSON.stringify({ session: post.session, secret: post.secret, binary: post.binary }) + "\n",
      );
      const payload = new Uint8Array(head.length + post.body.length);
      payload.set(head);
      payload.set(post.body, head.length);
      const reply = await nc.request(`${prefix}-sse.${target}`, payload, { timeout });
      return JSON.parse(decoder.decode(reply.data));
    },
    serve(handler) {
      nc.subscribe(`${prefix}-sse.${node}`, {
        callback(error, message) {
          if (error) return;
          const data = message.data;
          const end = data.indexOf(10);
          let post: RelayedPost;
          try {
            const head = JSON.parse(decoder.decode(data.subarray(0, end)));
            post = {
              session: String(head.session),
              secret: head.secret,
              binary: !!head.binary,
              body: data.subarray(end + 1),
            };
          } catch {
            message.respond(encoder.encode(JSON.stringify({ status: 400, code: "bad_relay" })));
            return;
          }
          handler(post).then(
            (answer) => message.respond(encoder.encode(JSON.stringify(answer))),
            () =>
              message.respond(encoder.encode(JSON.stringify({ status: 500, code: "internal" }))),
          );
        },
      });
    },
  };
}

/**
 * A random node id: 48 bits, base64url, 8 characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeId } from "./sse_relay.ts";
 * assert.match(nodeId(), /^[A-Za-z0-9_-]{8}$/);
 * ```
 */
export function nodeId(): string {
  const raw = crypto.getRandomValues(new Uint8Array(6));
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_");
}
