/**
 * Channel namespaces (per-prefix policy), user-limited channels and wildcard
 * patterns. Imports only the codec.
 *
 * @module
 */

export { closest, NamespaceError, type NamespaceErrorCode } from "./errors.ts";
export { type NamespaceRule, validateRules } from "./rules.ts";
export {
  checkPattern,
  isPattern,
  type ListLimits,
  parseTargets,
  patternMatches,
  patternPrefix,
} from "../codec/patterns.ts";
export { channelOwner, defaultUserOf } from "./user_channel.ts";
export { type ChannelPolicy, Namespaces, type NamespacesOptions } from "./namespaces.ts";
