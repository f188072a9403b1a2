/**
 * Admin authentication: the token (compared in constant time), sessions in an
 * HttpOnly cookie after the login form, and a brute-force limit on failures.
 *
 * @module
 */

/** The cookie of an admin session.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SESSION_COOKIE } from "./auth.ts";
 * assert.equal(SESSION_COOKIE, "lhttp_admin");
 * ```
 */
export const SESSION_COOKIE = "lhttp_admin";

/** Failed logins allowed per address per window, and in all per window. */
export interface AuthLimits {
  /** Failures per address per window before 429 (default 5). */
  perAddress: number;
  /** Failures from all addresses per window before 429 for everyone (default 50). */
  total: number;
  /** The window, ms (default 60 000). */
  windowMs: number;
  /** How long a session lasts, ms (default 12 h). */
  sessionMs: number;
}

/** Why a login or a request was refused. */
export type AuthRefusal = {
  status: 401 | 429;
  code: "unauthorized" | "rate_limited";
  reason: string;
  retryAfterS?: number;
};

/**
 * Checks admin credentials.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AdminAuth } from "./auth.ts";
 * const auth = new AdminAuth("s3cret", { perAddress: 2 });
 * assert.equal(auth.login("nope", "10.0.0.1").status, 401);
 * assert.equal(auth.login("nope", "10.0.0.1").status, 401);
 * assert.equal(auth.login("s3cret", "10.0.0.1").status, 429); // locked out, even with the token
 * const session = auth.login("s3cret", "10.0.0.2");
 * assert.ok("session" in session && auth.allows(`Bearer s3cret`, undefined));
 * assert.ok("session" in session && auth.allows(undefined, `lhttp_admin=${session.session}`));
 * assert.ok(!auth.allows(undefined, "lhttp_admin=forged"));
 * ```
 */
export class AdminAuth {
  readonly #token: Uint8Array;
  readonly #limits: AuthLimits;
  readonly #sessions = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  #total = 0;
  #windowStart: number;

  /** Checks against `token`; `now` is the clock. */
  constructor(
    token: string,
    limits: Partial<AuthLimits> = {},
    readonly now: () => number = Date.now,
  ) {
    this.#token = new TextEncoder().encode(token);
    this.#limits = {
      perAddress: 5,
      total: 50,
      windowMs: 60_000,
      sessionMs: 12 * 3_600_000,
      ...limits,
    };
    this.#windowStart = now();
  }

  /** A login attempt from `address`: a new session, or why not. */
  login(
    token: unknown,
    address: string | undefined,
  ): { status: 200; session: string; maxAgeS: number } | AuthRefusal {
    const limited = this.#limited(address ?? "unknown");
    if (limited) return limited;
    if (typeof token !== "string" || !this.#matches(token)) {
      this.#fail(address ?? "unknown");
      return { status: 401, code: "unauthorized", reason: "Wrong admin token" };
    }
    const session = randomId();
    this.#sessions.set(session, this.now() + this.#limits.sessionMs);
    return { status: 200, session, maxAgeS: Math.floor(this.#limits.sessionMs / 1000) };
  }

  /** Ends a session. */
  logout(cookie: string | undefined): void {
    const session = sessionOf(cookie);
    if (session) this.#sessions.delete(session);
  }

  /** True for `Authorization: Bearer TOKEN` or a live session cookie. */
  allows(authorization: string | undefined, cookie: string | undefined): boolean {
    const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (bearer !== undefined) return this.#matches(bearer);
    const session = sessionOf(cookie);
    const expires = session === undefined ? undefined : this.#sessions.get(session);
    if (expires === undefined) return false;
    if (expires > this.now()) return true;
    this.#sessions.delete(session!);
    return false;
  }

  /** Counts a failed bearer check from `address`; the refusal (401 or 429). */
  refuse(address: string | undefined, bearer: boolean): AuthRefusal {
    const limited = this.#limited(address ?? "unknown");
    if (limited) return limited;
    if (bearer) this.#fail(address ?? "unknown");
    return {
      status: 401,
      code: "unauthorized",
      reason: bearer ? "Wrong admin token" : "Log in first",
    };
  }

  #matches(token: string): boolean {
    const given = new TextEncoder().encode(token);
    let diff = given.length ^ this.#token.length;
    for (let i = 0; i < this.#token.length; i++) diff |= this.#token[i] ^ (given[i] ?? 0);
    return diff === 0;
  }

  #limited(address: string): AuthRefusal | undefined {
    const now = this.now();
    if (now - this.#windowStart >= this.#limits.windowMs) {
      this.#windowStart = now;
      this.#failures.clear();
      this.#total = 0;
    }
    if (
      (this.#failures.get(address) ?? 0) < this.#limits.perAddress &&
      this.#total < this.#limits.total
    ) {
      return undefined;
    }
    const retryAfterS = Math.max(
      1,
      Math.ceil((this.#windowStart + this.#limits.windowMs - now) / 1000),
    );
    return {
      status: 429,
      code: "rate_limited",
      reason: `Too many failed logins; retry in ${retryAfterS} s`,
      retryAfterS,
    };
  }

  #fail(address: string): void {
    this.#failures.set(address, (this.#failures.get(address) ?? 0) + 1);
    this.#total++;
  }
}

function sessionOf(cookie: string | undefined): string | undefined {
  return cookie?.match(new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([A-Za-z0-9_-]+)`))?.[1];
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
}
