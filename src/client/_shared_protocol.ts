/**
 * The messages between the tabs of a `SharedLhttpClient` and the hub that
 * holds the one connection (a leader tab over a `BroadcastChannel`, or a
 * `SharedWorker` over `MessagePort`s). Every message is structured-cloned, so
 * frames travel as they are (a `Map` of headers survives) and errors travel
 * as plain data, revived on the tab side.
 *
 * @module
 */

import type { Frame } from "../codec/frame.ts";
import { LhttpError, type LhttpErrorCode } from "../codec/errors.ts";
import { ClientError, type ClientErrorCode, RemoteError } from "./errors.ts";

/** A channel's position: the last offset a tab delivered, in an epoch. */
export interface WirePosition {
  /** The offset. */
  offset: number;
  /** The epoch. */
  epoch: string;
}

/** What a tab asks the hub; each is answered with an `ans` of the same `id` (0: no answer). */
export type TabRequest =
  | { t: "sub"; tab: string; id: number; channel: string }
  | { t: "unsub"; tab: string; id: number; channel: string }
  | {
    t: "pub";
    tab: string;
    id: number;
    channel: string;
    body: string | Uint8Array;
    command?: string;
    headers?: [string, string][];
  }
  // The publications after `since` (a tab that missed some while the hub changed).
  | { t: "fill"; tab: string; id: number; channel: string; since: WirePosition };

/**
 * A tab's presence: `hello` first (with what the worker needs to connect;
 * `token`: the tab can answer `token` asks), `bye` on leaving, and its answer
 * to the worker's `token` ask (a function option cannot cross `postMessage`).
 */
export type TabNotice =
  | {
    t: "hello";
    tab: string;
    lock: string;
    url: string;
    options: Record<string, unknown>;
    token: boolean;
  }
  | { t: "token"; tab: string; id: number; value?: string | null; error?: string }
  | { t: "bye"; tab: string };

/** A tab's way to its hub: a leader tab's `BroadcastChannel`, a `SharedWorker`'s port, or in-process. */
export interface TabLink {
  /** Whether this tab holds the connection. */
  readonly leader: boolean;
  /** Sends a request to the hub. */
  post(request: TabRequest): void;
  /** Leaves: the hub releases this tab's channels. */
  close(): Promise<void>;
}

/** What a link calls with each message for its tab. */
export type TabReceiver = (message: HubMessage) => void;

/** An error as plain data. */
export interface WireError {
  name: string;
  code: string;
  message: string;
  status?: number;
  reason?: string;
  frame?: Frame;
}

/** What the hub sends the tabs. */
export type HubMessage =
  | { t: "ans"; to: string; id: number; error?: WireError; frames?: Frame[] }
  | { t: "frame"; channel: string; frame: Frame }
  // A (re)subscribe's position frame: where the channel stands now.
  | { t: "position"; channel: string; offset?: number; epoch?: string }
  // A new hub is up and knows nothing yet: tabs ask again for what they hold.
  | { t: "leader"; tab: string }
  // The worker's client needs a token: the tab answers with its `token` option's value.
  | { t: "token"; id: number };

/**
 * An error as plain data, for `postMessage`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromWire, toWire } from "./_shared_protocol.ts";
 * import { ClientError } from "./errors.ts";
 * const revived = fromWire(structuredClone(toWire(new ClientError("closed", "gone"))));
 * assert.ok(revived instanceof ClientError);
 * assert.equal(revived.code, "closed");
 * ```
 */
export function toWire(error: unknown): WireError {
  const known = error as Partial<RemoteError> & { name?: string; message?: string };
  const wire: WireError = {
    name: known.name ?? "Error",
    code: typeof known.code === "string" ? known.code : "internal",
    message: known.message ?? String(error),
  };
  if (error instanceof RemoteError) {
    Object.assign(wire, { status: error.status, reason: error.reason, frame: error.frame });
  }
  return wire;
}

/** Revives a {@linkcode WireError} as the class it was sent from (see {@linkcode toWire}). */
export function fromWire(wire: WireError): Error {
  if (wire.name === "RemoteError" && wire.frame) {
    return new RemoteError(wire.status ?? 500, wire.code, wire.reason ?? "", wire.frame);
  }
  if (wire.name === "LhttpError") return new LhttpError(wire.code as LhttpErrorCode, wire.message);
  return new ClientError(wire.code as ClientErrorCode, wire.message);
}
