// POST /publish: a frame in an HTTP body, published to its `publish` channels.

import { parseFrame } from "../codec/parse.ts";
import { LhttpError } from "../codec/errors.ts";
import type { Frame } from "../codec/frame.ts";
import type { Limits } from "../codec/limits.ts";
import { readLimited } from "../router/_read_body.ts";
import type { Metrics } from "../telemetry/metrics.ts";

interface Publisher {
  readonly limits: Limits;
  publish(channels: string, frame: Frame): number;
}

/** Answers `POST /publish`; errors are JSON `{ status, code, reason }`. */
export async function handleHttpPublish(
  server: Publisher,
  request: Request,
  token: string | undefined,
  metrics: Metrics,
): Promise<Response> {
  try {
    if (token !== undefined) checkToken(request.headers.get("authorization"), token);
    const bytes = await readBody(request, server.limits.maxFrameBytes);
    const binary = (request.headers.get("content-type") ?? "").startsWith(
      "application/octet-stream",
    );
    const frame = parseFrame(binary ? bytes : decodeText(bytes), server.limits);
    const channels = frame.headers.get("publish");
    if (channels === undefined) {
      throw new LhttpError(
        "missing_publish",
        'The frame has no "publish" header naming its channels',
      );
    }
    const delivered = server.publish(channels, frame);
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
    const headers = known.status === 401
      ? { "www-authenticate": 'Bearer realm="lhttp"' }
      : undefined;
    return Response.json({ status: known.status, code: known.code, reason: known.message }, {
      status: known.status,
      headers,
    });
  }
}

function checkToken(authorization: string | null, token: string): void {
  const match = authorization?.match(/^Bearer[ \t]+(.+)$/i);
  if (!match) {
    throw new LhttpError("unauthorized", "POST /publish needs an Authorization: Bearer token");
  }
  if (!timingSafeEqual(match[1].trim(), token)) {
    throw new LhttpError("forbidden", "The publish token is wrong");
  }
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let difference = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    difference |= (x[i % x.length] ?? 0) ^ (y[i % y.length] ?? 0);
  }
  return difference === 0;
}

async function readBody(request: Request, max: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length"));
  if (declared > max) throw tooLarge(max);
  return await readLimited(request.body, max, () => tooLarge(max));
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
