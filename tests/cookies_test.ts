/**
 * Cookies and credentials: `Set-Cookie` from the script's origin is kept by
 * the host (HttpOnly, Path, Domain, Max-Age, SameSite as RFC 6265 and
 * browsers say) and comes back on later runs; the script can read and write
 * only the non-HttpOnly ones and can never send a `Cookie` header itself; a
 * CORS origin gets cookies only with `credentials: "include"` and its
 * consent; another origin's runs see none of them, not even on the same
 * host. Also `fetch_async`, and URL spellings that must not reach another
 * origin. Real loopback servers: two ports, two origins.
 */
import { equal, match, ok } from "assert";
import { join } from "node:path";
import { Sandbox } from "../src/host/sandbox.ts";
import { startServers } from "./helpers/servers.ts";

Deno.test({
  name: "cookies: kept per origin by the host, sent as credentials allow",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const seen: string[] = [];
    const servers = startServers((req, port) => {
      const url = new URL(req.url);
      const cookie = req.headers.get("cookie") ?? "none";
      seen.push(`${port} ${url.pathname} ${cookie}`);
      const origin = req.headers.get("origin") ?? "";
      const headers = new Headers();
      switch (url.pathname) {
        case "/set":
          headers.append("set-cookie", "sid=s1; Path=/; HttpOnly; Max-Age=3600");
          headers.append("set-cookie", "theme=dark; Path=/");
          headers.append("set-cookie", "scoped=1; Path=/api");
          headers.append("set-cookie", "evil=1; Path=/; Domain=evil.example");
          headers.append("set-cookie", "gone=1; Path=/; Max-Age=0");
          return new Response("set", { headers });
        case "/cors-set":
          headers.set("access-control-allow-origin", origin);
          headers.set("access-control-allow-credentials", "true");
          headers.append("set-cookie", "b=1; Path=/; SameSite=None; Secure");
          headers.append("set-cookie", "blax=1; Path=/");
          return new Response("set", { headers });
        case "/cors-echo":
          headers.set("access-control-allow-origin", origin);
          headers.set("access-control-allow-credentials", "true");
          return new Response(cookie, { headers });
        case "/star":
          return new Response(cookie, { headers: { "access-control-allow-origin": "*" } });
        default:
          return new Response(cookie);
      }
    });
    const A = `http://127.0.0.1:${servers.a.port}`;
    const B = `http://localhost:${servers.b.port}`; // another site, listed for CORS
    const dir = await Deno.makeTempDir();
    const sandbox = new Sandbox({
      policy: {
        version: 1,
        modules: { allow: ["json"] },
        network: { same_origin: true, cors: [B] },
        storage: { enabled: true },
        on_violation: "raise",
      },
      storage: join(dir, "web.kv"),
    });
    const py = (code: string, origin = A) =>
      sandbox.run("from pyfence.web import fetch, fetch_async, cookies\n" + code, { origin });
    const sorted = (header: string) => header.trim().split("; ").sort().join("; ");
    try {
      await t.step("Set-Cookie is kept; HttpOnly is sent but never shown", async () => {
        const r = await py(
          `print(fetch("/set").text())\nprint(dict(cookies.items()))\n` +
            `print(fetch("/echo").text())\nprint(fetch("/api/echo").text())\n` +
            `print(fetch("/echo", credentials="omit").text())\n`,
        );
        equal(r.error, undefined, JSON.stringify(r));
        const [set, shown, echo, api, omitted] = r.stdout.trimEnd().split("\n");
        equal(set, "set");
        // Not HttpOnly `sid`, not `scoped` (Path=/api), not `evil` (another domain), not `gone`.
        equal(shown, "{'theme': 'dark'}");
        equal(sorted(echo), "sid=s1; theme=dark");
        equal(sorted(api), "scoped=1; sid=s1; theme=dark");
        equal(omitted, "none");
      });

      await t.step("the script cannot send a Cookie header, nor smuggle one", async () => {
        const before = seen.length;
        const r = await py(
          `try:\n    fetch("/echo", headers={"Cookie": "sid=forged"})\nexcept PermissionError as e:\n    print("refused:", e)\n` +
            `for name, value in (("X-A", "1\\r\\nCookie: sid=forged"), ("X-A", "1\\nx"), ("Bad Name", "1"), ("X\\r\\nCookie", "1")):\n` +
            `    try:\n        fetch("/echo", headers={name: value})\n    except ValueError as e:\n        print("ValueError")\n` +
            `try:\n    cookies["sid"] = "forged"\nexcept ValueError as e:\n    print(e)\n` +
            `for name, value in (("a;b", "c"), ("a=b", "c"), ("a", "b\\r\\nSet-Cookie: x=1"), ("a", "b; HttpOnly")):\n` +
            `    try:\n        cookies[name] = value\n    except ValueError as e:\n        print("ValueError")\n`,
        );
        equal(r.error, undefined, JSON.stringify(r));
        const lines = r.stdout.trimEnd().split("\n");
        match(lines[0], /^refused: header not allowed: Cookie/);
        equal(lines.slice(1, 5).join(","), "ValueError,ValueError,ValueError,ValueError");
        match(lines[5], /^the cookie was not set: old Cookie is HttpOnly/);
        equal(lines.slice(6).join(","), "ValueError,ValueError,ValueError,ValueError");
        equal(seen.length, before, "a request with a forged cookie was sent");
        equal(r.violations.length, 1);
        equal(r.violations[0].kind, "network");
      });

      await t.step("a later run gets its cookies back; the script's own cookie too", async () => {
        const r = await py(
          `cookies["x"] = "1"\nprint(fetch("/echo").text())\n` +
            `del cookies["x"]\nprint("x" in cookies, fetch("/echo").text())\n` +
            `c = fetch_async("/echo")\ntry:\n    c.send(None)\nexcept StopIteration as e:\n    print("async", e.value.status, e.value.text())\n`,
        );
        equal(r.error, undefined, JSON.stringify(r));
        const [withX, withoutX, viaAsync] = r.stdout.trimEnd().split("\n");
        equal(sorted(withX), "sid=s1; theme=dark; x=1");
        equal(withoutX.split(" ")[0], "False");
        equal(sorted(withoutX.slice("False ".length)), "sid=s1; theme=dark");
        equal(viaAsync.slice(0, "async 200 ".length), "async 200 ");
        equal(sorted(viaAsync.slice("async 200 ".length)), "sid=s1; theme=dark");
      });

      await t.step("a CORS origin: cookies only with include and its consent", async () => {
        const r = await py(
          `print(fetch("${B}/cors-set", credentials="include").text())\n` +
            `print(fetch("${B}/cors-echo", credentials="include").text())\n` +
            `print(fetch("${B}/cors-echo").text())\n` +
            `try:\n    fetch("${B}/star", credentials="include")\nexcept PermissionError as e:\n    print("refused:", e)\n` +
            `print(fetch("${B}/star").text())\n`,
        );
        equal(r.error, undefined, JSON.stringify(r));
        const lines = r.stdout.trimEnd().split("\n");
        // `blax` (Lax by default) was refused: localhost is another site than 127.0.0.1.
        equal(lines[0], "set");
        equal(lines[1], "b=1");
        equal(lines[2], "none");
        match(
          lines[3],
          /^refused: CORS: http:\/\/localhost:\d+ does not allow origin .* with credentials/,
        );
        equal(lines[4], "none");
      });

      await t.step("another origin, even on the same host, sees none of them", async () => {
        const other = `http://127.0.0.1:${servers.b.port}`;
        const r = await py(
          `print(dict(cookies.items()))\nprint(fetch("/echo").text())\n` +
            `print(fetch("${B}/cors-echo", credentials="include").text())`,
          other,
        );
        equal(r.error, undefined, JSON.stringify(r));
        // A browser would send 127.0.0.1's cookies to any port; per-origin partitions do not.
        equal(r.stdout, "{}\nnone\nnone\n");
        const back = await py(`print(dict(cookies.items()))`);
        equal(back.stdout, "{'theme': 'dark'}\n");
      });

      await t.step(
        "URL spellings of another origin are refused before anything is sent",
        async () => {
          const before = servers.b.hits;
          const targets = [
            `http://localhost:${servers.a.port}/echo`, // localhost is not 127.0.0.1
            `http://[::1]:${servers.a.port}/echo`,
            `http://127.0.0.1/echo`, // the default port
            `https://127.0.0.1:${servers.a.port}/echo`,
            `http://127.0.0.1:${servers.b.port}/echo`,
            `//127.0.0.1:${servers.b.port}/echo`,
            `http://0x7f000001:${servers.b.port}/echo`,
            `http://${"a".repeat(10_000)}.example/`,
            `http://user:pw@127.0.0.1:${servers.a.port}/echo`, // credentials: the worker refuses
            `ws://127.0.0.1:${servers.a.port}/echo`,
          ];
          const r = await py(
            `for url in ${JSON.stringify(targets)}:\n` +
              `    try:\n        fetch(url)\n        print("SENT", url[:60])\n` +
              `    except PermissionError:\n        print("refused")\n`,
          );
          equal(r.error, undefined, JSON.stringify(r));
          equal(r.stdout, "refused\n".repeat(targets.length));
          ok(r.violations.every((v) => v.kind === "network"));
          equal(servers.b.hits, before);
        },
      );
    } finally {
      await sandbox.close();
      await servers.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
