// The parts of an LhttpServer, built and wired once (on first use, or when an
// adapter attaches with its fan-out), and what closing them takes.

import type { ConnectionOptions } from "../connection/connection.ts";
import type { Connection } from "../connection/connection.ts";
import { Pacer } from "../connection/pacer.ts";
import type { ClusterHistory } from "../history/cluster_history.ts";
import type { History } from "../history/history.ts";
import { Hub, type LocalFanout } from "../hub/hub.ts";
import type { Namespaces } from "../namespaces/namespaces.ts";
import { PresenceError } from "../presence/errors.ts";
import { resolvePresence } from "../presence/options.ts";
import { Presence, type PresencePage, type PresencePolicy } from "../presence/presence.ts";
import { PresenceFrames, readLimit } from "../presence/requests.ts";
import { accessLog } from "../router/access_log.ts";
import { VerbatimPublish } from "../router/verbatim_publish.ts";
import { ConnectionRegistry } from "../router/connection_registry.ts";
import { FrameRouter } from "../router/frame_router.ts";
import { combineObservers } from "../router/lifecycle.ts";
import type { Middleware, Processor } from "../router/middleware.ts";
import { Pipeline } from "../router/pipeline.ts";
import { type Authorize, PubSub } from "../router/pubsub.ts";
import { Replies } from "../router/replies.ts";
import { UpstreamCalls } from "../router/upstream_calls.ts";
import type { Logger } from "../telemetry/log.ts";
import type { Metrics } from "../telemetry/metrics.ts";
import { Webhooks } from "../webhooks/webhooks.ts";
import type { ServerOptions } from "./options.ts";
import type { ServerSettings } from "./settings.ts";

/** What {@linkcode wireCore} builds from. */
export interface WireInput {
  settings: ServerSettings;
  options: ServerOptions;
  metrics: Metrics;
  logger: Logger;
  namespaces: Namespaces<Authorize>;
  history?: History | ClusterHistory;
  processors: ReadonlyMap<string, Processor>;
  middleware: readonly Middleware[];
  fanout?: LocalFanout<Connection>;
}

/** The wired parts. */
export interface Core {
  hub: Hub<Connection>;
  webhooks?: Webhooks;
  presence?: Presence;
  pubsub: PubSub;
  connections: ConnectionRegistry;
  router: FrameRouter;
  /** Plain publishes sent on as they came (the router's short way, and POST /publish's). */
  verbatim: VerbatimPublish;
  pacer?: Pacer;
  connectionOptions: ConnectionOptions;
}

// Presence when asked for: by `presence` options or by a namespace with `presence: true`.
function presenceOf(input: WireInput): Presence | undefined {
  const options = input.options.presence;
  const namespaces = input.namespaces;
  const byNamespace = namespaces.rules.some((rule) => rule.presence);
  if (!options && !byNamespace) return undefined;
  const settings = resolvePresence(options);
  const prefixes = settings.prefixes;
  const policy: PresencePolicy = prefixes
    ? (channel) => {
      const on = prefixes.some((prefix) => channel.startsWith(prefix));
      return { presence: on, joinLeave: on };
    }
    : (channel) => {
      const { presence, joinLeave } = namespaces.resolve(channel);
      return { presence, joinLeave: presence && joinLeave };
    };
  return new Presence(settings, policy, input.logger, input.options.userOf);
}

/** Builds the parts of a server and wires them together, once. */
export function wireCore(input: WireInput): Core {
  const { settings, options, metrics, logger, namespaces, history, fanout } = input;
  const { limits, upstream, authorize } = settings;
  const hub = new Hub<Connection>({ bus: options.bus, fanout });
  const replies = new Replies(metrics, logger);
  const webhooks = settings.webhooks ? new Webhooks(settings.webhooks, logger) : undefined;
  const presence = presenceOf(input);
  const access = accessLog(logger, options.userOf);
  const lifecycle = combineObservers([options.lifecycle, webhooks, presence, access]);
  const pubsub = new PubSub({ hub, limits, metrics, authorize, lifecycle, namespaces, history });
  const pipeline = new Pipeline({
    limits,
    pubsub,
    upstream: new UpstreamCalls(upstream, replies, metrics),
    replies,
    processors: input.processors,
    middleware: input.middleware,
    presence: presence && new PresenceFrames(presence, pubsub),
  });
  const connections = new ConnectionRegistry(hub, pipeline, lifecycle);
  const verbatim = new VerbatimPublish({
    limits,
    hub,
    metrics,
    middleware: input.middleware,
    processors: input.processors,
    // Hooks and rules may refuse a client's publish, and history stamps each one.
    guarded: Boolean(authorize || namespaces.rules.length),
    stamped: history !== undefined,
  });
  const router = new FrameRouter({ limits, pipeline, pubsub, replies, verbatim });
  const pacer = settings.pacing ? new Pacer(settings.pacing, metrics) : undefined;
  const { maxBufferedBytes, slowConsumer, maxQueuedFrames, maxQueuedBytes, rateLimit } = settings;
  // One options object for every connection: an idle connection holds no copy.
  const connectionOptions: ConnectionOptions = Object.freeze({
    maxBufferedBytes,
    slowConsumer,
    metrics,
    pacer,
    owner: connections,
    reader: {
      handler: router,
      options: { maxQueuedFrames, maxQueuedBytes, rateLimit, pacer, metrics },
    },
  });
  return {
    hub,
    pubsub,
    webhooks,
    presence,
    connections,
    router,
    verbatim,
    pacer,
    connectionOptions,
  };
}

/** Lets queued webhook events leave (bounded) and stops presence timers. */
export async function closeCore(core: Core): Promise<void> {
  const webhooks = core.webhooks;
  if (webhooks) {
    // The disconnects just queued get a bounded chance to leave.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((resolve) => timer = setTimeout(resolve, 2000));
    await Promise.race([webhooks.idle(), bound]);
    clearTimeout(timer);
    webhooks.close();
  }
  core.presence?.close();
}

/** One page of a channel's presence on this node; `presence_off` when it keeps none. */
export function presencePage(
  presence: Presence | undefined,
  channel: string,
  page: { cursor?: string; limit?: number },
): PresencePage {
  if (!presence?.policy(channel).presence) {
    throw new PresenceError("presence_off", `Channel ${JSON.stringify(channel)} has no presence`);
  }
  const after = presence.after(channel, page.cursor);
  const limit = page.limit === 0
    ? 0
    : readLimit(page.limit?.toString(), presence.settings.pageSize);
  return presence.page(channel, after, limit);
}
