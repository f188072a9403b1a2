/**
 * The router's view of presence (PROTOCOL.md, "Presence"): the `presence`,
 * `presence-watch` and `presence-info` headers of a reply are checked before
 * the frame's other effects and answered after them. The implementation lives
 * in `presence/`; the pipeline only calls this interface.
 *
 * @module
 */

import type { Context } from "./context.ts";

/** Presence steps of one frame, around its other effects. */
export interface PresenceRequests {
  /**
   * Validates the frame's presence headers (throwing leaves everything
   * unchanged), runs `effects`, then applies and answers them.
   */
  around(ctx: Context, effects: () => void | Promise<void>): void | Promise<void>;
}
