/**
 * Which Durable Object a request goes to. A route maps a request to an object
 * name (`idFromName`) and the path the object sees; {@linkcode singleObject},
 * {@linkcode byRoom} and {@linkcode sharded} are the three shapes.
 *
 * @module
 */

import { EdgeError } from "./_cloudflare_errors.ts";

/** Where a request goes: the object's name, the path it sees, an optional room tag. */
export interface RouteTarget {
  /** The object's name, for `idFromName`. */
  object: string;
  /** The path the object sees (`/`, `/healthz`, `/publish`, ...). */
  path: string;
  /** The room, tagged on the object's sockets (`getWebSockets(room)`). */
  room?: string;
}

/** Maps a request to its object; throws an {@linkcode EdgeError} to refuse it. */
export type Route = (request: Request, url: URL) => RouteTarget;

// The channel alphabet of PROTOCOL.md, so that a room is also a valid channel and tag.
const ROOM = /^[A-Za-z0-9_.:@\/=+~-]{1,128}$/;

function checkRoom(room: string): string {
  if (!ROOM.test(room) || room.includes("/")) {
    throw new EdgeError("bad_room", `Room ${JSON.stringify(room)} is not a valid room name`);
  }
  return room;
}

/**
 * Every request to one object named `name`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { singleObject } from "@lhttp/lhttp/cloudflare";
 * const url = new URL("http://h/healthz");
 * assert.deepEqual(singleObject("hub")(new Request(url), url), { object: "hub", path: "/healthz" });
 * ```
 */
export function singleObject(name = "lhttp"): Route {
  return (_request, url) => ({ object: name, path: url.pathname });
}

/** Options of {@linkcode byRoom}. */
export interface ByRoomOptions {
  /** The path prefix before the room name (default `/rooms/`). */
  prefix?: string;
  /** Which rooms exist; every valid name when absent (an unknown one is a 404). */
  rooms?: (room: string) => boolean;
  /** The object of requests outside the prefix (`POST /publish`); 404 when absent. */
  fallback?: string;
}

/**
 * One object per room: `/rooms/<room>/<rest>` goes to object `room:<room>`,
 * which sees `/<rest>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { byRoom, EdgeError } from "@lhttp/lhttp/cloudflare";
 * const route = byRoom({ rooms: (room) => room !== "closed" });
 * const at = (path: string) => route(new Request(`http://h${path}`), new URL(`http://h${path}`));
 * assert.deepEqual(at("/rooms/lobby/healthz"), {
 *   object: "room:lobby",
 *   path: "/healthz",
 *   room: "lobby",
 * });
 * assert.throws(() => at("/rooms/closed/"), (e) => e instanceof EdgeError && e.status === 404);
 * assert.throws(() => at("/rooms/b%20d/"), (e) => e instanceof EdgeError && e.status === 400);
 * ```
 */
export function byRoom(options: ByRoomOptions = {}): Route {
  const prefix = options.prefix ?? "/rooms/";
  return (_request, url) => {
    if (!url.pathname.startsWith(prefix)) {
      if (options.fallback !== undefined) return { object: options.fallback, path: url.pathname };
      throw new EdgeError("no_object", `No object serves ${JSON.stringify(url.pathname)}`);
    }
    const rest = url.pathname.slice(prefix.length);
    const slash = rest.indexOf("/");
    const encoded = slash < 0 ? rest : rest.slice(0, slash);
    let room: string;
    try {
      room = checkRoom(decodeURIComponent(encoded));
    } catch (error) {
      if (error instanceof EdgeError) throw error;
      throw new EdgeError(
        "bad_room",
        `Room ${JSON.stringify(encoded)} is not valid percent-encoding`,
      );
    }
    if (options.rooms && !options.rooms(room)) {
      throw new EdgeError("unknown_room", `Room ${JSON.stringify(room)} does not exist`);
    }
    return { object: `room:${room}`, path: slash < 0 ? "/" : rest.slice(slash), room };
  };
}

/** Options of {@linkcode sharded}. */
export interface ShardedOptions {
  /** How many objects share the load (1 or more). */
  shards: number;
  /** The sharding key of a request (default: its `room` query parameter, or ""). */
  key?: (request: Request, url: URL) => string;
}

/**
 * `shards` objects, `shard:0` to `shard:<n-1>`, chosen by a hash of the key:
 * requests with the same key meet in the same object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharded } from "@lhttp/lhttp/cloudflare";
 * const route = sharded({ shards: 4 });
 * const url = new URL("http://h/?room=lobby");
 * const target = route(new Request(url), url);
 * assert.match(target.object, /^shard:[0-3]$/);
 * assert.deepEqual(route(new Request(url), url), target);
 * ```
 */
export function sharded(options: ShardedOptions): Route {
  const { shards } = options;
  if (!Number.isInteger(shards) || shards < 1) {
    throw new RangeError(`shards must be a positive integer, not ${shards}`);
  }
  const key = options.key ?? ((_request, url) => url.searchParams.get("room") ?? "");
  return (request, url) => ({
    object: `shard:${fnv1a(key(request, url)) % shards}`,
    path: url.pathname,
  });
}

// FNV-1a over UTF-16 units: stable across isolates, which is all sharding needs.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
