/**
 * {@linkcode Namespaces}: the per-prefix channel policy of a server, and the
 * checks `PubSub` makes with it on client subscriptions and publications.
 *
 * @module
 */

import { LhttpError, quote } from "../codec/errors.ts";
import { isPattern, patternPrefix } from "../codec/patterns.ts";
import { type NamespaceRule, validateRules } from "./rules.ts";
import { channelOwner, defaultUserOf } from "./user_channel.ts";

/** The settings of one channel, every default filled in; frozen. */
export interface ChannelPolicy extends Required<Omit<NamespaceRule, "prefix" | "authorize">> {
  /** The rule that applied, undefined when none did (the defaults). */
  readonly prefix?: string;
  /** The authorizer's name, `false` for none, undefined for the server's `authorize`. */
  readonly authorize?: string | false;
}

/** Options of {@linkcode Namespaces}. */
export interface NamespacesOptions<H> {
  /** Hooks by name, for a rule's `authorize`. */
  authorizers?: Readonly<Record<string, H>>;
  /** The user of a connection, from its data (default {@linkcode defaultUserOf}). */
  userOf?: (data: unknown) => string | undefined;
}

const DEFAULTS = {
  publish: true,
  subscribe: true,
  requireUser: false,
  maxSubscribers: Infinity,
  queryHistory: true,
  historySize: 0,
  historyAgeMs: 0,
  latest: false,
  presence: false,
  joinLeave: false,
};

/**
 * Validated namespace rules; `resolve(channel)` gives a channel's policy from
 * the longest matching prefix. Rules are checked when it is constructed and
 * a {@linkcode NamespaceError} thrown for the first fault.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Namespaces } from "@lhttp/lhttp/internal";
 * const namespaces = new Namespaces([
 *   { prefix: "chat.", historySize: 50 },
 *   { prefix: "chat.admin.", subscribe: false },
 * ]);
 * assert.equal(namespaces.resolve("chat.room").historySize, 50);
 * assert.equal(namespaces.resolve("chat.admin.x").subscribe, false);
 * assert.equal(namespaces.resolve("news").prefix, undefined);
 * ```
 */
export class Namespaces<H = unknown> {
  /** The rules, longest prefix first. */
  readonly rules: readonly NamespaceRule[];
  readonly #policies: readonly ChannelPolicy[];
  readonly #defaults: ChannelPolicy = Object.freeze({ ...DEFAULTS });
  readonly #userOf: (data: unknown) => string | undefined;
  readonly #authorizers: Readonly<Record<string, H>>;

  /** Validates `rules` (see {@linkcode validateRules}). */
  constructor(rules: unknown = [], options: NamespacesOptions<H> = {}) {
    this.#authorizers = options.authorizers ?? {};
    const valid = validateRules(rules, Object.keys(this.#authorizers));
    this.rules = Object.freeze([...valid].sort((a, b) => b.prefix.length - a.prefix.length));
    this.#policies = this.rules.map((rule) => Object.freeze({ ...DEFAULTS, ...rule }));
    this.#userOf = options.userOf ?? defaultUserOf;
  }

  /** The policy of `channel` (a pattern's is that of its literal start). */
  resolve(channel: string): ChannelPolicy {
    const name = isPattern(channel) ? patternPrefix(channel) : channel;
    for (const policy of this.#policies) if (name.startsWith(policy.prefix!)) return policy;
    return this.#defaults;
  }

  /**
   * The hook that authorizes `target`: `fallback` (the server's `authorize`)
   * unless its namespace names one, or undefined for `authorize: false`.
   */
  hookOf(target: string, fallback?: H): H | undefined {
    const name = this.resolve(target).authorize;
    if (name === undefined) return fallback;
    return name === false ? undefined : this.#authorizers[name];
  }

  /** The user of a connection's data, as `userOf` finds it. */
  userOf(data: unknown): string | undefined {
    return this.#userOf(data);
  }

  /**
   * Throws `forbidden` unless a client may subscribe to `target` (a channel or
   * a pattern): the namespace allows it, the connection has the user it needs,
   * the channel is not another user's, and a pattern spans no other namespace.
   */
  checkSubscribe(target: string, data: unknown): ChannelPolicy {
    const policy = this.resolve(target);
    const refuse = (why: string) => {
      throw new LhttpError("forbidden", `Not allowed to subscribe to ${quote(target)}: ${why}`);
    };
    if (isPattern(target)) {
      const start = patternPrefix(target);
      const spanned = this.rules.find((rule) =>
        rule.prefix.length > start.length && rule.prefix.startsWith(start)
      );
      if (spanned) refuse(`it spans namespace ${quote(spanned.prefix)}; subscribe within it`);
    }
    if (!policy.subscribe) {
      refuse(`clients may not subscribe in namespace ${quote(policy.prefix!)}`);
    }
    if (policy.requireUser && data === undefined) refuse("it needs an authenticated user");
    const owner = channelOwner(target);
    if (owner !== undefined && this.#userOf(data) !== owner) {
      refuse(`it is limited to user ${quote(owner)}`);
    }
    return policy;
  }

  /** Throws `forbidden` unless clients may publish to `channel`. */
  checkPublish(channel: string): ChannelPolicy {
    const policy = this.resolve(channel);
    if (!policy.publish) {
      throw new LhttpError(
        "forbidden",
        `Not allowed to publish to ${quote(channel)}: clients may not publish in namespace ${
          quote(policy.prefix!)
        }`,
      );
    }
    return policy;
  }
}
