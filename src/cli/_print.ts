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
