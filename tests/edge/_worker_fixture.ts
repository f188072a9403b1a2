// The Worker the edge tests run in workerd: the conformance fixture server in
// a Durable Object. Bindings (text) choose the route and the policy:
// UPSTREAM (the fixture's upstream URL), ROUTE ("single", "rooms", "shards"),
// SLOW_CONSUMER ("close" or "drop"), NATS (a ws:// URL: the bus is NATS over
// WebSocket instead of the bus between objects).

import { createFixtureServer } from "../fixtures/app.ts";
import { NatsBus } from "../../src/nats/bus.ts";
import {
  byRoom,
  lhttpDurableObject,
  lhttpWorker,
  type Route,
  sharded,
  singleObject,
} from "../../src/adapters/cloudflare.ts";

interface Env {
  UPSTREAM?: string;
  ROUTE?: string;
  SLOW_CONSUMER?: "close" | "drop";
  NATS?: string;
  [binding: string]: unknown;
}

/** The Durable Object class: the fixture server, on the bus between objects. */
export const LhttpObject = lhttpDurableObject<Env>(({ env, bus }) => {
  const server = createFixtureServer({
    upstream: env.UPSTREAM ?? "http://127.0.0.1:9/",
    slowConsumer: env.SLOW_CONSUMER,
    bus: env.NATS ? new NatsBus({ servers: env.NATS }) : bus,
  });
  return server;
});

const ROUTES: Record<string, Route> = {
  single: singleObject(),
  rooms: byRoom({ fallback: "lobby", rooms: (room) => !room.startsWith("closed") }),
  shards: sharded({ shards: 4 }),
};

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const route = ROUTES[env.ROUTE ?? "single"] ?? ROUTES.single;
    return lhttpWorker({ route }).fetch(request, env);
  },
};
