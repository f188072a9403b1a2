/**
 * Middleware and processors: the two ways applications shape frame handling.
 *
 * @module
 */

import type { Connection } from "../connection/connection.ts";
import type { Context } from "./context.ts";

/** Calls the rest of the chain. */
export type Next = () => void | Promise<void>;

/**
 * Code around frame processing, in the `(ctx, next)` style: inspect or rewrite
 * the context, call `next()` to go on, or throw an `LhttpError` to refuse.
 */
export type Middleware = (ctx: Context, next: Next) => void | Promise<void>;

/**
 * Handles one command. `onOpen` runs on a connection's first frame of the
 * command (before `onMessage`), `onClose` when a connection that sent the
 * command closes.
 */
export interface Processor {
  /** First frame of this command on a connection. */
  onOpen?(ctx: Context): void | Promise<void>;
  /** Every frame of this command. */
  onMessage?(ctx: Context): void | Promise<void>;
  /** The connection closed. */
  onClose?(connection: Connection): void | Promise<void>;
}

/**
 * Composes middleware into one; stays synchronous while every step is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Middleware } from "@lhttp/lhttp";
 * import { compose } from "@lhttp/lhttp/internal";
 * const order: string[] = [];
 * const a: Middleware = (_ctx, next) => { order.push("a"); return next(); };
 * const b: Middleware = () => { order.push("b"); };
 * compose([a, b])(undefined as never, () => {});
 * assert.equal(order.join(), "a,b");
 * ```
 */
export function compose(middleware: readonly Middleware[]): Middleware {
  return (ctx, last) => {
    let index = -1;
    const dispatch = (i: number): void | Promise<void> => {
      if (i <= index) throw new Error("next() was called twice by one middleware");
      index = i;
      const step = i === middleware.length ? last : middleware[i];
      return step(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
