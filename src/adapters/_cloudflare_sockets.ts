/**
 * The sockets of one Durable Object, kept across hibernation. Each accepted
 * socket carries an attachment (`serializeAttachment`): its connection's data
 * and its channels. When the object wakes, {@linkcode HibernatingSockets.rebuild}
 * turns the sockets back into connections with their subscriptions.
 * Subscriptions that do not fit in an attachment (workerd allows 16 KiB)
 * spill into the object's storage.
 *
 * @module
 */

import type { Connection, Peer } from "../connection/connection.ts";
import type { LocalFanout } from "../hub/hub.ts";
import type { LhttpServer } from "../server/lhttp_server.ts";
import { EdgeError } from "./_cloudflare_errors.ts";
import type { DurableObjectState, WorkerdWebSocket } from "./_cloudflare_types.ts";

/** What a socket's attachment holds. `channels` is null when they spilled into storage. */
export interface Attachment {
  lhttp: 1;
  id: string;
  data: unknown;
  channels: string[] | null;
}

interface Entry {
  socket: WorkerdWebSocket;
  attachment: Attachment;
}

const SPILL = "lhttp:channels:";

/** A peer on a workerd socket: no `bufferedAmount`; a refused send is reported as dropped (0). */
export function workerdPeer(socket: WorkerdWebSocket): Peer {
  return {
    send(data) {
      try {
        socket.send(data);
        return undefined;
      } catch {
        return 0;
      }
    },
    close: (code, reason) => socket.close(code, reason),
  };
}

/** The sockets and connections of one object; see the module documentation. */
export class HibernatingSockets {
  readonly #connections = new Map<WorkerdWebSocket, Connection>();
  readonly #entries = new WeakMap<Connection, Entry>();
  readonly #dirty = new Set<Connection>();
  #rebuilding = false;

  /** The fan-out handed to `server.attach`: a loop, and subscription changes persisted. */
  readonly fanout: LocalFanout<Connection> = {
    subscribe: (connection) => this.#changed(connection),
    unsubscribe: (connection) => this.#changed(connection),
    fanOut(_channel, data, subscribers) {
      for (const subscriber of subscribers) subscriber.deliver(data);
    },
  };

  /** Sockets of `state`, connections of `server`. */
  constructor(readonly server: LhttpServer, readonly state: DurableObjectState) {}

  /** Open connections. */
  get size(): number {
    return this.#connections.size;
  }

  /**
   * Checks that `data` fits in an attachment, before the socket is accepted.
   * Throws an {@linkcode EdgeError} `attachment_too_large` (413) when not.
   */
  prepare(socket: WorkerdWebSocket, data: unknown): Attachment {
    const attachment: Attachment = { lhttp: 1, id: crypto.randomUUID(), data, channels: [] };
    try {
      socket.serializeAttachment(attachment);
    } catch (error) {
      throw new EdgeError(
        "attachment_too_large",
        `The connection's data does not fit in a hibernatable socket's attachment (${error})`,
      );
    }
    return attachment;
  }

  /** An accepted socket becomes a connection. */
  open(
    socket: WorkerdWebSocket,
    attachment: Attachment,
    refusal?: { code: number; reason: string },
  ): Connection {
    const connection = this.server.open(workerdPeer(socket), attachment.data, refusal);
    if (!connection.closed) this.#track(socket, connection, attachment);
    return connection;
  }

  /** The connection of `socket`, if it is open. */
  get(socket: WorkerdWebSocket): Connection | undefined {
    return this.#connections.get(socket);
  }

  /** The socket closed: releases its connection and any spilled channels. */
  async closed(socket: WorkerdWebSocket): Promise<void> {
    const connection = this.#connections.get(socket);
    this.#connections.delete(socket);
    if (!connection) return;
    const entry = this.#entries.get(connection);
    this.server.release(connection);
    if (entry?.attachment.channels === null) {
      await this.state.storage.delete(SPILL + entry.attachment.id);
    }
  }

  /** After a wake: every open socket back into a connection with its channels. */
  async rebuild(): Promise<void> {
    this.#rebuilding = true;
    try {
      for (const socket of this.state.getWebSockets()) {
        const attachment = socket.deserializeAttachment() as Attachment | null;
        if (socket.readyState !== 1 || attachment?.lhttp !== 1) continue;
        const channels = attachment.channels ??
          await this.state.storage.get<string[]>(SPILL + attachment.id) ?? [];
        const connection = this.server.open(workerdPeer(socket), attachment.data);
        this.#track(socket, connection, attachment);
        try {
          if (channels.length > 0) this.server.subscribe(connection, channels);
        } catch (error) {
          this.server.logger.log("warn", "subscriptions not restored", { error: String(error) });
        }
      }
    } finally {
      this.#rebuilding = false;
    }
  }

  #track(socket: WorkerdWebSocket, connection: Connection, attachment: Attachment): void {
    this.#connections.set(socket, connection);
    this.#entries.set(connection, { socket, attachment });
  }

  // Written once per turn, however many channels one frame changed.
  #changed(connection: Connection): void {
    if (this.#rebuilding || this.#dirty.has(connection)) return;
    this.#dirty.add(connection);
    queueMicrotask(() => {
      this.#dirty.delete(connection);
      void this.#persist(connection);
    });
  }

  async #persist(connection: Connection): Promise<void> {
    const entry = this.#entries.get(connection);
    if (!entry || connection.closed) return;
    const channels = [...connection.channels];
    const key = SPILL + entry.attachment.id;
    const spilled = entry.attachment.channels === null;
    try {
      entry.socket.serializeAttachment({ ...entry.attachment, channels });
      entry.attachment = { ...entry.attachment, channels };
      if (spilled) await this.state.storage.delete(key);
    } catch {
      // Over the attachment limit: the channels go to storage, the attachment points there.
      entry.attachment = { ...entry.attachment, channels: null };
      entry.socket.serializeAttachment(entry.attachment);
      await this.state.storage.put(key, channels);
    }
  }
}
