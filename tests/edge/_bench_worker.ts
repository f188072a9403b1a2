// The Worker of scripts/bench_workers.ts: three Durable Objects fanning out
// one room. RAW is a minimal hand-written object (tags every subscriber "room",
// loops over getWebSockets("room") per message); LHTTP hosts an LhttpServer
// on the bus between objects; SOLO hosts one without a bus. /raw, /lhttp and
// /solo choose the object.

import { LhttpServer } from "../../src/server/lhttp_server.ts";
import { lhttpDurableObject, lhttpWorker, singleObject } from "../../src/adapters/cloudflare.ts";
import type { DurableObjectState, WorkerdWebSocket } from "../../src/adapters/cloudflare.ts";
import { upgradeResponse, webSocketPair } from "../../src/adapters/_cloudflare_types.ts";

/** lhttp, with the bus between objects. */
export const LhttpObject = lhttpDurableObject(({ bus }) => new LhttpServer({ bus }));
/** lhttp, local only (its binding is not the one it looks for). */
export const SoloObject = lhttpDurableObject(() => new LhttpServer(), { binding: "NONE" });

/** The baseline: what one would write by hand. */
export class RawObject {
  constructor(readonly state: DurableObjectState) {}
  fetch(request: Request): Response {
    const pair = new (webSocketPair())();
    // The publisher (`/raw/pub`) is not in the room, as with lhttp.
    const publisher = new URL(request.url).pathname.endsWith("/pub");
    this.state.acceptWebSocket(pair[1], publisher ? [] : ["room"]);
    return upgradeResponse(pair[0]);
  }
  webSocketMessage(_socket: WorkerdWebSocket, message: string | ArrayBuffer): void {
    for (const socket of this.state.getWebSockets("room")) socket.send(message);
  }
  webSocketClose(socket: WorkerdWebSocket): void {
    socket.close();
  }
}

const lhttp = lhttpWorker({ binding: "LHTTP", route: singleObject("bench") });
const solo = lhttpWorker({ binding: "SOLO", route: singleObject("bench") });

export default {
  fetch(request: Request, env: Record<string, unknown>): Promise<Response> | Response {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/raw")) {
      const raw = env.RAW as {
        idFromName(name: string): unknown;
        get(id: unknown): { fetch(request: Request): Promise<Response> };
      };
      return raw.get(raw.idFromName("bench")).fetch(request);
    }
    return (path.startsWith("/solo") ? solo : lhttp).fetch(request, env);
  },
};
