// Flags and environment variables of `lhttp serve`, turned into one config.

import { parseArgs } from "node:util";
import { isLogLevel, type LogLevel } from "../telemetry/log.ts";
import type { SlowConsumerPolicy } from "../connection/connection.ts";

export const SERVE_HELP = `Usage: lhttp serve [options]

Options (environment variable in brackets):
  --port N                 Port to listen on, default 8081            [LHTTP_PORT]
  --host ADDR              Interface to bind, default 0.0.0.0          [LHTTP_HOST]
  --static DIR             Serve a folder at /                          [LHTTP_STATIC]
  --publish-token TOKEN    Require "Authorization: Bearer TOKEN" on POST /publish
                                                                        [LHTTP_PUBLISH_TOKEN]
  --upstream-allow PREFIX  Allow upstream requests to URLs starting with PREFIX;
                           repeatable (comma-separated in the variable) [LHTTP_UPSTREAM_ALLOW]
  --max-frame-bytes N      Largest frame, default 1048576               [LHTTP_MAX_FRAME_BYTES]
  --allow-origin ORIGIN    Allow browser upgrades from ORIGIN ("*" any); repeatable;
                           same-origin only by default                  [LHTTP_ALLOW_ORIGIN]
  --rate-limit N           Frames per second per connection (burst 2N); off by default
                                                                        [LHTTP_RATE_LIMIT]
  --max-buffered-bytes N   Outgoing buffer per connection, default 1048576
                                                                        [LHTTP_MAX_BUFFERED_BYTES]
  --slow-consumer POLICY   close (default, code 4008) or drop           [LHTTP_SLOW_CONSUMER]
  --idle-timeout S         Seconds before a silent peer is pinged and closed, default 120
                                                                        [LHTTP_IDLE_TIMEOUT]
  --drain-timeout S        Seconds to wait for clients on shutdown, default 10
                                                                        [LHTTP_DRAIN_TIMEOUT]
  --log-level LEVEL        debug, info, warn (default), error, silent   [LHTTP_LOG_LEVEL]
  --nats URL[,URL...]      Join a cluster over NATS (nats:// or ws://)  [LHTTP_NATS]
  --nats-prefix PREFIX     NATS subject prefix, default lhttp           [LHTTP_NATS_PREFIX]
  -h, --help               Show this help
`;

/** A flag or variable has a value `lhttp serve` cannot use. */
export class UsageError extends Error {
  /** Machine code for scripts. */
  readonly code = "usage";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ServeConfig {
  help: boolean;
  port: number;
  host: string;
  static?: string;
  publishToken?: string;
  upstreamAllow: string[];
  maxFrameBytes?: number;
  allowOrigins?: string[];
  rateLimit?: number;
  maxBufferedBytes?: number;
  slowConsumer?: SlowConsumerPolicy;
  idleTimeout?: number;
  drainTimeout: number;
  logLevel: LogLevel;
  nats?: string;
  natsPrefix?: string;
}

/** Parses `lhttp serve` arguments over environment defaults. Throws {@linkcode UsageError}. */
export function parseServeArgs(
  args: string[],
  env: Record<string, string | undefined>,
): ServeConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: "string", default: env.LHTTP_PORT ?? "8081" },
        host: { type: "string", default: env.LHTTP_HOST ?? "0.0.0.0" },
        static: { type: "string", default: env.LHTTP_STATIC },
        "publish-token": { type: "string", default: env.LHTTP_PUBLISH_TOKEN },
        "upstream-allow": {
          type: "string",
          multiple: true,
          default: list(env.LHTTP_UPSTREAM_ALLOW),
        },
        "max-frame-bytes": { type: "string", default: env.LHTTP_MAX_FRAME_BYTES },
        "allow-origin": { type: "string", multiple: true, default: list(env.LHTTP_ALLOW_ORIGIN) },
        "rate-limit": { type: "string", default: env.LHTTP_RATE_LIMIT },
        "max-buffered-bytes": { type: "string", default: env.LHTTP_MAX_BUFFERED_BYTES },
        "slow-consumer": { type: "string", default: env.LHTTP_SLOW_CONSUMER },
        "idle-timeout": { type: "string", default: env.LHTTP_IDLE_TIMEOUT },
        "drain-timeout": { type: "string", default: env.LHTTP_DRAIN_TIMEOUT ?? "10" },
        "log-level": { type: "string", default: env.LHTTP_LOG_LEVEL ?? "warn" },
        nats: { type: "string", default: env.LHTTP_NATS },
        "nats-prefix": { type: "string", default: env.LHTTP_NATS_PREFIX },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    // node:util's messages may span lines; the CLI prints one.
    throw new UsageError((error as Error).message.replace(/\s*\n\s*/g, " "));
  }
  const logLevel = values["log-level"];
  if (!isLogLevel(logLevel)) {
    throw new UsageError(`--log-level ${JSON.stringify(logLevel)} is not a level`);
  }
  const slowConsumer = values["slow-consumer"];
  if (slowConsumer !== undefined && slowConsumer !== "close" && slowConsumer !== "drop") {
    throw new UsageError(
      `--slow-consumer must be "close" or "drop", got ${JSON.stringify(slowConsumer)}`,
    );
  }
  const origins = values["allow-origin"];
  return {
    help: values.help,
    port: port(values.port),
    host: values.host,
    static: values.static,
    publishToken: values["publish-token"],
    upstreamAllow: values["upstream-allow"],
    maxFrameBytes: optionalWhole(values["max-frame-bytes"], "--max-frame-bytes"),
    allowOrigins: origins.length > 0 ? origins : undefined,
    rateLimit: optionalWhole(values["rate-limit"], "--rate-limit"),
    maxBufferedBytes: optionalWhole(values["max-buffered-bytes"], "--max-buffered-bytes"),
    slowConsumer,
    idleTimeout: optionalWhole(values["idle-timeout"], "--idle-timeout"),
    drainTimeout: whole(values["drain-timeout"], "--drain-timeout"),
    logLevel,
    nats: values.nats === undefined ? undefined : natsServers(values.nats),
    natsPrefix: values["nats-prefix"],
  };
}

function port(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isInteger(number) || number < 0 || number > 65535) {
    throw new UsageError(
      `--port must be a port number from 0 to 65535, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

const NATS_SCHEMES = ["nats:", "tls:", "ws:", "wss:"];

/**
 * Checks `--nats`: comma-separated `nats://`, `tls://`, `ws://` or `wss://`
 * URLs (or `host:port`, taken as `nats://`), each with a host and a valid
 * port. Whether the host answers is learnt later: the server then serves
 * local traffic and keeps retrying.
 */
export function natsServers(value: string): string {
  const servers = value.split(",").map((server) => server.trim()).filter(Boolean);
  if (servers.length === 0) throw new UsageError("--nats needs at least one NATS server URL");
  for (const server of servers) {
    const scheme = server.match(/^([a-z][a-z0-9+.-]*:)\/\//i)?.[1].toLowerCase();
    if (scheme && !NATS_SCHEMES.includes(scheme)) {
      throw new UsageError(
        `--nats ${JSON.stringify(server)} is not a NATS URL: use nats://, tls://, ws:// or wss://`,
      );
    }
    let url: URL | undefined;
    try {
      url = new URL(scheme ? server : `nats://${server}`);
    } catch {
      // Reported below.
    }
    if (!url || url.hostname === "" || /\s/.test(server)) {
      throw new UsageError(
        `--nats ${JSON.stringify(server)} is not a valid URL (expected e.g. nats://127.0.0.1:4222)`,
      );
    }
  }
  const ws = servers.filter((server) => /^wss?:\/\//i.test(server)).length;
  if (ws !== 0 && ws !== servers.length) {
    throw new UsageError("--nats URLs must be all nats:// (TCP) or all ws:// / wss://");
  }
  return servers.join(",");
}

function list(value: string | undefined): string[] {
  return value ? value.split(",").map((item) => item.trim()).filter(Boolean) : [];
}

function whole(value: string, flag: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(number) || number < 0) {
    throw new UsageError(`${flag} needs a whole number, got ${JSON.stringify(value)}`);
  }
  return number;
}

function optionalWhole(value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : whole(value, flag);
}
