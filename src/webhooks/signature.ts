/**
 * Webhook signatures: HMAC-SHA256 (Web Crypto) over `timestamp + "." + body`,
 * sent as `lhttp-signature: sha256=<hex>` beside `lhttp-timestamp`.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Imports `secret` as an HMAC-SHA256 key, for signing and verifying. */
export function importSecret(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/**
 * The signature header value of `body` sent at `timestamp` (Unix ms).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importSecret, sign, verify } from "./signature.ts";
 * const key = await importSecret("s3cret");
 * const signature = await sign(key, 1700000000000, '{"events":[]}');
 * assert.match(signature, /^sha256=[0-9a-f]{64}$/);
 * assert.equal(await verify(key, 1700000000000, '{"events":[]}', signature), true);
 * assert.equal(await verify(key, 1700000000001, '{"events":[]}', signature), false);
 * ```
 */
export async function sign(key: CryptoKey, timestamp: number, body: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`));
  return "sha256=" + toHex(new Uint8Array(mac));
}

/** Whether `signature` is the signature of `body` at `timestamp` (constant time). */
export async function verify(
  key: CryptoKey,
  timestamp: number,
  body: string,
  signature: string,
): Promise<boolean> {
  const match = /^sha256=([0-9a-f]{64})$/.exec(signature);
  if (!match) return false;
  const mac = Uint8Array.from(match[1].match(/../g)!, (byte) => parseInt(byte, 16));
  return await crypto.subtle.verify("HMAC", key, mac, encoder.encode(`${timestamp}.${body}`));
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
