/**
 * The few workerd (Cloudflare Workers) APIs the Cloudflare adapter uses,
 * declared structurally so that the adapter type-checks under Deno without
 * `@cloudflare/workers-types`. Names follow Cloudflare's.
 *
 * @module
 */

/** A WebSocket as workerd has it: the Web one plus hibernation attachments. */
export interface WorkerdWebSocket {
  /** `WebSocket.OPEN` (1) while open. */
  readonly readyState: number;
  /** Sends one message; throws when the socket is closed or closing. */
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Keeps `value` (structured clone, at most 16 KiB in workerd) across hibernation. */
  serializeAttachment(value: unknown): void;
  /** What {@linkcode WorkerdWebSocket.serializeAttachment} kept, or null. */
  deserializeAttachment(): unknown;
}

/** The storage of a Durable Object (the subset used here). */
export interface DurableObjectStorage {
  /** Reads a key. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Writes a key. */
  put(key: string, value: unknown): Promise<void>;
  /** Deletes a key; true when it existed. */
  delete(key: string): Promise<boolean>;
}

/** A Durable Object's id. */
export interface DurableObjectId {
  /** The id as a string. */
  toString(): string;
}

/** `ctx` (formerly `state`) of a Durable Object. */
export interface DurableObjectState {
  /** This object's id. */
  readonly id: DurableObjectId;
  /** This object's storage. */
  readonly storage: DurableObjectStorage;
  /** Accepts a server-side socket for hibernation, with tags for `getWebSockets(tag)`. */
  acceptWebSocket(socket: WorkerdWebSocket, tags?: string[]): void;
  /** The accepted sockets, or those with `tag`. */
  getWebSockets(tag?: string): WorkerdWebSocket[];
  /** Runs `callback` before any other event reaches the object. */
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** A stub: how a Worker or another object calls a Durable Object. */
export interface DurableObjectStub {
  /** Sends a request to the object. */
  fetch(request: Request): Promise<Response>;
}

/** A Durable Object namespace binding (`env.LHTTP`). */
export interface DurableObjectNamespace {
  /** The id of the object named `name`. */
  idFromName(name: string): DurableObjectId;
  /** An id from its string form. */
  idFromString(id: string): DurableObjectId;
  /** A stub for the object with `id`. */
  get(id: DurableObjectId): DurableObjectStub;
}

/** `new WebSocketPair()`: the client end and the server end. */
export type WebSocketPairConstructor = new () => {
  0: WebSocket;
  1: WorkerdWebSocket;
};

/** workerd's `WebSocketPair` global, absent elsewhere. */
export function webSocketPair(): WebSocketPairConstructor {
  const pair = (globalThis as { WebSocketPair?: WebSocketPairConstructor }).WebSocketPair;
  if (!pair) throw new Error("WebSocketPair is missing: the Cloudflare adapter runs in workerd");
  return pair;
}

/** A `Response` that hands the client end of a pair to workerd (status 101). */
export function upgradeResponse(client: WebSocket, headers: HeadersInit = {}): Response {
  const init = { status: 101, webSocket: client, headers } as ResponseInit;
  return new Response(null, init);
}
