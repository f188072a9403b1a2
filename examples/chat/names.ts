// Server-assigned display names for the chat demo. A page asks for a nickname
// in the `nick` header of each frame it publishes; the server replaces that
// header with a name no other open connection holds ("ann", then "ann-2"), so
// every name in a room stands for exactly one connection. A name is free again
// once its connection closes.

import type { Connection, Middleware } from "@lhttp/lhttp";

/** Longest display name, suffix included (the page's input allows as much). */
export const MAX_NAME_LENGTH = 32;
/** The name of a page that asks for none. */
export const DEFAULT_NAME = "guest";

interface Held {
  /** The nickname asked for, cleaned. */
  wish: string;
  /** The name assigned. */
  name: string;
}

/**
 * Middleware that stamps every published frame with its connection's unique
 * display name in the `nick` header. Names compare without case ("Ann" and
 * "ann" collide); a taken name gets the first free suffix `-2`, `-3`, ….
 */
export function uniqueNames(): Middleware {
  const taken = new Map<string, Connection>(); // folded name → the connection holding it
  const held = new WeakMap<Connection, Held>();

  const claim = (connection: Connection, wish: string): string => {
    // Names of closed connections are freed here, so no close hook is needed.
    for (const [key, holder] of taken) if (holder.closed) taken.delete(key);
    let name = wish;
    for (let n = 2; taken.has(fold(name)); n++) name = withSuffix(wish, n);
    taken.set(fold(name), connection);
    held.set(connection, { wish, name });
    return name;
  };

  return (ctx, next) => {
    if (!ctx.reply.headers.has("publish")) return next();
    const asked = ctx.header("nick");
    const current = held.get(ctx.connection);
    let name: string;
    if (current && (asked === undefined || cleanName(asked) === current.wish)) {
      name = current.name;
    } else {
      if (current) taken.delete(fold(current.name));
      name = claim(ctx.connection, cleanName(asked ?? "") || DEFAULT_NAME);
    }
    ctx.setHeader("nick", name);
    return next();
  };
}

/** A nickname as a display name: printable, single-spaced, at most 32 characters. */
export function cleanName(name: string): string {
  // deno-lint-ignore no-control-regex -- control characters are exactly what is removed
  const printable = name.replace(/[\x00-\x1f\x7f]/g, "").replace(/\s+/g, " ").trim();
  return [...printable].slice(0, MAX_NAME_LENGTH).join("").trim();
}

function withSuffix(wish: string, n: number): string {
  const suffix = `-${n}`;
  return [...wish].slice(0, MAX_NAME_LENGTH - suffix.length).join("").trimEnd() + suffix;
}

function fold(name: string): string {
  return name.normalize("NFKC").toLowerCase();
}
