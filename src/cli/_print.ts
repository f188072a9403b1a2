// How the CLI client shows frames and parses what the user types.

import type { Frame } from "../codec/frame.ts";

/** A frame as readable text: start line, headers, blank line, body (binary as size + preview). */
export function formatFrame(frame: Frame): string {
  let text = `LHTTP/1.0 ${frame.command}\n`;
  for (const [name, value] of frame.headers) text += `${name}:${value}\n`;
  text += "\n";
  if (typeof frame.body === "string") return text + frame.body + (frame.body ? "\n" : "");
  return text + previewBytes(frame.body) + "\n";
}

/** `[binary 5 bytes] 68 65 6c 6c 6f |hello|`, cut after 16 bytes. */
export function previewBytes(bytes: Uint8Array, max = 16): string {
  const shown = bytes.subarray(0, max);
  const hex = [...shown].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
  const ascii = [...shown].map((byte) => byte >= 32 && byte < 127 ? String.fromCharCode(byte) : ".")
    .join("");
  const more = bytes.length > max ? " …" : "";
  return `[binary ${bytes.length} bytes] ${hex}${more} |${ascii}|`;
}

/** Turns the escapes `\r`, `\n`, `\t` and `\\` typed on one line into characters. */
export function unescapeLine(line: string): string {
  return line.replace(/\\([rnt\\])/g, (_, c: string) => ({ r: "\r", n: "\n", t: "\t" }[c] ?? "\\"));
}

/** Parses `COMMAND key:value ... -- body` into a frame's parts. */
export function parseSendLine(
  rest: string,
): { command: string; headers: [string, string][]; body: string } {
  const split = rest.indexOf(" -- ");
  const head = split === -1
    ? (rest.endsWith(" --") ? rest.slice(0, -3) : rest)
    : rest.slice(0, split);
  const body = split === -1 ? "" : rest.slice(split + 4);
  const [command = "", ...fields] = head.trim().split(/\s+/);
  const headers = fields.map((field): [string, string] => {
    const colon = field.indexOf(":");
    if (colon <= 0) throw new Error(`Header ${JSON.stringify(field)} must look like key:value`);
    return [field.slice(0, colon), field.slice(colon + 1)];
  });
  return { command, headers, body };
}

/**
 * What a close means, in words: `lhttp connect` prints this instead of a bare
 * code. `wasOpen` false is a connect (or reconnect) attempt that failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeClose } from "./_print.ts";
 * assert.equal(
 *   describeClose({ code: 1001, reason: "", wasOpen: true }),
 *   "the server is going away (shutting down or restarting), code 1001",
 * );
 * ```
 */
export function describeClose(close: { code: number; reason: string; wasOpen: boolean }): string {
  const { code, reason } = close;
  const why = reason ? `: ${reason}` : "";
  if (!close.wasOpen && (code === 0 || code === 1006)) {
    return "cannot reach the server (refused, unreachable or not an lhttp server)";
  }
  const text = CLOSE_TEXT[code] ??
    (code === 0
      ? CLOSE_TEXT[1006]
      : `the server closed the connection${why ? "" : " with no reason"}`);
  return `${text}, code ${code}${why}`;
}

const CLOSE_TEXT: Record<number, string> = {
  1000: "the server closed the connection",
  1001: "the server is going away (shutting down or restarting)",
  1002: "the server saw a WebSocket protocol error",
  1006: "the connection dropped without a close frame (network failure or server crash)",
  1007: "the server received text that was not valid UTF-8",
  1008: "the server closed it by policy",
  1009: "a frame was larger than the server accepts",
  1011: "the server hit an internal error",
  1012: "the server is restarting",
  4008: "this client read too slowly (slow consumer)",
  4009: "the connection was idle too long",
  4401: "the server refused the credentials (401)",
  4403: "the server refused access (403)",
};
