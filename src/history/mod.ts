/**
 * History, recovery and positions (PROTOCOL.md section 13).
 *
 * @module
 */

export type { Continuation, History, HistoryRule, Position, StoredPublication } from "./history.ts";
export { isEpoch, newEpoch } from "./epoch.ts";
export { FrameRing } from "./frame_ring.ts";
export { MemoryHistory, type MemoryHistoryOptions } from "./memory_history.ts";
export { parseLimit, parsePosition, parseRecover, type RecoverRequest } from "./positions.ts";
export {
  deliverLatest,
  type Recipient,
  recoverChannel,
  replayBeforeSubscribe,
  stampFrame,
  stampHeaders,
  stampPublication,
} from "./replay.ts";
export {
  answerHistory,
  type HistoryQuery,
  parseHistoryQuery,
  sendHistory,
} from "./history_query.ts";
export { HistoryConfigError, resolveHistory } from "./resolve_history.ts";
export {
  type ClusterHistory,
  insertPosition,
  isClusterHistory,
  publishFirst,
} from "./cluster_history.ts";
export {
  answerFromCluster,
  latestChannels,
  recoverFromCluster,
  replayFromCluster,
} from "./cluster_replay.ts";
