/**
 * HTTP for `pyfence.web`, inside the worker: the browser's same-origin policy
 * and CORS, applied to a script whose origin the host stated. The Python
 * guard checks the target first (and records violations); this is the layer
 * that performs the request, so it checks again, runs CORS preflights,
 * verifies `Access-Control-Allow-Origin`, follows redirects only through the
 * same checks, and caps what comes back. Beneath it, the worker's Deno net
 * permission admits only the origin and the policy's CORS hosts.
 *
 * @module
 */

/** A request as Python hands it over (plain data only). */
export interface WebRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: Uint8Array;
}

/** A response as Python receives it (plain data only). */
export interface WebResponse {
  status: number;
  statusText: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array;
}

/** The network rules of one run. */
export interface WebRules {
  /** The script's serialised origin, or null (no network at all). */
  origin: string | null;
  sameOrigin: boolean;
  cors: string[];
  maxResponseBytes: number;
  maxRequests: number;
}

/** A request the rules refuse (as opposed to one the network fails). */
export class WebError extends Error {
  /** Create a refusal. */
  constructor(message: string) {
    super(message);
    this.name = "WebError";
  }
}

/** A response larger than the run may receive: a limit, not a refusal. */
export class WebLimitError extends Error {
  /** Create the limit error. */
  constructor(message: string) {
    super(message);
    this.name = "WebLimitError";
  }
}

// The Fetch standard's forbidden request headers: the script may not set them.
const FORBIDDEN_HEADERS = new Set([
  "accept-charset",
  "accept-encoding",
  "access-control-request-headers",
  "access-control-request-method",
  "connection",
  "content-length",
  "cookie",
  "cookie2",
  "date",
  "dnt",
  "expect",
  "host",
  "keep-alive",
  "origin",
  "referer",
  "set-cookie",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "via",
]);
const SIMPLE_METHODS = new Set(["GET", "HEAD", "POST"]);
const SIMPLE_CONTENT_TYPES = new Set([
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "text/plain",
]);
/** Request headers a redirect to another origin removes, and `*` never allows (the Fetch standard's "CORS non-wildcard request-header names"). */
const NON_WILDCARD_HEADERS = new Set(["authorization"]);
/** Headers that describe a request body, removed when a redirect turns the request into a GET. */
const BODY_HEADERS = new Set([
  "content-encoding",
  "content-language",
  "content-location",
  "content-type",
]);
/** Redirect statuses; any other 3xx is an ordinary response. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const SAFELISTED_RESPONSE_HEADERS = new Set([
  "cache-control",
  "content-language",
  "content-length",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
]);
const MAX_REDIRECTS = 5;

/**
 * The target's origin if the rules let the script ask it at all (before any
 * CORS check), else a {@link WebError} saying why not.
 */
export function checkTarget(url: string, rules: WebRules): { target: URL; same: boolean } {
  if (rules.origin === null) throw new WebError(`no network for a script with origin null: ${url}`);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new WebError(`not a URL: ${url}`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new WebError(`only http and https are allowed: ${url}`);
  }
  if (target.username || target.password) throw new WebError(`credentials in URL: ${url}`);
  const same = target.origin === rules.origin;
  if (same && !rules.sameOrigin) throw new WebError(`same-origin requests are off: ${url}`);
  if (!same && !rules.cors.includes(target.origin)) {
    throw new WebError(`cross-origin request to ${target.origin} is not allowed by the policy`);
  }
  return { target, same };
}

/** A byte the Fetch standard calls a "CORS-unsafe request-header byte". */
// deno-lint-ignore no-control-regex -- the standard's list is control bytes and punctuation
const UNSAFE_BYTE = /[\x00-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f]/;

/** Whether `name: value` is a CORS-safelisted request header (the Fetch standard's rules). */
function safelisted(name: string, value: string): boolean {
  if (value.length > 128) return false;
  switch (name) {
    case "accept":
      return !UNSAFE_BYTE.test(value);
    case "accept-language":
    case "content-language":
      return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
    case "content-type":
      return !UNSAFE_BYTE.test(value) &&
        SIMPLE_CONTENT_TYPES.has(value.split(";")[0].trim().toLowerCase());
    default:
      return false;
  }
}

/**
 * The names a CORS preflight must ask about: every header that is not
 * safelisted (all of them once the safelisted values exceed 1024 bytes),
 * lowercased, sorted, once each.
 */
function unsafeHeaderNames(headers: [string, string][]): string[] {
  const unsafe = new Set<string>();
  const safe = new Set<string>();
  let safeBytes = 0;
  for (const [k, v] of headers) {
    const name = k.toLowerCase();
    if (safelisted(name, v)) {
      safe.add(name);
      safeBytes += v.length;
    } else unsafe.add(name);
  }
  if (safeBytes > 1024) safe.forEach((name) => unsafe.add(name));
  return [...unsafe].sort();
}

function allowsOrigin(response: Response, origin: string): boolean {
  const allowed = response.headers.get("access-control-allow-origin");
  return allowed === "*" || allowed === origin;
}

function listHeader(response: Response, name: string): Set<string> {
  return new Set(
    (response.headers.get(name) ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(
      Boolean,
    ),
  );
}

/**
 * The CORS preflight for a request that is not simple. `origin` is the
 * request's serialised origin (`null` once a redirect tainted it).
 */
async function preflight(
  target: URL,
  method: string,
  headers: [string, string][],
  origin: string,
): Promise<void> {
  const names = unsafeHeaderNames(headers);
  const response = await fetch(target, {
    method: "OPTIONS",
    redirect: "manual",
    headers: {
      "origin": origin,
      "access-control-request-method": method,
      ...(names.length ? { "access-control-request-headers": names.join(",") } : {}),
    },
  });
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299 || !allowsOrigin(response, origin)) {
    throw new WebError(`CORS preflight to ${target.origin} was refused`);
  }
  const methods = listHeader(response, "access-control-allow-methods");
  if (!SIMPLE_METHODS.has(method) && !methods.has(method.toLowerCase()) && !methods.has("*")) {
    throw new WebError(`CORS preflight to ${target.origin} does not allow ${method}`);
  }
  // A wildcard allows any header but `Authorization`, which must be named.
  const allowed = listHeader(response, "access-control-allow-headers");
  const missing = names.filter((n) =>
    !allowed.has(n) && (!allowed.has("*") || NON_WILDCARD_HEADERS.has(n))
  );
  if (missing.length) {
    throw new WebError(`CORS preflight to ${target.origin} does not allow ${missing.join(", ")}`);
  }
}

async function readCapped(response: Response, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > max) {
      await response.body?.cancel().catch(() => {});
      throw new WebLimitError(`response from ${response.url} is larger than ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
}

/**
 * Make the fetch function of one run. It counts requests (preflights
 * excepted, redirects included) against `rules.maxRequests`.
 *
 * Redirects are followed as the Fetch standard's "cors" mode follows them:
 * each hop is checked against the rules again; once a request has gone to
 * another origin its response tainting is "cors" for good (every later
 * response needs `Access-Control-Allow-Origin`, and only safelisted or
 * exposed headers come back); a hop to another origin drops
 * `Authorization`; a hop away from an origin other than the script's taints
 * the request's origin, which is then sent as `Origin: null` (and must be
 * allowed as `null` or `*`); a 301/302 POST or a 303 becomes a body-less GET.
 */
export function makeWebFetch(rules: WebRules): (request: WebRequest) => Promise<WebResponse> {
  let requests = 0;
  return async function webFetch(request: WebRequest): Promise<WebResponse> {
    const method = request.method.toUpperCase();
    if (!/^[A-Z]{1,16}$/.test(method) || ["CONNECT", "TRACE", "TRACK"].includes(method)) {
      throw new WebError(`method not allowed: ${request.method}`);
    }
    const bad = request.headers.find(([k]) =>
      FORBIDDEN_HEADERS.has(k.toLowerCase()) || /^(proxy-|sec-)/i.test(k)
    );
    if (bad) throw new WebError(`header not allowed: ${bad[0]}`);
    let url = request.url;
    let body = request.body;
    let headers = request.headers;
    let currentMethod = method;
    let corsTainting = false;
    let taintedOrigin = false;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (++requests > rules.maxRequests) {
        throw new WebError(`more than ${rules.maxRequests} requests in one run`);
      }
      const { target, same } = checkTarget(url, rules);
      corsTainting ||= !same;
      const origin = taintedOrigin ? "null" : rules.origin!;
      if (
        corsTainting && (!SIMPLE_METHODS.has(currentMethod) || unsafeHeaderNames(headers).length)
      ) {
        await preflight(target, currentMethod, headers, origin);
      }
      const response = await fetch(target, {
        method: currentMethod,
        headers: [...headers, ["origin", origin]],
        body: currentMethod === "GET" || currentMethod === "HEAD" ? undefined : body as BodyInit,
        redirect: "manual",
      });
      if (corsTainting && !allowsOrigin(response, origin)) {
        await response.body?.cancel();
        throw new WebError(`CORS: ${target.origin} does not allow origin ${origin}`);
      }
      const location = response.headers.get("location");
      if (REDIRECTS.has(response.status) && location !== null) {
        await response.body?.cancel();
        let next: URL;
        try {
          next = new URL(location, target);
        } catch {
          throw new WebError(`redirect to an invalid URL: ${location.slice(0, 200)}`);
        }
        if (
          ((response.status === 301 || response.status === 302) && currentMethod === "POST") ||
          (response.status === 303 && currentMethod !== "GET" && currentMethod !== "HEAD")
        ) {
          currentMethod = "GET";
          body = undefined;
          headers = headers.filter(([k]) => !BODY_HEADERS.has(k.toLowerCase()));
        }
        if (next.origin !== target.origin) {
          headers = headers.filter(([k]) => !NON_WILDCARD_HEADERS.has(k.toLowerCase()));
          if (target.origin !== rules.origin) taintedOrigin = true;
        }
        url = next.href;
        continue;
      }
      const exposed = listHeader(response, "access-control-expose-headers");
      const responseHeaders = [...response.headers].filter(([k]) =>
        !corsTainting || SAFELISTED_RESPONSE_HEADERS.has(k) || exposed.has(k) || exposed.has("*")
      ).filter(([k]) => k !== "set-cookie");
      return {
        status: response.status,
        statusText: response.statusText,
        url,
        headers: responseHeaders,
        body: await readCapped(response, rules.maxResponseBytes),
      };
    }
    throw new WebError(`more than ${MAX_REDIRECTS} redirects`);
  };
}
