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
const SAFELISTED_REQUEST_HEADERS = new Set([
  "accept",
  "accept-language",
  "content-language",
  "content-type",
]);
const SIMPLE_CONTENT_TYPES = new Set([
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "text/plain",
]);
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

function isSimple(method: string, headers: [string, string][]): boolean {
  if (!SIMPLE_METHODS.has(method)) return false;
  return headers.every(([k, v]) => {
    const name = k.toLowerCase();
    if (!SAFELISTED_REQUEST_HEADERS.has(name)) return false;
    return name !== "content-type" ||
      SIMPLE_CONTENT_TYPES.has(v.split(";")[0].trim().toLowerCase());
  });
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

async function preflight(
  target: URL,
  method: string,
  headers: [string, string][],
  origin: string,
): Promise<void> {
  const names = [...new Set(headers.map(([k]) => k.toLowerCase()))].sort();
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
  const allowedHeaders = listHeader(response, "access-control-allow-headers");
  const missing = names.filter((n) =>
    !SAFELISTED_REQUEST_HEADERS.has(n) && !allowedHeaders.has(n) && !allowedHeaders.has("*")
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
  // Not a Blob: its bytes would outlive the worker (and `Blob` is gone, see boot.ts).
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return body;
}

/**
 * Make the fetch function of one run. It counts requests against
 * `rules.maxRequests`.
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
    let currentMethod = method;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (++requests > rules.maxRequests) {
        throw new WebError(`more than ${rules.maxRequests} requests in one run`);
      }
      const { target, same } = checkTarget(url, rules);
      const origin = rules.origin!;
      if (!same && !isSimple(currentMethod, request.headers)) {
        await preflight(target, currentMethod, request.headers, origin);
      }
      const response = await fetch(target, {
        method: currentMethod,
        headers: [...request.headers, ["origin", origin]],
        body: currentMethod === "GET" || currentMethod === "HEAD" ? undefined : body as BodyInit,
        redirect: "manual",
      });
      if (!same && !allowsOrigin(response, origin)) {
        await response.body?.cancel();
        throw new WebError(`CORS: ${target.origin} does not allow origin ${origin}`);
      }
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        url = new URL(location, target).href;
        if (response.status === 303 || currentMethod === "POST") {
          currentMethod = "GET";
          body = undefined;
        }
        continue;
      }
      const exposed = listHeader(response, "access-control-expose-headers");
      const headers = [...response.headers].filter(([k]) =>
        same || SAFELISTED_RESPONSE_HEADERS.has(k) || exposed.has(k) || exposed.has("*")
      ).filter(([k]) => k !== "set-cookie");
      return {
        status: response.status,
        statusText: response.statusText,
        url,
        headers,
        body: await readCapped(response, rules.maxResponseBytes),
      };
    }
    throw new WebError(`more than ${MAX_REDIRECTS} redirects`);
  };
}
