/**
 * Cookies, kept by the host per script origin (a partition: what one
 * origin's scripts gathered is never sent or shown to another's). RFC 6265
 * is `tough-cookie`'s: Path, Domain (it must match the responding host, and
 * may not be a public suffix), Expires and Max-Age, Secure, HttpOnly,
 * SameSite, the `__Secure-` and `__Host-` prefixes. pyfence adds what a
 * browser adds: a cookie without SameSite is `Lax`; a request to the
 * script's own site is a same-site context (`Strict` and `Lax` cookies go
 * with it), any other a cross-site one (only `SameSite=None`).
 *
 * The worker never holds the jar. For each request it asks the host for the
 * `Cookie` header (`request_header`) and hands back the response's
 * `Set-Cookie` headers (`store_response`); the host decides with its own
 * copy of the run's origin and CORS list: cookies go to, and come from,
 * the origin itself unless `credentials` is `omit`, and an origin the policy
 * lists for CORS only with `credentials: "include"` (the worker has checked
 * `Access-Control-Allow-Credentials` before it hands anything back). The
 * script's `pyfence.web.cookies` reads and writes the non-HttpOnly cookies
 * of its origin's `/` (`document_get`, `document_set`), as
 * `document.cookie` does.
 *
 * In the store: `["pyfence", "cookies", origin, h]` → the cookie as JSON,
 * one entry per cookie (`h`: SHA-256 of its domain, path and name), with
 * the cookie's own expiry; at most {@link MAX_COOKIES} per origin, each at
 * most {@link MAX_COOKIE_BYTES} of name and value.
 *
 * @module
 */
import { Cookie, CookieJar, getPublicSuffix, MemoryCookieStore } from "npm:tough-cookie@6.1.0";
import { utf8Bytes } from "../../protocol/caps.ts";
import type { StoreKey } from "../../protocol/store.ts";
import { sha256Hex } from "../../sha256.ts";
import type { HostService } from "../host_calls.ts";
import type { KvStore } from "./store.ts";

/** Cookies one origin's partition holds; a new one past this is dropped, as the RFC allows. */
export const MAX_COOKIES = 100;
/** UTF-8 bytes of a cookie's name and value together, as browsers allow. */
export const MAX_COOKIE_BYTES = 4096;
/** The longest a cookie is kept: 400 days, as browsers cap Expires and Max-Age. */
const MAX_LIFETIME_MS = 400 * 24 * 3600 * 1000;
/** `Set-Cookie` headers of one response that are looked at. */
const MAX_SET_COOKIES = 50;
/** Characters of one `Set-Cookie` header, attributes included. */
const MAX_HEADER_LENGTH = 8192;
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

type Credentials = "omit" | "same-origin" | "include";

function str(value: unknown, what: string): string {
  if (typeof value !== "string") throw new Error(`${what} must be a str`);
  return value;
}

function credentialsOf(value: unknown): Credentials {
  if (value === "omit" || value === "same-origin" || value === "include") return value;
  throw new Error("credentials must be 'omit', 'same-origin' or 'include'");
}

/** The schemeful site of an http(s) URL: scheme and registrable domain (or IP address). */
function site(url: URL): string {
  const host = url.hostname;
  const registrable = host.startsWith("[") || /^[0-9.]+$/.test(host)
    ? host
    : getPublicSuffix(host, { allowSpecialUseDomain: true, ignoreError: true }) ?? host;
  return `${url.protocol}//${registrable}`;
}

function cookieId(c: Cookie): string {
  return JSON.stringify([c.domain, c.path, c.key]);
}

/** A cookie's JSON without what changes on every read. */
function stable(c: Cookie): string {
  const { lastAccessed: _, ...rest } = c.toJSON() as Record<string, unknown>;
  return JSON.stringify(rest);
}

/**
 * The `cookies` service of one run, for `origin` (the run's trusted origin)
 * and the policy's CORS origins `cors`. `store` opens the host's store on
 * first use.
 */
export function cookieService(
  store: () => Promise<KvStore>,
  origin: string,
  cors: readonly string[],
): HostService {
  const root: StoreKey = ["pyfence", "cookies", origin];
  const originUrl = new URL(origin);
  const ownSite = site(originUrl);
  const corsOrigins = new Set(cors);

  /** The request URL if cookies may go to or come from it under `credentials`. */
  function target(url: unknown, credentials: unknown): URL | undefined {
    const mode = credentialsOf(credentials);
    let u: URL;
    try {
      u = new URL(str(url, "url"));
    } catch {
      throw new Error("url must be an absolute http(s) URL");
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new Error("url must be an absolute http(s) URL");
    }
    if (u.origin === origin) return mode === "omit" ? undefined : u;
    if (!corsOrigins.has(u.origin)) {
      throw new Error(`${u.origin} is neither the script's origin nor one of its CORS origins`);
    }
    return mode === "include" ? u : undefined;
  }

  /** The origin's jar, as the store holds it now, and what it held. */
  async function load(kv: KvStore): Promise<{ jar: CookieJar; before: Map<string, string> }> {
    const memory = new MemoryCookieStore();
    const before = new Map<string, string>();
    let cursor = "";
    do {
      const page = await kv.list(root, { limit: 200, cursor: cursor || undefined });
      for (const entry of page.entries) {
        const cookie = Cookie.fromJSON(entry.value as Record<string, unknown>);
        if (!cookie?.domain || !cookie.path) continue;
        await memory.putCookie(cookie);
        before.set(cookieId(cookie), stable(cookie));
      }
      cursor = page.cursor;
    } while (cursor);
    const jar = new CookieJar(memory, {
      rejectPublicSuffixes: true,
      looseMode: false,
      prefixSecurity: "strict",
      allowSpecialUseDomain: true,
    });
    return { jar, before };
  }

  /**
   * Write what changed in `jar` since `before`: new and changed cookies,
   * with their expiry made absolute and at most 400 days away (as browsers
   * cap it), and removed or expired ones. Returns the ids of new cookies
   * dropped because the origin holds {@link MAX_COOKIES}.
   */
  async function save(
    kv: KvStore,
    jar: CookieJar,
    before: Map<string, string>,
  ): Promise<Set<string>> {
    const now = Date.now();
    const all = (await jar.store.getAllCookies()).filter((c) => {
      const expiry = c.expiryTime();
      return expiry === undefined || expiry > now;
    });
    const after = new Map(all.map((c) => [cookieId(c), c]));
    const added = all.filter((c) => !before.has(cookieId(c)));
    // Past the cap, the newest arrivals are the ones dropped.
    const room = MAX_COOKIES - (after.size - added.length);
    const dropped = new Set(added.slice(Math.max(0, room)).map(cookieId));
    const set = [];
    for (const [id, c] of after) {
      if (dropped.has(id) || before.get(id) === stable(c)) continue;
      const expiry = Math.min(c.expiryTime() ?? Infinity, now + MAX_LIFETIME_MS);
      if (c.maxAge !== null || Number.isFinite(expiry)) {
        c.maxAge = null;
        c.expires = Number.isFinite(expiry) ? new Date(expiry) : "Infinity";
      }
      set.push({
        key: [...root, await sha256Hex(id)],
        value: c.toJSON() as Record<string, never>,
        ...(Number.isFinite(expiry) ? { expireIn: Math.max(1, expiry - now) } : {}),
      });
    }
    const removed = [];
    for (const id of before.keys()) {
      if (!after.has(id)) removed.push([...root, await sha256Hex(id)]);
    }
    // One commit per 100 changes; each cookie is its own entry, so a
    // concurrent writer of another cookie loses nothing.
    for (let i = 0; i < Math.max(set.length, removed.length); i += 100) {
      await kv.commit({ set: set.slice(i, i + 100), delete: removed.slice(i, i + 100) });
    }
    return dropped;
  }

  /** Parse one cookie line as this host reads it: bounded, no control characters, Lax by default. */
  function parse(line: string): Cookie | undefined {
    if (line.length > MAX_HEADER_LENGTH || CONTROL.test(line)) return undefined;
    const cookie = Cookie.parse(line, { loose: false });
    if (!cookie || utf8Bytes(cookie.key) + utf8Bytes(cookie.value) > MAX_COOKIE_BYTES) {
      return undefined;
    }
    cookie.sameSite ??= "lax";
    return cookie;
  }

  const functions: Record<string, (args: unknown[]) => Promise<unknown>> = {
    async request_header([url, credentials]) {
      const u = target(url, credentials);
      if (!u) return null;
      const { jar } = await load(await store());
      const header = await jar.getCookieString(u.href, {
        http: true,
        sameSiteContext: site(u) === ownSite ? "strict" : "none",
      });
      return header || null;
    },

    async store_response([url, credentials, lines]) {
      const u = target(url, credentials);
      if (!Array.isArray(lines) || lines.length > MAX_SET_COOKIES * 4) {
        throw new Error("set-cookie lines must be a list of str");
      }
      if (!u || lines.length === 0) return null;
      const kv = await store();
      const { jar, before } = await load(kv);
      const context = site(u) === ownSite ? "strict" : "none";
      for (const line of lines.slice(0, MAX_SET_COOKIES)) {
        const cookie = parse(str(line, "set-cookie line"));
        if (!cookie) continue;
        // An invalid cookie is ignored, as browsers ignore it.
        await jar.setCookie(cookie, u.href, { http: true, sameSiteContext: context })
          .catch(() => {});
      }
      await save(kv, jar, before);
      return null;
    },

    async document_get() {
      const { jar } = await load(await store());
      const cookies = await jar.getCookies(origin + "/", {
        http: false,
        sameSiteContext: "strict",
      });
      return cookies.map((c) => [c.key, c.value]);
    },

    async document_set([line]) {
      const cookie = parse(str(line, "cookie"));
      if (!cookie) return { error: "not a valid cookie (or too long)" };
      const kv = await store();
      const { jar, before } = await load(kv);
      try {
        await jar.setCookie(cookie, origin + "/", { http: false, sameSiteContext: "strict" });
      } catch (err) {
        return { error: (err as Error).message };
      }
      const dropped = await save(kv, jar, before);
      return dropped.has(cookieId(cookie))
        ? { error: `${origin} already holds ${MAX_COOKIES} cookies` }
        : null;
    },
  };

  return {
    has: (name) => Object.hasOwn(functions, name),
    call: (name, args) => functions[name](args),
  };
}
