// The kinds of configuration values, each a zod schema with a message that
// names what it expects ("$LABEL must be ..., got $VALUE").

import { z } from "zod";
import type { LogLevel } from "../telemetry/log.ts";
import { DURATION_PATTERN, parseDuration, parseSize, SIZE_PATTERN } from "./_units.ts";
import { natsServers, UsageError } from "./_nats_url.ts";

const must = (what: string) => `$LABEL must be ${what}, got $VALUE`;

/** A string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { text } from "./_config_kinds.ts";
 * assert.equal(text().parse("a"), "a");
 * assert.ok(!text().safeParse(1).success);
 * ```
 */
export const text = (): z.ZodString => z.string({ error: must("a string") });

/** True or false.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flag } from "./_config_kinds.ts";
 * assert.equal(flag().parse(true), true);
 * assert.ok(!flag().safeParse("yes").success);
 * ```
 */
export const flag = (): z.ZodBoolean => z.boolean({ error: must("true or false") });

/** A whole number from `min`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { whole } from "./_config_kinds.ts";
 * assert.equal(whole(1).parse(4), 4);
 * assert.ok(!whole(1).safeParse(0).success);
 * assert.ok(!whole().safeParse(2.5).success);
 * ```
 */
export const whole = (min = 0): z.ZodNumber =>
  z.number({ error: must("a whole number") }).int({ error: must("a whole number") })
    .min(min, { error: must(`a whole number from ${min}`) })
    .max(Number.MAX_SAFE_INTEGER, { error: must("a whole number") });

/** A port number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { port } from "./_config_kinds.ts";
 * assert.equal(port().parse(8081), 8081);
 * assert.ok(!port().safeParse(70000).success);
 * ```
 */
export const port = (): z.ZodNumber =>
  z.number({ error: must("a port number from 0 to 65535") })
    .int({ error: must("a port number from 0 to 65535") })
    .min(0, { error: must("a port number from 0 to 65535") })
    .max(65535, { error: must("a port number from 0 to 65535") });

/** A list of strings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { list } from "./_config_kinds.ts";
 * assert.deepEqual(list().parse(["a"]), ["a"]);
 * assert.ok(!list().safeParse(["a", 1]).success);
 * ```
 */
export const list = (): z.ZodArray<z.ZodString> =>
  z.array(z.string({ error: must("a list of strings") }), { error: must("a list of strings") });

/** One of `values`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oneOf } from "./_config_kinds.ts";
 * assert.equal(oneOf(["close", "drop"]).parse("drop"), "drop");
 * assert.ok(!oneOf(["close", "drop"]).safeParse("explode").success);
 * ```
 */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: must(`one of ${values.map((v) => JSON.stringify(v)).join(", ")}`) });

/** A log level.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logLevel } from "./_config_kinds.ts";
 * assert.equal(logLevel().parse("info"), "info");
 * assert.ok(!logLevel().safeParse("loud").success);
 * ```
 */
export const logLevel = (): z.ZodType<LogLevel, string> =>
  z.enum(["debug", "info", "warn", "error", "silent"], {
    error: must('a log level: "debug", "info", "warn", "error" or "silent"'),
  });

/** Bytes: a whole number, or a string such as `"64KiB"`; parsed to bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { size } from "./_config_kinds.ts";
 * assert.equal(size().parse("64KiB"), 65536);
 * assert.equal(size().parse(10), 10);
 * assert.match(size().safeParse("64 parsecs").error!.issues[0].message, /must be a size/);
 * ```
 */
export const size = (): z.ZodType<number, number | string> => {
  const error = must('a size: bytes, or a string such as "64KiB" or "1MB"');
  return z.union([
    z.number({ error }).int({ error }).min(0, { error }).max(Number.MAX_SAFE_INTEGER, { error }),
    z.string({ error }).regex(new RegExp(SIZE_PATTERN), { error }),
  ], { error })
    .transform((value) => parseSize(value)!);
};

/** A duration: seconds, or a string such as `"30s"`; parsed to ms.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { duration } from "./_config_kinds.ts";
 * assert.equal(duration().parse("30s"), 30_000);
 * assert.equal(duration().parse(2), 2_000);
 * assert.ok(!duration().safeParse("soon").success);
 * ```
 */
export const duration = (): z.ZodType<number, number | string> => {
  const error = must('a duration: seconds, or a string such as "30s", "250ms" or "2m"');
  return z.union([
    z.number({ error }).min(0, { error }).max(1e9, { error }),
    z.string({ error }).regex(new RegExp(DURATION_PATTERN), { error }),
  ], { error }).transform((value) => parseDuration(value)!);
};

/** NATS server URLs, comma-separated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nats } from "./_config_kinds.ts";
 * assert.equal(nats().parse("nats://a:4222, nats://b:4222"), "nats://a:4222,nats://b:4222");
 * assert.match(nats().safeParse("http://a").error!.issues[0].message, /is not a NATS URL/);
 * ```
 */
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
