// Whether an upgrade request may become a connection: host, origin, authenticate.

import type { Logger } from "../telemetry/log.ts";
import { isHostAllowed, isOriginAllowed } from "./_origin.ts";
import type { ServerSettings } from "./settings.ts";

/**
 * Outcome of `LhttpServer.accept`: a Response refuses the upgrade; otherwise the
 * connection's data, and a refusal when the socket is to be closed at once
 * (authentication refused: 4401, forbidden: 4403).
 */
export type UpgradeDecision =
  | { data: unknown; refusal?: { code: number; reason: string } }
  | Response;

/** Close codes of an upgrade whose `authenticate` answered 401 or 403. */
export const AUTH_CLOSE_CODES: Readonly<Record<number, number>> = { 401: 4401, 403: 4403 };

export function admit(
  request: Request,
  settings: ServerSettings,
  logger: Logger,
): Promise<UpgradeDecision> {
  let now: UpgradeDecision | undefined;
  try {
    now = admitAtOnce(request, settings, logger);
  } catch (error) {
    return Promise.reject(error);
  }
  return now ? Promise.resolve(now) : authenticated(request, settings, logger);
}

/**
 * The decision when it needs no `authenticate` call (a refused host or origin,
 * or no hook), else undefined. Adapters use it to upgrade without a promise:
 * Bun keeps more memory per socket upgraded after an await.
 */
export function admitAtOnce(
  request: Request,
  settings: ServerSettings,
  logger: Logger,
): UpgradeDecision | undefined {
  if (!isHostAllowed(request, settings.allowedHosts)) {
    const host = request.headers.get("host");
    logger.log("info", "refused upgrade for host", { host });
    return new Response(`Host ${JSON.stringify(host)} is not allowed\n`, { status: 421 });
  }
  const origin = request.headers.get("origin");
  if (origin !== null && !isOriginAllowed(origin, request, settings.allowedOrigins)) {
    logger.log("info", "refused upgrade from origin", { origin });
    return new Response(`Origin ${JSON.stringify(origin)} is not allowed\n`, { status: 403 });
  }
  if (!settings.authenticate) return { data: undefined };
  return undefined;
}

async function authenticated(
  request: Request,
  settings: ServerSettings,
  logger: Logger,
): Promise<UpgradeDecision> {
  let data: unknown;
  try {
    data = await settings.authenticate!(request);
  } catch (error) {
    logger.log("error", "authenticate hook failed", { error: String(error) });
    return new Response("Authentication failed\n", { status: 500 });
  }
  if (!(data instanceof Response)) return { data };
  const code = AUTH_CLOSE_CODES[data.status];
  if (code === undefined) return data;
  const text = (await data.text().catch(() => "")).trim().replace(/[\r\n]+/g, " ");
  const reason = truncateUtf8(text || (code === 4401 ? "unauthorized" : "forbidden"), 123);
  return { data: undefined, refusal: { code, reason } };
}

// A close reason is at most 123 bytes of UTF-8.
function truncateUtf8(text: string, max: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= max) return text;
  let out = "";
  for (const char of text) {
    if (encoder.encode(out + char).length > max) break;
    out += char;
  }
  return out;
}
