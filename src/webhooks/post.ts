/**
 * One signed POST of a batch to a receiver, inside the allowlist: redirects
 * are followed by hand (307/308 only keep a POST), each target re-checked.
 *
 * @module
 */

import { isAllowedUpstream } from "../router/upstream.ts";
import { sign } from "./signature.ts";

/** A delivery that failed; `retry` is false when trying again cannot help. */
export class WebhookError extends Error {
  /** Machine code: `webhook_forbidden`, `webhook_status`, `webhook_unreachable`. */
  readonly code: "webhook_forbidden" | "webhook_status" | "webhook_unreachable";
  /** Whether the batch should be retried. */
  readonly retry: boolean;

  /** A failed delivery with its machine code. */
  constructor(code: WebhookError["code"], message: string, retry: boolean) {
    super(message);
    this.name = "WebhookError";
    this.code = code;
    this.retry = retry;
  }
}

/** What {@linkcode postBatch} needs. */
export interface PostOptions {
  /** The signing key. */
  key: CryptoKey;
  /** URL prefixes the POST and its redirects must stay in. */
  allow: readonly string[];
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** The fetch to use. */
  fetch: typeof fetch;
}

const MAX_REDIRECTS = 5;

/**
 * POSTs `body` to `endpoint` signed; resolves on a 2xx, throws {@linkcode WebhookError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { postBatch, WebhookError } from "./post.ts";
 * import { importSecret } from "./signature.ts";
 * const key = await importSecret("s");
 * const redirecting = (() => Promise.resolve(new Response(null, {
 *   status: 307, headers: { location: "http://169.254.169.254/latest" },
 * }))) as typeof fetch;
 * await assert.rejects(
 *   postBatch("http://hooks.test/in", "{}", { key, allow: ["http://hooks.test/"], timeoutMs: 1000, fetch: redirecting }),
 *   (error) => error instanceof WebhookError && error.code === "webhook_forbidden" && !error.retry,
 * );
 * ```
 */
export async function postBatch(
  endpoint: string,
  body: string,
  options: PostOptions,
): Promise<void> {
  const timestamp = Date.now();
  const headers = {
    "content-type": "application/json",
    "lhttp-timestamp": String(timestamp),
    "lhttp-signature": await sign(options.key, timestamp, body),
  };
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = new URL(endpoint);
  for (let redirects = 0;; redirects++) {
    if (!isAllowedUpstream(url, options.allow)) {
      throw new WebhookError(
        "webhook_forbidden",
        `Webhook target ${JSON.stringify(url.href)} is not in the allowlist`,
        false,
      );
    }
    let response: Response;
    try {
      response = await options.fetch(url, {
        method: "POST",
        headers,
        body,
        signal,
        redirect: "manual",
      });
    } catch (error) {
      throw new WebhookError(
        "webhook_unreachable",
        `Webhook ${JSON.stringify(url.href)} is unreachable: ${(error as Error).message}`,
        true,
      );
    }
    // The answer's body is never read: a huge one costs nothing.
    await response.body?.cancel().catch(() => {});
    const location = response.headers.get("location");
    if ((response.status === 307 || response.status === 308) && location) {
      if (redirects >= MAX_REDIRECTS) {
        throw new WebhookError(
          "webhook_unreachable",
          `Webhook ${JSON.stringify(endpoint)} redirected more than ${MAX_REDIRECTS} times`,
          true,
        );
      }
      try {
        url = new URL(location, url);
      } catch {
        throw new WebhookError(
          "webhook_unreachable",
          `Webhook ${JSON.stringify(url.href)} redirected to an invalid URL ${
            JSON.stringify(location)
          }`,
          true,
        );
      }
      continue;
    }
    if (response.status >= 200 && response.status < 300) return;
    // 4xx other than 408 and 429 will not get better by retrying; the rest may.
    const retry = response.status >= 500 || response.status === 408 ||
      response.status === 429 || response.status < 400;
    throw new WebhookError(
      "webhook_status",
      `Webhook ${JSON.stringify(url.href)} answered ${response.status}`,
      retry,
    );
  }
}
