// Cross-site WebSocket hijacking and DNS-rebinding defences: which browser
// origins may upgrade, and which Host names the server answers for.

/**
 * Same-origin (scheme and host) only unless `allowed` lists origins (or `*`).
 * An empty `Origin` header is refused on every runtime.
 */
export function isOriginAllowed(
  origin: string,
  request: Request,
  allowed: readonly string[] | undefined,
): boolean {
  if (origin === "") return false;
  if (allowed) return allowed.includes("*") || allowed.includes(origin);
  try {
    const from = new URL(origin);
    const url = new URL(request.url);
    const host = request.headers.get("host") ?? url.host;
    // A browser cannot set X-Forwarded-Proto on an upgrade, so a TLS-terminating
    // proxy's word on the scheme is safe to take.
    const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0].trim();
    const secure = forwarded ? forwarded === "https" : url.protocol === "https:";
    return from.host === host && from.protocol === (secure ? "https:" : "http:");
  } catch {
    return false;
  }
}

/** Whether the request's `Host` is one of `allowed` (`name` matches any port); any when absent. */
export function isHostAllowed(request: Request, allowed: readonly string[] | undefined): boolean {
  if (!allowed) return true;
  const host = (request.headers.get("host") ?? new URL(request.url).host).toLowerCase();
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
  return allowed.some((entry) => {
    const wanted = entry.toLowerCase();
    return wanted === host || wanted === name;
  });
}
