/**
 * lhttp on Cloudflare Workers: a Worker entry that routes each request to a
 * Durable Object, and the Durable Object class that hosts an
 * {@linkcode LhttpServer} on the WebSocket Hibernation API.
 *
 * ```ts ignore
 * // worker.ts, bundled for workerd (wrangler, or esbuild and workerd)
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { byRoom, lhttpDurableObject, lhttpWorker } from "@lhttp/lhttp/cloudflare";
 * export const LhttpObject = lhttpDurableObject(({ bus }) => new LhttpServer({ bus }));
 * export default lhttpWorker({ binding: "LHTTP", route: byRoom({ fallback: "lobby" }) });
 * ```
 *
 * workerd has no `bufferedAmount` (workerd issue #988): the runtime queues
 * what an object sends and does not say how much. So on workerd
 * `maxBufferedBytes` and publisher pacing never trigger; the slow-consumer
 * policy applies when the runtime refuses a send (a socket that is closing or
 * gone): `close` closes that connection with 4008, `drop` counts the frame as
 * dropped. Other subscribers are never affected. Memory is bounded by the
 * object's own limit, which workerd enforces by resetting the object.
 *
 * @module
 */

import type { DurableObjectNamespace } from "./_cloudflare_types.ts";
import { INTERNAL_PREFIX } from "./_cloudflare_bus.ts";
import { EdgeError } from "./_cloudflare_errors.ts";
import { ROOM_HEADER } from "./_cloudflare_object.ts";
import { type Route, singleObject } from "./_cloudflare_routing.ts";

export { type BusCall, ObjectBus } from "./_cloudflare_bus.ts";
export { ChannelDirectory } from "./_cloudflare_directory.ts";
export { EdgeError, type EdgeErrorCode } from "./_cloudflare_errors.ts";
export {
  type DurableObjectOptions,
  lhttpDurableObject,
  type LhttpObject,
  type ObjectContext,
} from "./_cloudflare_object.ts";
export {
  byRoom,
  type ByRoomOptions,
  type Route,
  type RouteTarget,
  sharded,
  type ShardedOptions,
  singleObject,
} from "./_cloudflare_routing.ts";
export type {
  DurableObjectId,
  DurableObjectNamespace,
  DurableObjectState,
  DurableObjectStorage,
  DurableObjectStub,
  WorkerdWebSocket,
} from "./_cloudflare_types.ts";

/** Options of {@linkcode lhttpWorker}. */
export interface WorkerOptions {
  /** The Durable Object binding in `env` (default `LHTTP`). */
  binding?: string;
  /** Which object serves a request (default: {@linkcode singleObject}). */
  route?: Route;
}

/** A Worker's default export. */
export interface WorkerEntry {
  /** Routes one request to its object. */
  fetch(request: Request, env: Record<string, unknown>): Promise<Response>;
}

/**
 * The Worker entry: every request (upgrade, `POST /publish`, `/healthz`,
 * `/metrics`) goes to the object its route names, which sees the route's
 * path. A refused route answers JSON `{ status, code, reason }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { byRoom, lhttpWorker } from "@lhttp/lhttp/cloudflare";
 * const worker = lhttpWorker({ route: byRoom() });
 * const env = { LHTTP: {} as never };
 * const response = await worker.fetch(new Request("http://h/elsewhere"), env);
 * assert.equal(response.status, 404);
 * assert.equal((await response.json()).code, "no_object");
 * ```
 */
export function lhttpWorker(options: WorkerOptions = {}): WorkerEntry {
  const binding = options.binding ?? "LHTTP";
  const route = options.route ?? singleObject();
  return {
    async fetch(request, env) {
      try {
        const url = new URL(request.url);
        if (url.pathname.startsWith(INTERNAL_PREFIX)) {
          throw new EdgeError("internal_route", "Paths under /.lhttp/ are internal");
        }
        const target = route(request, url);
        const namespace = env[binding] as DurableObjectNamespace | undefined;
        if (!namespace?.idFromName) {
          throw new Error(`The Worker has no Durable Object binding ${JSON.stringify(binding)}`);
        }
        url.pathname = target.path;
        const headers = new Headers(request.headers);
        headers.delete(ROOM_HEADER);
        if (target.room !== undefined) headers.set(ROOM_HEADER, target.room);
        const forwarded = new Request(url, { method: request.method, headers, body: request.body });
        return await namespace.get(namespace.idFromName(target.object)).fetch(forwarded);
      } catch (error) {
        if (error instanceof EdgeError) return error.toResponse();
        throw error;
      }
    },
  };
}
