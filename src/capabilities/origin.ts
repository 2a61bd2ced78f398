/**
 * Script origins, as in a browser: a script loaded from
 * `https://a.example/x.py` has the origin `https://a.example`; a local file,
 * or a script whose caller states no origin, has the opaque origin `null`,
 * which has no network at all.
 *
 * An origin is trusted input from the host (the caller), never from the script.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** The opaque origin (`null`): no network, no storage. */
export interface OpaqueOrigin {
  /** Discriminant. */
  kind: "opaque";
}

/** A scheme/host/port origin. Only `http` and `https` are supported. */
export interface TupleOrigin {
  /** Discriminant. */
  kind: "tuple";
  /** The scheme, without `:`. */
  scheme: "http" | "https";
  /**
   * The host as the URL standard serialises it: lower-case, IDNA (punycode),
   * IPv6 addresses in brackets (`[::1]`).
   */
  host: string;
  /** The port, explicit even when it is the scheme's default (443 / 80). */
  port: number;
  /** The ASCII serialisation, e.g. `https://a.example` or `http://a.example:8080`. */
  serialized: string;
}

/** A script's origin: opaque, or a scheme/host/port tuple. */
export type Origin = OpaqueOrigin | TupleOrigin;

/** The opaque origin. */
export const OPAQUE_ORIGIN: OpaqueOrigin = Object.freeze({ kind: "opaque" });

const DEFAULT_PORTS = { http: 80, https: 443 } as const;

function tupleFromUrl(url: URL): TupleOrigin {
  const scheme = url.protocol.slice(0, -1) as "http" | "https";
  return {
    kind: "tuple",
    scheme,
    host: url.hostname,
    port: url.port === "" ? DEFAULT_PORTS[scheme] : Number(url.port),
    serialized: url.origin,
  };
}

/**
 * Parse a caller-stated origin. Omitted or `"null"` is the opaque origin. A
 * full URL is accepted and reduced to its origin
 * (`https://a.example/x.py` → `https://a.example`). Other schemes (`file:`,
 * `data:`, `javascript:` …), URLs with credentials, whitespace or control
 * characters, and anything that is not a URL throw a {@link UsageError} for
 * `argument` (default `"origin"`).
 *
 * @example
 * ```ts
 * import { parseOrigin } from "./origin.ts";
 * import assert from "node:assert/strict";
 * const o = parseOrigin("https://a.example/x.py");
 * assert.ok(o.kind === "tuple" && o.serialized === "https://a.example" && o.port === 443);
 * assert.deepEqual(parseOrigin(), { kind: "opaque" });
 * ```
 */
export function parseOrigin(input?: string | null, argument = "origin"): Origin {
  if (input === undefined || input === null || input === "null") return OPAQUE_ORIGIN;
  if (typeof input !== "string") {
    throw new UsageError(argument, `must be a URL string or "null", got ${typeof input}`);
  }
  // The URL parser silently strips surrounding spaces and inner tabs/newlines;
  // an origin with any of those is a mistake, not something to guess at.
  // deno-lint-ignore no-control-regex
  if (input === "" || /[\s\x00-\x1f\x7f]/.test(input)) {
    throw new UsageError(
      argument,
      `not an origin: ${
        JSON.stringify(input)
      } (empty, or contains whitespace or control characters)`,
    );
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(
      argument,
      `not a URL: ${JSON.stringify(input)}; expected e.g. https://a.example or "null"`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(
      argument,
      `scheme '${url.protocol}' has no network origin; use http: or https:, or "null" for none`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError(argument, "must not contain credentials (user:password@)");
  }
  if (url.hostname === "") throw new UsageError(argument, `no host in ${JSON.stringify(input)}`);
  return tupleFromUrl(url);
}

/**
 * The origin of a resource URL, as a browser computes it: `http:`/`https:`
 * URLs have a tuple origin (credentials, path, query and fragment are
 * dropped); every other scheme (`file:`, `data:` …) is opaque. Throws a
 * {@link UsageError} for `argument` (default `"url"`) if `url` is not a URL.
 *
 * @example
 * ```ts
 * import { originOfUrl, serializeOrigin } from "./origin.ts";
 * import assert from "node:assert/strict";
 * assert.equal(serializeOrigin(originOfUrl("https://a.example/lib/x.py")), "https://a.example");
 * assert.deepEqual(originOfUrl("file:///home/me/x.py"), { kind: "opaque" });
 * ```
 */
export function originOfUrl(url: string | URL, argument = "url"): Origin {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(argument, `not a URL: ${JSON.stringify(String(url))}`);
  }
  if ((u.protocol !== "https:" && u.protocol !== "http:") || u.hostname === "") {
    return OPAQUE_ORIGIN;
  }
  return tupleFromUrl(u);
}

/**
 * The serialisation of an origin: `scheme://host[:port]`, or `"null"`.
 *
 * @example
 * ```ts
 * import { parseOrigin, serializeOrigin } from "./origin.ts";
 * import assert from "node:assert/strict";
 * assert.equal(serializeOrigin(parseOrigin("http://a.example:8080/")), "http://a.example:8080");
 * assert.equal(serializeOrigin(parseOrigin()), "null");
 * ```
 */
export function serializeOrigin(origin: Origin): string {
  return origin.kind === "tuple" ? origin.serialized : "null";
}

/**
 * Whether two origins are the same origin. An opaque origin is never the same
 * as anything, itself included (as in the HTML standard).
 *
 * @example
 * ```ts
 * import { parseOrigin, sameOrigin } from "./origin.ts";
 * import assert from "node:assert/strict";
 * assert.ok(sameOrigin(parseOrigin("https://a.example"), parseOrigin("https://a.example:443/x")));
 * ```
 */
export function sameOrigin(a: Origin, b: Origin): boolean {
  return a.kind === "tuple" && b.kind === "tuple" && a.serialized === b.serialized;
}

/**
 * The Deno `net` permission descriptor for an origin: `host:port` with the
 * port always explicit (443 / 80 by default) and IPv6 hosts in brackets.
 *
 * @example
 * ```ts
 * import { netDescriptor, parseOrigin } from "./origin.ts";
 * import assert from "node:assert/strict";
 * const o = parseOrigin("https://a.example");
 * assert.ok(o.kind === "tuple" && netDescriptor(o) === "a.example:443");
 * ```
 */
export function netDescriptor(origin: TupleOrigin): string {
  return `${origin.host}:${origin.port}`;
}
