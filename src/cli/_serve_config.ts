// `lhttp serve`'s resolved configuration turned into server and listen options,
// and the help that lists every option.

import type { ServerOptions } from "../server/options.ts";
import { type ConfigValues, OPTION_KEYS, OPTIONS } from "./_config_options.ts";
import { envOf, flagOf, isBoolean } from "./_option_spelling.ts";

export { UsageError } from "./_nats_url.ts";

/** The help of `lhttp serve`, generated from the options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SERVE_HELP } from "./_serve_config.ts";
 * assert.match(SERVE_HELP, /--admin-token TOKEN  \(adminToken, LHTTP_ADMIN_TOKEN\)/);
 * ```
 */
export const SERVE_HELP: string = (() => {
  const lines = [
    "Usage: lhttp serve [--config FILE] [options]",
    "",
    "Each option has a key in the config file (JSON or JSONC) and an environment",
    "variable, shown after each flag. Precedence: flag, variable, file, default.",
    'Sizes: bytes or "64KiB", "1MB"; durations: seconds or "30s", "250ms", "2m".',
    "",
    "  --config FILE  (LHTTP_CONFIG)",
    "      The config file",
  ];
  for (const key of OPTION_KEYS) {
    const spec: { help: string; arg?: string; default?: unknown } = OPTIONS[key];
    const flag = isBoolean(key)
      ? `--${spec.default === true ? "no-" : ""}${flagOf(key)}`
      : `--${flagOf(key)} ${spec.arg}`;
    const shown = spec.default === undefined || isBoolean(key)
      ? ""
      : `, default ${JSON.stringify(spec.default)}`;
    lines.push(`  ${flag}  (${key}, ${envOf(key)})`, `      ${spec.help}${shown}`);
  }
  lines.push("  -h, --help     Show this help", "");
  return lines.join("\n");
})();

/**
 * The {@linkcode ServerOptions} of a resolved config (bus, logger and hooks
 * are the caller's).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./_config_resolve.ts";
 * import { serverOptionsOf } from "./_serve_config.ts";
 * const { values } = await resolveConfig(["--rate-limit", "50", "--publish-open"], {});
 * const options = serverOptionsOf(values);
 * assert.deepEqual(options.rateLimit, { framesPerSecond: 50, burst: 100, closeAfter: 100 });
 * assert.equal(options.publishOpen, true);
 * assert.equal(options.limits?.maxFrameBytes, 1024 * 1024);
 * ```
 */
export function serverOptionsOf(values: Partial<ConfigValues>): ServerOptions {
  const v = values as ConfigValues;
  return {
    publishToken: v.publishToken,
    publishOpen: v.publishOpen,
    publishBodyTimeoutMs: v.publishBodyTimeout,
    publishMaxBodyBytesInFlight: v.publishMaxBodyBytesInFlight,
    upstreamAllow: v.upstreamAllow,
    upstreamTimeoutMs: v.upstreamTimeout,
    upstreamMaxResponseBytes: v.upstreamMaxResponseBytes,
    upstreamMaxInFlight: v.upstreamMaxInFlight,
    limits: {
      maxFrameBytes: v.maxFrameBytes,
      maxHeaders: v.maxHeaders,
      maxHeaderBytes: v.maxHeaderBytes,
      maxChannelsPerFrame: v.maxChannelsPerFrame,
      maxSubscriptions: v.maxSubscriptions,
      maxChannelLength: v.maxChannelLength,
      maxParts: v.maxParts,
    },
    allowedOrigins: v.allowedOrigins?.length ? v.allowedOrigins : undefined,
    allowedHosts: v.allowedHosts?.length ? v.allowedHosts : undefined,
    rateLimit: v.rateLimit
      ? {
        framesPerSecond: v.rateLimit,
        burst: v.rateLimitBurst ?? 2 * v.rateLimit,
        closeAfter: v.rateLimitCloseAfter,
      }
      : undefined,
    maxBufferedBytes: v.maxBufferedBytes,
    slowConsumer: v.slowConsumer,
    pacing: v.pacing ? { maxWaitMs: v.pacingMaxWait } : false,
    maxQueuedFrames: v.maxQueuedFrames,
    maxQueuedBytes: v.maxQueuedBytes,
    busDownGraceMs: v.busDownGrace,
  };
}
