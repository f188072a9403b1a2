/**
 * `POST /publish`: a frame in an HTTP body, published to its `publish` channels.
 * Bodies are bounded in size, in time and, all callers together, in bytes.
 * {@linkcode HttpPublish.handle} answers a Web `Request`; its parts (the
 * caller check, the budget, the deadlines, publishing a body, the answers)
 * also serve the adapters' direct paths, which skip Hono and the `Request`.
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
import { checkPublishCaller } from "./_publish_caller.ts";
import { Deadlines } from "./_deadlines.ts";
export { isLoopback, timingSafeEqual } from "./_publish_caller.ts";

/** What `POST /publish` needs from the server. */
export interface Publisher {
  readonly limits: Readonly<Limits>;
  readonly settings: ServerSettings;
  readonly metrics: Metrics;
  publish(channels: string, frame: Frame): number;
  /** A plain publish sent as it came, or undefined (absent: always `publish`). */
  publishVerbatim?(text: string): readonly [channel: string, delivered: number] | undefined;
}

/** An answer of `POST /publish`: status, JSON text, and its headers (`content-type` among them). */
export interface PublishAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

const JSON_TYPE = { "content-type": "application/json" } as const;

/** Answers `POST /publish` for one server; errors are JSON `{ status, code, reason }`. */
export class HttpPublish {
  #bytesInFlight = 0;
  readonly #buffered: boolean;
  // The last 200 answer, and its text up to `delivered`, for its channels.
  #last?: { channels: string; prefix: string; delivered: number; answer: PublishAnswer };
  /** The body deadlines of this server's requests (one timer for all). */
  readonly deadlines: Deadlines;

  /** Publishes through `server`; `bodies` as in `RoutesOptions.bodies`. */
  constructor(readonly server: Publisher, options: { bodies?: "stream" | "buffered" } = {}) {
    this.#buffered = options.bodies === "buffered";
    this.deadlines = new Deadlines(server.settings.publishBodyTimeoutMs);
  }

  /**
   * Whether the caller's address decides (no token and not `publishOpen`:
   * loopback only). When not, an adapter need not look it up.
   */
  get needsAddress(): boolean {
    const { publishToken, publishOpen } = this.server.settings;
    return publishToken === undefined && !publishOpen;
  }

  /** Bytes of bodies being read now. */
  get bytesInFlight(): number {
    return this.#bytesInFlight;
  }

  /** Handles one request; `remoteAddress` is the caller's IP, when the runtime tells. */
  handle(request: Request, remoteAddress?: string): Promise<Response> {
    const headers = request.headers;
    let contentLength: string | null;
    let reserved: number;
    try {
      checkPublishCaller(this.server.settings, headers.get("authorization"), remoteAddress);
      contentLength = headers.get("content-length");
      reserved = this.reserve(contentLength);
    } catch (error) {
      return Promise.resolve(respond(this.refusal(error)));
    }
    if (this.#buffered && contentLength !== null && reserved === Number(contentLength)) {
      return this.#readBuffered(request, reserved);
    }
    return this.#readStreamed(request, reserved);
  }

  /** Throws 401 or 403 unless this caller may publish (see `checkPublishCaller`). */
  checkCaller(authorization: string | null | undefined, remoteAddress: string | undefined): void {
    checkPublishCaller(this.server.settings, authorization, remoteAddress);
  }

  /**
   * Holds a body against the shared budget at the size it may reach (its
   * declared `content-length`, else the frame limit) and returns that size,
   * or throws 413 (declared too large) or 503 (budget spent). Give it back
   * with {@linkcode HttpPublish.release}.
   */
  reserve(contentLength: string | null | undefined): number {
    const { limits, publishMaxBodyBytesInFlight } = this.server.settings;
    const max = limits.maxFrameBytes;
    const declared = contentLength == null ? NaN : Number(contentLength);
    if (declared > max) throw tooLarge(max);
    const reserved = Number.isFinite(declared) && declared >= 0 ? declared : max;
    if (this.#bytesInFlight + reserved > publishMaxBodyBytesInFlight) {
      throw new LhttpError(
        "server_busy",
        "Too many POST /publish bodies are being read at once; retry later",
      );
    }
    this.#bytesInFlight += reserved;
    return reserved;
  }

  /** Gives back what {@linkcode HttpPublish.reserve} held. */
  release(reserved: number): void {
    this.#bytesInFlight -= reserved;
  }

  /** The 408 of a body that missed its deadline. */
  bodyTimeout(): LhttpError {
    return new LhttpError(
      "body_timeout",
      `A POST /publish body must arrive within ${this.server.settings.publishBodyTimeoutMs} ms`,
    );
  }

  /** The 413 of a body past the frame limit. */
  tooLarge(): LhttpError {
    return tooLarge(this.server.settings.limits.maxFrameBytes);
  }

  /** Parses `bytes` (a text frame unless `binary`), publishes it, and answers 200. */
  publishBody(bytes: Uint8Array, binary: boolean): PublishAnswer {
    return binary ? this.#publishFrame(bytes) : this.publishText(decodeText(bytes));
  }

  /** Parses a text frame, publishes it, and answers 200. */
  publishText(text: string): PublishAnswer {
    // A plain publish goes to the hub as it came (router/verbatim_publish.ts).
    const verbatim = this.server.publishVerbatim?.(text);
    if (verbatim !== undefined) return this.#published(verbatim[0], verbatim[1]);
    return this.#publishFrame(text);
  }

  #publishFrame(data: string | Uint8Array): PublishAnswer {
    const frame = parseFrame(data, this.server.settings.limits);
    const channels = frame.headers.get("publish");
    if (channels === undefined) {
      throw new LhttpError(
        "missing_publish",
        'The frame has no "publish" header naming its channels',
      );
    }
    return this.#published(channels, this.server.publish(channels, frame));
  }

  // The last answer is kept: a stream of publishes to one channel reaching
  // the same subscribers gets the same text, not a new string per request.
  #published(channels: string, delivered: number): PublishAnswer {
    const last = this.#last;
    if (last?.channels !== channels) {
      const named = JSON.stringify(channels.split(/[ \t]+/).filter(Boolean));
      const prefix = `{"status":200,"channels":${named},"delivered":`;
      this.#last = { channels, prefix, delivered, answer: published(prefix, delivered) };
    } else if (last.delivered !== delivered) {
      last.delivered = delivered;
      last.answer = published(last.prefix, delivered);
    }
    return this.#last!.answer;
  }

  /** The JSON answer of a failure (an unknown one is a 500), counted in the metrics. */
  refusal(error: unknown): PublishAnswer {
    const { metrics } = this.server;
    const known = error instanceof LhttpError
      ? error
      : new LhttpError("internal", "The server failed to publish the frame");
    metrics.count(metrics.errors, known.code);
    const headers: Record<string, string> = { ...JSON_TYPE };
    if (known.status === 401) headers["www-authenticate"] = 'Bearer realm="lhttp"';
    if (known.status === 408 || known.status === 503) headers.connection = "close";
    const body = JSON.stringify({ status: known.status, code: known.code, reason: known.message });
    return { status: known.status, body, headers };
  }

  // The runtime reads exactly the declared length into one buffer; the
  // deadline still bounds it. One promise, settled by whichever comes first.
  #readBuffered(request: Request, reserved: number): Promise<Response> {
    const binary = isBinary(request.headers.get("content-type"));
    return new Promise<Response>((resolve) => {
      const deadline = this.deadlines.start(() => {
        this.release(reserved);
        resolve(respond(this.refusal(this.bodyTimeout())));
      });
      const settle = (answer: () => PublishAnswer) => {
        if (!deadline.cancel()) return;
        this.release(reserved);
        resolve(respond(answer()));
      };
      let read: Promise<string | ArrayBuffer>;
      try {
        read = binary ? request.arrayBuffer() : request.blob().then(textOrBytes);
      } catch (error) {
        read = Promise.reject(error); // a body already used: refused below, as any failure
      }
      read.then(
        (body) => settle(() => this.#answer(body, binary)),
        (error) => settle(() => this.refusal(error)),
      );
    });
  }

  async #readStreamed(request: Request, reserved: number): Promise<Response> {
    const max = this.server.settings.limits.maxFrameBytes;
    const controller = new AbortController();
    const deadline = this.deadlines.start(() => controller.abort(this.bodyTimeout()));
    let bytes: Uint8Array;
    try {
      bytes = await readLimited(request.body, max, () => tooLarge(max), controller.signal);
    } catch (error) {
      return respond(this.refusal(error));
    } finally {
      deadline.cancel();
      this.release(reserved);
    }
    return respond(this.#answer(bytes, isBinary(request.headers.get("content-type"))));
  }

  // Publishes a body read whole (as text when it is surely UTF-8), or refuses it.
  #answer(body: string | ArrayBuffer | Uint8Array, binary: boolean): PublishAnswer {
    try {
      if (typeof body === "string") return this.publishText(body);
      const bytes = body instanceof Uint8Array ? body : new Uint8Array(body);
      if (bytes.length > this.server.settings.limits.maxFrameBytes) throw this.tooLarge();
      return this.publishBody(bytes, binary);
    } catch (error) {
      return this.refusal(error);
    }
  }
}

// A body's text when it is surely what it says (no U+FFFD in it: valid UTF-8
// decodes without one), else its bytes, for the strict decode to judge. A
// Blob's text() is the runtime's own decode: on Bun it costs about 3% of a
// request, where an ArrayBuffer and a TextDecoder call cost about 7%.
function textOrBytes(blob: Blob): Promise<string | ArrayBuffer> {
  return blob.text().then<string | ArrayBuffer>((text) =>
    text.includes("\uFFFD") ? blob.arrayBuffer() : text
  );
}

function published(prefix: string, delivered: number): PublishAnswer {
  return { status: 200, body: `${prefix}${delivered}}`, headers: JSON_TYPE };
}

// A 200 shares one init; a refusal brings its own status and headers.
const OK_INIT: ResponseInit = { headers: JSON_TYPE };

function respond(answer: PublishAnswer): Response {
  if (answer.status === 200) return new Response(answer.body, OK_INIT);
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/**
 * Whether a `content-type` names a binary frame.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isBinary } from "./publish.ts";
 * assert.equal(isBinary("application/octet-stream"), true);
 * assert.equal(isBinary("text/plain"), false);
 * assert.equal(isBinary(null), false);
 * ```
 */
export function isBinary(contentType: string | null | undefined): boolean {
  return contentType?.startsWith("application/octet-stream") ?? false;
}

// Fatal and never streamed, so one decoder serves every body.
const DECODER = new TextDecoder("utf-8", { fatal: true });

function decodeText(bytes: Uint8Array): string {
  try {
    return DECODER.decode(bytes);
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
