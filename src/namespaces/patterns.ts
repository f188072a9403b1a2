/**
 * Wildcard patterns, as the namespaces see them: they live in the codec
 * (`codec/patterns.ts`), which the client shares.
 *
 * @module
 */

export {
  checkPattern,
  isPattern,
  type ListLimits,
  parseTargets,
  patternMatches,
  patternPrefix,
} from "../codec/patterns.ts";
