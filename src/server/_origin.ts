// Cross-site WebSocket hijacking defence: which browser origins may upgrade.

/** Same-origin only unless `allowed` lists origins (or `*`). */
export function isOriginAllowed(
  origin: string,
  request: Request,
  allowed: readonly string[] | undefined,
): boolean {
  if (allowed) return allowed.includes("*") || allowed.includes(origin);
  try {
    return new URL(origin).host === (request.headers.get("host") ?? new URL(request.url).host);
  } catch {
    return false;
  }
}
