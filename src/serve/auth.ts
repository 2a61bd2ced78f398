/**
 * Who is calling: the bearer token, compared in constant time with every
 * caller's, or — on a server without tokens — a request addressed to
 * loopback from no other web origin.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "./api_error.ts";
import type { Caller } from "./options.ts";
import { isLoopback } from "./loopback.ts";

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The caller of `request`.
 *
 * With tokens, the token's SHA-256 is compared with every caller's digest by
 * `timingSafeEqual`, all of them every time, so neither the time taken nor
 * the token's length tells which caller or how much of a token matched.
 *
 * Without tokens (one anonymous caller), the request must be addressed to a
 * loopback host (a DNS-rebound name is refused) and carry no `Origin` header
 * of another site (a web page the local user visits cannot drive it).
 *
 * @throws {ApiError} `unauthorized` (401) or `forbidden` (403).
 */
export function authenticate(callers: readonly Caller[], request: Request): Caller {
  if (callers.length === 1 && callers[0].digest === undefined) {
    loopbackOnly(request, "this server has no tokens, so it answers");
    return callers[0];
  }
  const digest = bearerDigest(request);
  let found: Caller | undefined;
  for (const caller of callers) {
    if (timingSafeEqual(digest, caller.digest!) && found === undefined) found = caller;
  }
  if (found === undefined) throw new ApiError("unauthorized", "unknown token");
  return found;
}

/**
 * Whether `request` may read `GET /metrics`: with a metrics token
 * (`digest`), it must carry that token; without one, it must be a loopback
 * request as a server without tokens takes them (a caller's token is not
 * enough: metrics show every caller's figures).
 *
 * @throws {ApiError} `unauthorized` (401) or `forbidden` (403).
 */
export function authenticateMetrics(digest: Uint8Array | undefined, request: Request): void {
  if (digest === undefined) {
    return loopbackOnly(
      request,
      "without a metrics token (metrics.token, PYFENCE_METRICS_TOKEN), /metrics answers",
    );
  }
  if (!timingSafeEqual(bearerDigest(request), digest)) {
    throw new ApiError("unauthorized", "unknown token");
  }
}

/** SHA-256 of the request's bearer token. */
function bearerDigest(request: Request): Uint8Array {
  const header = request.headers.get("authorization");
  if (header === null) throw new ApiError("unauthorized", "missing 'Authorization: Bearer TOKEN'");
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) {
    throw new ApiError("unauthorized", "the Authorization header is not 'Bearer TOKEN'");
  }
  return createHash("sha256").update(token).digest();
}

/** Refuse a request not addressed to a loopback host, or sent by a web page of another origin. */
function loopbackOnly(request: Request, who: string): void {
  const url = new URL(request.url);
  if (!isLoopback(url.hostname)) {
    throw new ApiError("forbidden", `${who} only requests addressed to a loopback host`);
  }
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== url.origin) {
    throw new ApiError(
      "forbidden",
      "requests from web pages are refused where no token is required",
    );
  }
}
