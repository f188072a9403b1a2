/**
 * Web Locks as a presence signal: each tab holds a lock named after it for
 * as long as it lives, and the hub asks for the same lock, which it gets only
 * once the tab is gone (closed, crashed or navigated away). Neither a
 * `MessagePort` nor a `BroadcastChannel` says when the other side went away.
 *
 * @module
 */

/** The part of `navigator.locks` used here. */
export interface LockManagerLike {
  /** Holds the lock `name` until `callback`'s promise settles. */
  request(name: string, callback: () => unknown): Promise<unknown>;
}

/**
 * The Web Locks manager, if the runtime has one (browsers and their workers; not Deno).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockManager } from "./_shared_locks.ts";
 * assert.equal(lockManager(), (globalThis.navigator as { locks?: unknown } | undefined)?.locks);
 * ```
 */
export function lockManager(): LockManagerLike | undefined {
  // The DOM types of Deno's checker do not declare navigator.locks.
  return (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
}

/** The lock a tab holds while it lives. */
export function tabLock(name: string, tab: string): string {
  return `${name}:tab:${tab}`;
}

/**
 * Holds the lock `name` until `release` resolves; resolves once it is held
 * (at once without Web Locks).
 */
export function holdLock(name: string, release: Promise<void>): Promise<void> {
  const locks = lockManager();
  if (!locks) return Promise.resolve();
  return new Promise<void>((held) => {
    locks.request(name, () => (held(), release)).catch(() => held());
  });
}

/** Calls `gone` once the lock `name` is free: its holder has left (never without Web Locks). */
export function whenFree(name: string, gone: () => void): void {
  lockManager()?.request(name, () => gone()).catch(() => {});
}
