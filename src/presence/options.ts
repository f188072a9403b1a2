/**
 * Presence options and their defaults.
 *
 * @module
 */

/** What the server's `presence` option takes; which channels have presence is per namespace. */
export interface PresenceOptions {
  /**
   * Channel prefixes with presence (and join/leave diffs), when the server has
   * no `namespaces` rules saying so (`presence: true`, `joinLeave: true`).
   */
  prefixes?: readonly string[];
  /** Largest `info` object, in UTF-8 bytes of its JSON (default 1024). */
  maxInfoBytes?: number;
  /** Interval of coalesced presence-diff frames, ms (default 250). */
  diffIntervalMs?: number;
  /** Members per page when the request names no limit (default 100; at most 1000). */
  pageSize?: number;
  /** The node's id in connection ids; random by default. */
  node?: string;
}

/** Resolved presence settings. */
export type PresenceSettings = Readonly<Required<Omit<PresenceOptions, "prefixes">>> & {
  readonly prefixes?: readonly string[];
};

/** Largest page a request may ask for. */
export const MAX_PAGE = 1000;

/**
 * Applies the defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePresence } from "./options.ts";
 * const settings = resolvePresence({ prefixes: ["chat."] });
 * assert.equal(settings.diffIntervalMs, 250);
 * assert.deepEqual(settings.prefixes, ["chat."]);
 * ```
 */
export function resolvePresence(options: PresenceOptions = {}): PresenceSettings {
  return Object.freeze({
    prefixes: options.prefixes ? Object.freeze([...options.prefixes]) : undefined,
    maxInfoBytes: options.maxInfoBytes ?? 1024,
    diffIntervalMs: options.diffIntervalMs ?? 250,
    pageSize: Math.min(options.pageSize ?? 100, MAX_PAGE),
    node: options.node ?? crypto.randomUUID().slice(0, 8),
  });
}
