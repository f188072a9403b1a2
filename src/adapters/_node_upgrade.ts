// A Node `upgrade` event taken straight to `ws`, without Hono's WebSocket
// helper: that helper keeps each socket's Hono context, its Request and the
// IncomingMessage alive for as long as the socket is open (several KB per idle
// connection). Here the Request is built for admission only and dropped.

import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

// Headers of a refusal that make no sense on an upgrade that did not happen.
const SKIPPED = new Set([
  "connection",
  "content-length",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "sec-websocket-accept",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
]);

/** The Web `Request` of an upgrade, for admission (host, origin, `authenticate`). */
export function upgradeRequest(incoming: IncomingMessage): Request {
  const encrypted = (incoming.socket as { encrypted?: boolean }).encrypted === true;
  const target = incoming.url ?? "/";
  const url = /^https?:\/\//i.test(target)
    ? target
    : `${encrypted ? "https" : "http"}://${incoming.headers.host ?? "localhost"}${target}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    headers.append(name, Array.isArray(value) ? value[0] : value);
  }
  return new Request(url, { headers });
}

/**
 * Answers an upgrade with `status` and the refusal's headers, then ends the
 * socket (as `@hono/node-server` does: no body).
 */
export function refuseUpgrade(socket: Duplex, status: number, headers?: Headers): void {
  if (socket.destroyed) return;
  const lines = ["Connection: close", "Content-Length: 0"];
  headers?.forEach((value, name) => {
    if (!SKIPPED.has(name.toLowerCase())) lines.push(`${name}: ${value}`);
  });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n${lines.join("\r\n")}\r\n\r\n`);
}
