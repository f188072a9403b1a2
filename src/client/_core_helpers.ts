// Small pure helpers of `ClientCore`: login refusals, the token query, message data.

import { ClientError } from "./errors.ts";

/** The error of a login refusal (close code 4401 or 4403), else undefined. */
export function refusalError(code: number, reason: string): ClientError | undefined {
  if (code !== 4401 && code !== 4403) return undefined;
  const what = code === 4401 ? "refused the login" : "forbade the connection";
  return new ClientError(
    code === 4401 ? "unauthorized" : "forbidden",
    `The server ${what} (close code ${code}${reason ? `: ${reason}` : ""})`,
  );
}

/** `url` with `token=value` in its query (replacing one there); unchanged without a value. */
export function withToken(url: string, value: string | undefined | null): string {
  if (value === undefined || value === null) return url;
  const parsed = new URL(url);
  parsed.searchParams.set("token", String(value));
  return parsed.href;
}

/** True for anything with a `then`. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

/** An error's message, or the value as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A WebSocket message as the codec takes it. */
export function toFrameInput(data: unknown): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError("Unsupported WebSocket message type (set binaryType to arraybuffer)");
}
