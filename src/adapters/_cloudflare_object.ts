/**
 * The Durable Object that hosts an {@linkcode LhttpServer}, on the WebSocket
 * Hibernation API: sockets are accepted with `state.acceptWebSocket(ws, tags)`
 * (tagged with the room the Worker routed them by), messages and closes
 * arrive in `webSocketMessage` / `webSocketClose`, and after a hibernation the
 * connections and their subscriptions are rebuilt from the attachments.
 *
 * @module
 */

import type { Hono } from "hono";
import { createApp } from "../http/routes.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";
import { chosenProtocol } from "./web_socket_bridge.ts";
import { INTERNAL_PREFIX, ObjectBus, readBusCall } from "./_cloudflare_bus.ts";
import { ChannelDirectory } from "./_cloudflare_directory.ts";
import { EdgeError } from "./_cloudflare_errors.ts";
import { HibernatingSockets } from "./_cloudflare_sockets.ts";
import {
  type DurableObjectNamespace,
  type DurableObjectState,
  upgradeResponse,
  webSocketPair,
  type WorkerdWebSocket,
} from "./_cloudflare_types.ts";

/** The header the Worker entry names the routed room in (set by it only). */
export const ROOM_HEADER = "x-lhttp-room";

/** What the server factory of {@linkcode lhttpDurableObject} gets. */
export interface ObjectContext<Env> {
  /** The Worker's bindings. */
  env: Env;
  /** The object's state. */
  state: DurableObjectState;
  /** The bus to the other objects; pass it as the server's `bus` (or use NATS instead). */
  bus?: ObjectBus;
}

/** Options of {@linkcode lhttpDurableObject}. */
export interface DurableObjectOptions {
  /** The binding of this class's namespace in `env` (default `LHTTP`), for the bus. */
  binding?: string;
}

/** An instance of the class {@linkcode lhttpDurableObject} returns. */
export interface LhttpObject {
  /** The hosted server. */
  readonly server: LhttpServer;
  /** Upgrades, HTTP routes, and the calls between objects. */
  fetch(request: Request): Promise<Response>;
  /** A message on a hibernatable socket. */
  webSocketMessage(socket: WorkerdWebSocket, message: string | ArrayBuffer): void;
  /** A hibernatable socket closed. */
  webSocketClose(socket: WorkerdWebSocket, code: number, reason: string): Promise<void>;
  /** A hibernatable socket failed. */
  webSocketError(socket: WorkerdWebSocket, error: unknown): Promise<void>;
}

/**
 * A Durable Object class hosting the server `create` builds, one per object.
 *
 * @example
 * ```ts ignore
 * import { LhttpServer } from "@lhttp/lhttp";
 * import { lhttpDurableObject, lhttpWorker } from "@lhttp/lhttp/cloudflare";
 * export const LhttpObject = lhttpDurableObject(({ bus }) => new LhttpServer({ bus }));
 * export default lhttpWorker({ binding: "LHTTP" });
 * ```
 */
export function lhttpDurableObject<Env = Record<string, unknown>>(
  create: (context: ObjectContext<Env>) => LhttpServer,
  options: DurableObjectOptions = {},
): new (state: DurableObjectState, env: Env) => LhttpObject {
  const binding = options.binding ?? "LHTTP";
  return class implements LhttpObject {
    readonly server: LhttpServer;
    readonly #state: DurableObjectState;
    readonly #sockets: HibernatingSockets;
    readonly #bus?: ObjectBus;
    readonly #directory?: ChannelDirectory;
    readonly #app: Hono;

    constructor(state: DurableObjectState, env: Env) {
      this.#state = state;
      const namespace = (env as Record<string, unknown>)[binding] as
        | DurableObjectNamespace
        | undefined;
      if (namespace) {
        this.#bus = new ObjectBus(namespace, state.id.toString());
        this.#directory = new ChannelDirectory(namespace, state.storage);
      }
      this.server = create({ env, state, bus: this.#bus });
      this.#sockets = new HibernatingSockets(this.server, state);
      this.server.attach({ runtime: "workerd", fanout: this.#sockets.fanout });
      // No caller is loopback here (a header such as CF-Connecting-IP could be forged
      // outside Cloudflare): without a token, POST /publish needs publishOpen.
      this.#app = createApp(this.server, (request) => this.#upgrade(request), {
        remoteAddress: () => undefined,
      });
      void state.blockConcurrencyWhile(() => this.#sockets.rebuild());
    }

    async fetch(request: Request): Promise<Response> {
      if (new URL(request.url).pathname.startsWith(INTERNAL_PREFIX)) return this.#internal(request);
      return await this.#app.fetch(request);
    }

    webSocketMessage(socket: WorkerdWebSocket, message: string | ArrayBuffer): void {
      const connection = this.#sockets.get(socket);
      if (!connection) return socket.close(1011, "connection lost");
      this.server.receive(
        connection,
        typeof message === "string" ? message : new Uint8Array(message),
      );
    }

    async webSocketClose(socket: WorkerdWebSocket, code: number): Promise<void> {
      await this.#sockets.closed(socket);
      // Completes the closing handshake (reserved codes cannot be sent back).
      try {
        socket.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code);
      } catch {
        // Already closed.
      }
    }

    async webSocketError(socket: WorkerdWebSocket): Promise<void> {
      await this.#sockets.closed(socket);
    }

    async #upgrade(request: Request): Promise<Response> {
      const decision = await this.server.accept(request);
      if (decision instanceof Response) return decision;
      const pair = new (webSocketPair())();
      const [client, socket] = [pair[0], pair[1]];
      let attachment;
      try {
        attachment = this.#sockets.prepare(socket, decision.data);
      } catch (error) {
        if (error instanceof EdgeError) return error.toResponse();
        throw error;
      }
      const room = request.headers.get(ROOM_HEADER);
      this.#state.acceptWebSocket(socket, room ? [room] : []);
      this.#sockets.open(socket, attachment, decision.refusal);
      const protocol = chosenProtocol(request);
      return upgradeResponse(client, protocol ? { "sec-websocket-protocol": protocol } : {});
    }

    async #internal(request: Request): Promise<Response> {
      const call = await readBusCall(request);
      if (!call || !this.#bus || !this.#directory) {
        return Response.json({ code: "bad_call" }, { status: 400 });
      }
      if (call.op !== "deliver") return await this.#directory.handle(call);
      const delivered = this.#bus.receive(call.channel, call.data!);
      return Response.json({ delivered, subscribed: delivered > 0 });
    }
  };
}
