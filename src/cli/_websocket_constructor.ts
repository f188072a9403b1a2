// The WebSocket constructor of `lhttp connect`: the one handed in, the global
// one, else `ws`'s (Node 20 has no global WebSocket).

import type { WebSocketConstructor } from "../client/mod.ts";
import { missingPeer } from "./_missing.ts";

/** Where `lhttp connect` may get a WebSocket constructor from. */
export interface WebSocketSource {
  /** Used as is when given. */
  WebSocket?: WebSocketConstructor;
  /** Loads `ws`'s constructor (a test hook). */
  loadWebSocket?: () => Promise<WebSocketConstructor>;
}

/** The global WebSocket, else `ws`'s; an error naming `ws` when neither is there. */
export async function webSocketConstructor(
  options: WebSocketSource,
): Promise<WebSocketConstructor> {
  if (options.WebSocket) return options.WebSocket;
  const global = globalThis as { WebSocket?: WebSocketConstructor };
  if (typeof global.WebSocket === "function") return global.WebSocket;
  try {
    return await (options.loadWebSocket ?? loadWs)();
  } catch (error) {
    const missing = missingPeer(error);
    if (!missing) throw error;
    throw new Error(
      "this runtime has no global WebSocket (Node 20) and the ws package is not installed: " +
        "run npm install ws, or use Node 22 or later",
    );
  }
}

async function loadWs(): Promise<WebSocketConstructor> {
  return (await import("ws")).WebSocket as unknown as WebSocketConstructor;
}
