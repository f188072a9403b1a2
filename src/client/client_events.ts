/**
 * The states and events of an {@linkcode LhttpClient} connection.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";
import type { ClientError } from "./errors.ts";
import type { GapEvent, SubscribedEvent } from "./positions.ts";

/** The connection states; every change emits a `state` event with both ends. */
export type ClientState = "connecting" | "open" | "reconnecting" | "closed";

/** The close codes with which a server refuses a login after accepting the upgrade. */
export type RefusalCode = 4401 | 4403;

/** The client's events and what each carries. */
export interface ClientEvents {
  /** The state changed. */
  state: { from: ClientState; to: ClientState };
  /** The socket opened (again, when `reconnected`); subscriptions are restored and the queue flushed. */
  open: { reconnected: boolean };
  /** The socket closed; `reconnecting` tells whether a retry is scheduled. */
  close: { code: number; reason: string; wasOpen: boolean; reconnecting: boolean };
  /** A retry is scheduled in `delay` ms; `attempt` counts from 1 since the last open. */
  reconnecting: { attempt: number; delay: number };
  /**
   * The server refused the login: close code 4401 (authentication refused) or
   * 4403 (forbidden), with its reason. Frames queued or awaiting an answer were
   * rejected with `error` (code `unauthorized` or `forbidden`). The client
   * reconnects (`reconnecting`) only when it has a `token` option to get a new
   * token from; otherwise it is now closed.
   */
  unauthorized: { code: RefusalCode; reason: string; reconnecting: boolean; error: ClientError };
  /** A frame arrived (acknowledgements the client consumed excluded). */
  frame: Frame;
  /** A server error frame nobody awaited, a refused subscription, an unreadable frame. */
  error: Error;
  /** Not a failure: the server never acknowledges (code `no_acks`), so frames are now fire-and-forget. */
  warning: ClientError;
  /** A send was refused because the offline queue was full. */
  queuefull: { frame: Frame; capacity: number; error: ClientError };
  /**
   * A subscription's position frame (PROTOCOL.md section 13): after a
   * reconnect or a gap, `wasRecovering` and whether every missed publication
   * was delivered (`recovered`); on `recovered: false` reload the state.
   */
  subscribed: SubscribedEvent;
  /** A live subscription missed publications; the client recovers them (then `subscribed`). */
  gap: GapEvent;
}
