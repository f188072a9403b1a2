// The kinds of configuration values, each a zod schema with a message that
// names what it expects ("$LABEL must be ..., got $VALUE").

import { z } from "zod";
import type { LogLevel } from "../telemetry/log.ts";
import { DURATION_PATTERN, parseDuration, parseSize, SIZE_PATTERN } from "./_units.ts";
import { natsServers, UsageError } from "./_nats_url.ts";

const must = (what: string) => `$LABEL must be ${what}, got $VALUE`;

/** A string. */
export const text = (): z.ZodString => z.string({ error: must("a string") });

/** True or false. */
export const flag = (): z.ZodBoolean => z.boolean({ error: must("true or false") });

/** A whole number from `min`. */
export const whole = (min = 0): z.ZodNumber =>
  z.number({ error: must("a whole number") }).int({ error: must("a whole number") })
    .min(min, { error: must(`a whole number from ${min}`) })
    .max(Number.MAX_SAFE_INTEGER, { error: must("a whole number") });

/** A port number. */
export const port = (): z.ZodNumber =>
  z.number({ error: must("a port number from 0 to 65535") })
    .int({ error: must("a port number from 0 to 65535") })
    .min(0, { error: must("a port number from 0 to 65535") })
    .max(65535, { error: must("a port number from 0 to 65535") });

/** A list of strings. */
export const list = (): z.ZodArray<z.ZodString> =>
  z.array(z.string({ error: must("a list of strings") }), { error: must("a list of strings") });

/** One of `values`. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: must(`one of ${values.map((v) => JSON.stringify(v)).join(", ")}`) });

/** A log level. */
export const logLevel = (): z.ZodType<LogLevel, string> =>
  z.enum(["debug", "info", "warn", "error", "silent"], {
    error: must('a log level: "debug", "info", "warn", "error" or "silent"'),
  });

/** Bytes: a whole number, or a string such as `"64KiB"`; parsed to bytes. */
export const size = (): z.ZodType<number, number | string> => {
  const error = must('a size: bytes, or a string such as "64KiB" or "1MB"');
  return z.union([
    z.number({ error }).int({ error }).min(0, { error }).max(Number.MAX_SAFE_INTEGER, { error }),
    z.string({ error }).regex(new RegExp(SIZE_PATTERN), { error }),
  ], { error })
    .transform((value) => parseSize(value)!);
};

/** A duration: seconds, or a string such as `"30s"`; parsed to ms. */
export const duration = (): z.ZodType<number, number | string> => {
  const error = must('a duration: seconds, or a string such as "30s", "250ms" or "2m"');
  return z.union([
    z.number({ error }).min(0, { error }).max(1e9, { error }),
    z.string({ error }).regex(new RegExp(DURATION_PATTERN), { error }),
  ], { error }).transform((value) => parseDuration(value)!);
};

/** NATS server URLs, comma-separated. */
export const nats = (): z.ZodType<string, string> =>
  z.string({ error: must("NATS server URLs") }).transform((value, ctx) => {
    try {
      return natsServers(value, "$LABEL");
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message, input: value });
      return z.NEVER;
    }
  });
