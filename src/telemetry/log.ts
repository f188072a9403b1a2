/**
 * Structured, levelled log lines (`level=info msg="..." key=value`), quiet by default.
 *
 * @module
 */

/** Log levels, from chatty to quiet. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Where lhttp writes its log lines. */
export interface Logger {
  /** Writes a line when `level` is enabled. */
  log(level: Exclude<LogLevel, "silent">, message: string, fields?: Record<string, unknown>): void;
  /** True when `level` lines are written; guards costly fields. */
  enabled(level: Exclude<LogLevel, "silent">): boolean;
}

/**
 * A logger writing logfmt-style lines to stderr at `level` and above.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createLogger } from "@lhttp/lhttp";
 * const logger = createLogger("warn");
 * assert.ok(!logger.enabled("info"));
 * assert.ok(logger.enabled("error"));
 * ```
 */
export function createLogger(
  level: LogLevel = "warn",
  write: (line: string) => void = (line) => console.error(line),
): Logger {
  const threshold = RANK[level];
  return {
    enabled: (at) => RANK[at] >= threshold,
    log(at, message, fields = {}) {
      if (RANK[at] < threshold) return;
      let line = `time=${new Date().toISOString()} level=${at} msg=${JSON.stringify(message)}`;
      for (const [key, value] of Object.entries(fields)) {
        line += ` ${key}=${
          typeof value === "string" && /^[\w./:@-]+$/.test(value) ? value : JSON.stringify(value)
        }`;
      }
      write(line);
    },
  };
}

/** True when `level` names a log level. */
export function isLogLevel(level: string): level is LogLevel {
  return level in RANK;
}
