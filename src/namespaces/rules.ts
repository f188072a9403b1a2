/**
 * Namespace rules as written in `ServerOptions.namespaces` (or a config file),
 * and their validation: unknown keys (with a "did you mean"), values of the
 * wrong type, duplicate prefixes and prefixes that differ only in case.
 *
 * @module
 */

import { quote } from "../codec/errors.ts";
import { closest, NamespaceError } from "./errors.ts";

/**
 * One rule: the settings of every channel whose name starts with `prefix`
 * (the longest matching prefix wins; `""` matches every channel).
 */
export interface NamespaceRule {
  /** Channels starting with this; characters of the channel alphabet, no `#`. */
  readonly prefix: string;
  /** Clients may publish (default true). */
  readonly publish?: boolean;
  /** Clients may subscribe (default true). */
  readonly subscribe?: boolean;
  /** Subscribing needs an authenticated connection (`connection.data` set; default false). */
  readonly requireUser?: boolean;
  /** Most subscribers of one channel (or pattern) on one node (default unlimited). */
  readonly maxSubscribers?: number;
  /** Which hook authorizes: a key of `ServerOptions.authorizers`, `false` for none (default: `authorize`). */
  readonly authorize?: string | false;
  /** Clients may query history (default true; read by the history feature). */
  readonly queryHistory?: boolean;
  /** Publications kept per channel (default 0: none; read by the history feature). */
  readonly historySize?: number;
  /** How long publications are kept, ms (default 0: no age limit; read by the history feature). */
  readonly historyAgeMs?: number;
  /** A subscriber first gets the channel's latest publication (default false). */
  readonly latest?: boolean;
  /** Presence is kept for the channel (default false; read by the presence feature). */
  readonly presence?: boolean;
  /** Join and leave events are published (default false; read by the presence feature). */
  readonly joinLeave?: boolean;
}

type Kind = "boolean" | "count" | "duration" | "authorizer";
const KEYS: Record<Exclude<keyof NamespaceRule, "prefix">, Kind> = {
  publish: "boolean",
  subscribe: "boolean",
  requireUser: "boolean",
  maxSubscribers: "count",
  authorize: "authorizer",
  queryHistory: "boolean",
  historySize: "count",
  historyAgeMs: "duration",
  latest: "boolean",
  presence: "boolean",
  joinLeave: "boolean",
};
const KNOWN = ["prefix", ...Object.keys(KEYS)];
const PREFIX = /^[A-Za-z0-9_.:@/=+~-]*$/;
const EXPECTED: Record<Kind, string> = {
  boolean: "true or false",
  count: "a whole number, 0 or more",
  duration: "a number of milliseconds, 0 or more",
  authorizer: "the name of an authorizer, or false",
};

function fits(kind: Kind, value: unknown, authorizers: readonly string[]): boolean {
  switch (kind) {
    case "boolean":
      return typeof value === "boolean";
    case "count":
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case "duration":
      return typeof value === "number" && Number.isFinite(value) && value >= 0;
    case "authorizer":
      return value === false || (typeof value === "string" && authorizers.includes(value));
  }
}

function checkRule(rule: unknown, at: string, authorizers: readonly string[]): NamespaceRule {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) {
    throw new NamespaceError("namespace_bad_value", `Namespace rule ${at} must be an object`);
  }
  const fields = rule as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (KNOWN.includes(key)) continue;
    const hint = closest(key, KNOWN);
    throw new NamespaceError(
      "namespace_unknown_key",
      `Namespace rule ${at} has an unknown key ${quote(key)}` +
        (hint ? `; did you mean ${quote(hint)}?` : ""),
    );
  }
  const prefix = fields.prefix;
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
    throw new NamespaceError(
      "namespace_bad_value",
      `Namespace rule ${at} needs a "prefix" of channel characters (A-Z a-z 0-9 _ . : @ / = + ~ -), got ${
        typeof prefix === "string" ? quote(prefix) : typeof prefix
      }`,
    );
  }
  for (const [key, kind] of Object.entries(KEYS) as [keyof typeof KEYS, Kind][]) {
    const value = fields[key];
    if (value === undefined || fits(kind, value, authorizers)) continue;
    const shown = typeof value === "string" ? quote(value) : String(value);
    const known = kind === "authorizer" && typeof value === "string"
      ? ` (known: ${authorizers.map((name) => quote(name)).join(", ") || "none"})`
      : "";
    throw new NamespaceError(
      kind === "authorizer" && typeof value === "string"
        ? "namespace_unknown_authorizer"
        : "namespace_bad_value",
      `Namespace ${quote(prefix)}: ${quote(key)} must be ${EXPECTED[kind]}, got ${shown}${known}`,
    );
  }
  return Object.freeze({ ...fields }) as unknown as NamespaceRule;
}

/**
 * Checks `rules` and returns a frozen copy; throws a {@linkcode NamespaceError}.
 * `authorizers` are the names a rule's `authorize` may use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateRules } from "@lhttp/lhttp/internal";
 * assert.equal(validateRules([{ prefix: "chat.", publish: false }]).length, 1);
 * assert.throws(() => validateRules([{ prefix: "chat.", publsh: false }]), /did you mean "publish"/);
 * assert.throws(() => validateRules([{ prefix: "a" }, { prefix: "a" }]), { code: "namespace_duplicate" });
 * ```
 */
export function validateRules(
  rules: unknown,
  authorizers: readonly string[] = [],
): readonly NamespaceRule[] {
  if (!Array.isArray(rules)) {
    throw new NamespaceError("namespace_not_a_list", "Namespaces must be a list of rules");
  }
  const byPrefix = new Map<string, string>();
  const checked = rules.map((rule, i) => {
    const at = typeof rule?.prefix === "string" ? quote(rule.prefix) : `#${i + 1}`;
    const valid = checkRule(rule, at, authorizers);
    const folded = valid.prefix.toLowerCase();
    const earlier = byPrefix.get(folded);
    if (earlier === valid.prefix) {
      throw new NamespaceError("namespace_duplicate", `Namespace ${at} is set twice`);
    }
    if (earlier !== undefined) {
      throw new NamespaceError(
        "namespace_overlap",
        `Namespaces ${
          quote(earlier)
        } and ${at} differ only in case; channel names are case-sensitive, so they are two namespaces: merge them`,
      );
    }
    byPrefix.set(folded, valid.prefix);
    return valid;
  });
  return Object.freeze(checked);
}
