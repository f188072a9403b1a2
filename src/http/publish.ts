/**
 * `POST /publish`: a frame in an HTTP body, published to its `publish` channels.
 * Bodies are bounded in size, in time and, all callers together, in bytes.
 *
 * @module
 */

import { LhttpError } from "../codec/errors.ts";
import type { Frame } from "../codec/frame.ts";
import type { Limits } from "../codec/limits.ts";
import { parseFrame } from "../codec/parse.ts";
import { readLimited } from "../router/_read_body.ts";
import type { ServerSettings } from "../server/settings.ts";
import type { Metrics } from "../telemetry/metrics.ts";

/** What `POST /publish` needs from the server. */
export interface Publisher {
  readonly limits: Readonly<Limits>;
  readonly settings: ServerSettings;
  readonly metrics: Metrics;
  publish(channels: string, frame: Frame): number;
}

/** Answers `POST /publish` for one server; errors are JSON `{ status, code, reason }`. */
export class HttpPublish {
  #bytesInFlight = 0;

  readonly #buffered: boolean;

  /** Publishes through `server`; `bodies` as in `RoutesOptions.bodies`. */
  constructor(readonly server: Publisher, options: { bodies?: "stream" | "buffered" } = {}) {
    this.#buffered = options.bodies === "buffered";
  }

  /** Bytes of bodies being read now. */
  get bytesInFlight(): number {
    return this.#bytesInFlight;
  }

  /** Handles one request; `remoteAddress` is the caller's IP, when the runtime tells. */
  async handle(request: Request, remoteAddress?: string): Promise<Response> {
    const { settings, metrics } = this.server;
    try {
      this.#checkCaller(request, remoteAddress);
      const bytes = await this.#readBody(request);
      const binary = (request.headers.get("content-type") ?? "").startsWith(
        "application/octet-stream",
      );
      const frame = parseFrame(binary ? bytes : decodeText(bytes), settings.limits);
      const channels = frame.headers.get("publish");
      if (channels === undefined) {
        throw new LhttpError(
          "missing_publish",
          'The frame has no "publish" header naming its channels',
        );
      }
      const delivered = this.server.publish(channels, frame);
      return Response.json({
        status: 200,
        channels: channels.split(/[ \t]+/).filter(Boolean),
        delivered,
      });
    } catch (error) {
      const known = error instanceof LhttpError
        ? error
        : new LhttpError("internal", "The server failed to publish the frame");
      metrics.count(metrics.errors, known.code);
      const headers: Record<string, string> = known.status === 401
        ? { "www-authenticate": 'Bearer realm="lhttp"' }
        : {};
      if (known.status === 408 || known.status === 503) headers.connection = "close";
      return Response.json({ status: known.status, code: known.code, reason: known.message }, {
        status: known.status,
        headers,
      });
    }
  }

  #checkCaller(request: Request, remoteAddress: string | undefined): void {
    const { publishToken, publishOpen } = this.server.settings;
    if (publishToken === undefined) {
      if (publishOpen || isLoopback(remoteAddress)) return;
      throw new LhttpError(
        "forbidden",
        `POST /publish without a token answers loopback callers only, not ${
          JSON.stringify(remoteAddress ?? "an unknown address")
        } (set a publish token, or publishOpen)`,
      );
    }
    const match = request.headers.get("authorization")?.match(/^Bearer[ \t]+(.+)$/i);
    if (!match) {
      throw new LhttpError("unauthorized", "POST /publish needs an Authorization: Bearer token");
    }
    if (!timingSafeEqual(match[1].trim(), publishToken)) {
      throw new LhttpError("forbidden", "The publish token is wrong");
    }
  }

  async #readBody(request: Request): Promise<Uint8Array> {
    const { limits, publishBodyTimeoutMs, publishMaxBodyBytesInFlight } = this.server.settings;
    const max = limits.maxFrameBytes;
    const declared = Number(request.headers.get("content-length") ?? NaN);
    if (declared > max) throw tooLarge(max);
    // A body is held against the shared budget at the size it may reach.
    const reserved = Number.isFinite(declared) && declared >= 0 ? declared : max;
    if (this.#bytesInFlight + reserved > publishMaxBodyBytesInFlight) {
      throw new LhttpError(
        "server_busy",
        "Too many POST /publish bodies are being read at once; retry later",
      );
    }
    this.#bytesInFlight += reserved;
    const slow = new LhttpError(
      "body_timeout",
      `A POST /publish body must arrive within ${publishBodyTimeoutMs} ms`,
    );
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(slow), publishBodyTimeoutMs);
    try {
      if (this.#buffered && reserved === declared) {
        // The runtime reads exactly the declared length; the deadline still bounds it.
        const body = await untilAborted(request.arrayBuffer(), deadline.signal);
        if (body.byteLength > max) throw tooLarge(max);
        return new Uint8Array(body);
      }
      return await readLimited(request.body, max, () => tooLarge(max), deadline.signal);
    } finally {
      clearTimeout(timer);
      this.#bytesInFlight -= reserved;
    }
  }
}

/**
 * Compares a presented secret `a` with the expected `b` in time that depends
 * only on the length of `b`. Plain Web-standard code rather than
 * `node:crypto`, so `POST /publish` runs on workerd without `nodejs_compat`:
 * every byte of `b` is visited and differences are OR-ed, never branched on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timingSafeEqual } from "./publish.ts";
 * assert.equal(timingSafeEqual("s3cret", "s3cret"), true);
 * assert.equal(timingSafeEqual("s3creT", "s3cret"), false);
 * assert.equal(timingSafeEqual("s3cret-and-more", "s3cret"), false);
 * assert.equal(timingSafeEqual("", "s3cret"), false);
 * ```
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = ENCODER.encode(a);
  const y = ENCODER.encode(b);
  let difference = x.length ^ y.length;
  for (let i = 0; i < y.length; i++) difference |= (x[i] ?? 0) ^ y[i];
  return difference === 0;
}

const ENCODER = new TextEncoder();

/** `promise`, or the signal's reason once it aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/** Whether `address` is a loopback IP (127.0.0.0/8, ::1, or IPv4-mapped 127.x). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.replace(/^\[|\]$/g, "").toLowerCase();
  return plain === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(plain);
}

function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new LhttpError(
      "invalid_utf8",
      "A text frame must be UTF-8 (send bytes as application/octet-stream)",
    );
  }
}

function tooLarge(max: number): LhttpError {
  return new LhttpError("frame_too_large", `A frame may be at most ${max} bytes`);
}
