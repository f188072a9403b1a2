/**
 * History, recovery and positions (PROTOCOL.md section 13).
 *
 * @module
 */

export type { Continuation, History, HistoryRule, Position, StoredPublication } from "./history.ts";
export { isEpoch, newEpoch } from "./epoch.ts";
export { MemoryHistory, type MemoryHistoryOptions } from "./memory_history.ts";
export { parseLimit, parsePosition, parseRecover, type RecoverRequest } from "./positions.ts";
export {
  answerHistory,
  deliverLatest,
  type HistoryQuery,
  parseHistoryQuery,
  type Recipient,
  recoverChannel,
  sendHistory,
  stampFrame,
  stampHeaders,
} from "./replay.ts";
export { HistoryConfigError, resolveHistory } from "./resolve_history.ts";
export {
  type ClusterHistory,
  insertPosition,
  isClusterHistory,
  publishFirst,
} from "./cluster_history.ts";
export { answerFromCluster, recoverFromCluster } from "./cluster_replay.ts";
