/**
 * Loopback addresses: a server without tokens listens and answers only there.
 *
 * @module
 */

/**
 * Whether `hostname` (a name, an IPv4 address, or an IPv6 address with or
 * without brackets) is loopback: `localhost`, `127.0.0.0/8` or `::1`.
 *
 * @example
 * ```ts
 * import { isLoopback } from "./loopback.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isLoopback("127.0.0.1"), true);
 * assert.equal(isLoopback("[::1]"), true);
 * assert.equal(isLoopback("0.0.0.0"), false);
 * assert.equal(isLoopback("localhost.evil.example"), false);
 * ```
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  if (host === "localhost" || host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && octets.slice(1).every((o) => Number(o) <= 255);
}
