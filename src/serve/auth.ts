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
  const url = new URL(request.url);
  if (callers.length === 1 && callers[0].digest === undefined) {
    if (!isLoopback(url.hostname)) {
      throw new ApiError(
        "forbidden",
        "this server has no tokens, so it answers only requests addressed to a loopback host",
      );
    }
    const origin = request.headers.get("origin");
    if (origin !== null && origin !== url.origin) {
      throw new ApiError(
        "forbidden",
        "requests from web pages are refused by a server without tokens",
      );
    }
    return callers[0];
  }
  const header = request.headers.get("authorization");
  if (header === null) throw new ApiError("unauthorized", "missing 'Authorization: Bearer TOKEN'");
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) {
    throw new ApiError("unauthorized", "the Authorization header is not 'Bearer TOKEN'");
  }
  const digest = createHash("sha256").update(token).digest();
  let found: Caller | undefined;
  for (const caller of callers) {
    if (timingSafeEqual(digest, caller.digest!) && found === undefined) found = caller;
  }
  if (found === undefined) throw new ApiError("unauthorized", "unknown token");
  return found;
}
