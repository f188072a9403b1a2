// Every option of `lhttp serve`: its config key, flag, variable, kind and default.

import type { z } from "zod";
import { DEFAULT_LIMITS } from "../codec/limits.ts";
import * as kind from "./_config_kinds.ts";

/** One option: `flag` and `env` derive from the key unless named. */
export interface OptionSpec<S extends z.ZodType = z.ZodType> {
  /** The zod schema of a value (a file value, or a flag/variable after {@linkcode fromText}). */
  schema: S;
  /** The default, as a file would write it; none when absent. */
  default?: unknown;
  /** One line of help. */
  help: string;
  /** The value's placeholder in the help (`N`, `SIZE`, ...). */
  arg?: string;
  /** Flag name without dashes; kebab-case of the key by default. */
  flag?: string;
  /** Masked by `lhttp config print`. */
  secret?: boolean;
}

const o = <S extends z.ZodType>(spec: OptionSpec<S>) => spec;

/** The options, in help order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPTIONS } from "./_config_options.ts";
 * assert.equal(OPTIONS.port.default, 8081);
 * assert.ok(OPTIONS.adminToken.secret);
 * ```
 */
export const OPTIONS = {
  port: o({ schema: kind.port(), default: 8081, help: "Port to listen on", arg: "N" }),
  host: o({ schema: kind.text(), default: "0.0.0.0", help: "Interface to bind", arg: "ADDR" }),
  static: o({ schema: kind.text(), help: "Serve a folder at /", arg: "DIR" }),
  publishToken: o({
    schema: kind.text(),
    help: 'Require "Authorization: Bearer TOKEN" on POST /publish',
    arg: "TOKEN",
    secret: true,
  }),
  publishOpen: o({
    schema: kind.flag(),
    default: false,
    help: "Without a publish token, let any caller POST /publish (else loopback only)",
  }),
  publishBodyTimeout: o({
    schema: kind.duration(),
    default: "10s",
    help: "Time a POST /publish body may take",
    arg: "DURATION",
  }),
  publishMaxBodyBytesInFlight: o({
    schema: kind.size(),
    default: "64MiB",
    help: "POST /publish body bytes read at once, all callers",
    arg: "SIZE",
  }),
  upstreamAllow: o({
    schema: kind.list(),
    default: [],
    help: "URL prefixes upstream requests may fetch; repeatable",
    arg: "PREFIX",
  }),
  upstreamTimeout: o({
    schema: kind.duration(),
    default: "10s",
    help: "Upstream request timeout",
    arg: "DURATION",
  }),
  upstreamMaxResponseBytes: o({
    schema: kind.size(),
    default: "1MiB",
    help: "Largest upstream answer relayed",
    arg: "SIZE",
  }),
  upstreamMaxInFlight: o({
    schema: kind.whole(1),
    default: 4,
    help: "Upstream requests in flight per connection",
    arg: "N",
  }),
  maxFrameBytes: o({
    schema: kind.size(),
    default: DEFAULT_LIMITS.maxFrameBytes,
    help: "Largest frame",
    arg: "SIZE",
  }),
  maxHeaders: o({
    schema: kind.whole(1),
    default: DEFAULT_LIMITS.maxHeaders,
    help: "Headers per frame",
    arg: "N",
  }),
  maxHeaderBytes: o({
    schema: kind.size(),
    default: DEFAULT_LIMITS.maxHeaderBytes,
    help: "Bytes of a frame's headers",
    arg: "SIZE",
  }),
  maxChannelsPerFrame: o({
    schema: kind.whole(1),
    default: DEFAULT_LIMITS.maxChannelsPerFrame,
    help: "Channels named in one frame",
    arg: "N",
  }),
  maxSubscriptions: o({
    schema: kind.whole(1),
    default: DEFAULT_LIMITS.maxSubscriptions,
    help: "Subscriptions per connection",
    arg: "N",
  }),
  maxChannelLength: o({
    schema: kind.whole(1),
    default: DEFAULT_LIMITS.maxChannelLength,
    help: "Longest channel name",
    arg: "N",
  }),
  maxParts: o({
    schema: kind.whole(1),
    default: DEFAULT_LIMITS.maxParts,
    help: "Parts of a multipart frame",
    arg: "N",
  }),
  allowedOrigins: o({
    schema: kind.list(),
    flag: "allow-origin",
    help: 'Browser origins allowed to upgrade ("*" any); same-origin only by default; repeatable',
    arg: "ORIGIN",
  }),
  allowedHosts: o({
    schema: kind.list(),
    help: "Host header values answered (against DNS rebinding); any by default; repeatable",
    arg: "HOST",
  }),
  rateLimit: o({
    schema: kind.whole(0),
    default: 0,
    help: "Frames per second per connection; 0 off",
    arg: "N",
  }),
  rateLimitBurst: o({
    schema: kind.whole(0),
    help: "Frames in a burst above the rate (default twice the rate)",
    arg: "N",
  }),
  rateLimitCloseAfter: o({
    schema: kind.whole(1),
    default: 100,
    help: "Refused frames in a row before a 1008 close",
    arg: "N",
  }),
  maxBufferedBytes: o({
    schema: kind.size(),
    default: "1MiB",
    help: "Outgoing buffer per connection",
    arg: "SIZE",
  }),
  slowConsumer: o({
    schema: kind.oneOf(["close", "drop"]),
    default: "close",
    help: "close (code 4008) or drop, for a full buffer",
    arg: "POLICY",
  }),
  pacing: o({
    schema: kind.flag(),
    default: true,
    help: "Publishers wait for subscribers past half their buffer",
  }),
  pacingMaxWait: o({
    schema: kind.duration(),
    default: "100ms",
    help: "Longest pacing wait per subscriber",
    arg: "DURATION",
  }),
  maxQueuedFrames: o({
    schema: kind.whole(1),
    default: 65_536,
    help: "Frames read ahead per connection before a 1008 close",
    arg: "N",
  }),
  maxQueuedBytes: o({
    schema: kind.size(),
    default: "16MiB",
    help: "Bytes read ahead per connection, likewise",
    arg: "SIZE",
  }),
  idleTimeout: o({
    schema: kind.duration(),
    default: "120s",
    help: "Silence before a peer is pinged and closed; 0 off",
    arg: "DURATION",
  }),
  drainTimeout: o({
    schema: kind.duration(),
    default: "10s",
    help: "Wait for clients on shutdown",
    arg: "DURATION",
  }),
  busDownGrace: o({
    schema: kind.duration(),
    default: "10s",
    help: "Bus down this long: /healthz answers 503",
    arg: "DURATION",
  }),
  logLevel: o({
    schema: kind.logLevel(),
    default: "warn",
    help: "debug, info (access log), warn, error, silent",
    arg: "LEVEL",
  }),
  nats: o({
    schema: kind.nats(),
    help: "Join a cluster over NATS (nats:// or ws://, comma-separated)",
    arg: "URLS",
  }),
  natsPrefix: o({
    schema: kind.text(),
    default: "lhttp",
    help: "NATS subject prefix",
    arg: "PREFIX",
  }),
  adminToken: o({
    schema: kind.text(),
    help: "Serve the admin page at /admin behind this token; off without",
    arg: "TOKEN",
    secret: true,
  }),
} as const;

/** A config key. */
export type OptionKey = keyof typeof OPTIONS;

/** The resolved values, by key (sizes in bytes, durations in ms). */
export type ConfigValues = { -readonly [K in OptionKey]: z.output<(typeof OPTIONS)[K]["schema"]> };

/** Keys, in help order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPTION_KEYS } from "./_config_options.ts";
 * assert.equal(OPTION_KEYS[0], "port");
 * ```
 */
export const OPTION_KEYS = Object.keys(OPTIONS) as OptionKey[];
