/**
 * Network under the guard: same-origin requests pass; cross-origin ones need
 * the policy's CORS list *and* the server's consent (preflight and
 * Access-Control-Allow-Origin); origin null has no network at all.
 */
import { equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { startServers } from "./helpers/servers.ts";

Deno.test({
  name: "network: same-origin policy and CORS",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const seen: string[] = [];
    const servers = startServers((req, port) => {
      const url = new URL(req.url);
      seen.push(`${port} ${req.method} ${url.pathname}`);
      const acao = { "access-control-allow-origin": req.headers.get("origin") ?? "*" };
      if (req.method === "OPTIONS") {
        return new Response(null, {
          status: url.pathname === "/cors-put" ? 204 : 403,
          headers: url.pathname === "/cors-put"
            ? { ...acao, "access-control-allow-methods": "PUT" }
            : {},
        });
      }
      switch (url.pathname) {
        case "/json":
          return Response.json({ port, origin: req.headers.get("origin") });
        case "/cors":
        case "/cors-put":
          return new Response(`cors ok ${req.method}`, { headers: acao });
        case "/echo":
          return new Response(req.body);
        case "/redirect":
          return Response.redirect(url.searchParams.get("to")!, 302);
        default:
          return new Response(`plain ${port}`);
      }
    });
    const A = `http://127.0.0.1:${servers.a.port}`;
    const B = `http://127.0.0.1:${servers.b.port}`;
    const base = { version: 1, modules: { allow: ["json"] } };
    const sameOnly = new Sandbox({ policy: { ...base, network: { same_origin: true } } as never });
    const withCors = new Sandbox({
      policy: { ...base, network: { same_origin: true, cors: [B] } } as never,
    });
    try {
      await t.step("same-origin fetch works, relative URLs resolve to the origin", async () => {
        const r = await sameOnly.run(
          `from pyfence import web\nr = web.fetch("/json")\nprint(r.status, r.ok, r.json()["port"])`,
          { origin: A },
        );
        equal(r.error, undefined, JSON.stringify(r));
        equal(r.stdout, `200 True ${servers.a.port}\n`);
      });
      await t.step("request and response bodies keep every byte", async () => {
        const r = await sameOnly.run(
          `from pyfence import web\nsent = bytes(range(256)) * 300\nr = web.fetch("/echo", method="POST", body=sent)\nprint(r.content == sent, len(r.content))`,
          { origin: A },
        );
        equal(r.error, undefined, JSON.stringify(r));
        equal(r.stdout, "True 76800\n");
      });
      await t.step("synchronous XMLHttpRequest works same-origin", async () => {
        const r = await sameOnly.run(
          `from pyfence import web\nx = web.XMLHttpRequest()\nx.open("GET", "${A}/plain")\nx.send()\nprint(x.status, x.responseText)`,
          { origin: A },
        );
        equal(r.stdout, `200 plain ${servers.a.port}\n`, JSON.stringify(r));
      });
      await t.step("cross-origin without a CORS grant: SecurityError, nothing sent", async () => {
        const hits = servers.b.hits;
        const r = await sameOnly.run(`from pyfence import web\nweb.fetch("${B}/cors")`, {
          origin: A,
        });
        equal(r.error?.type, "SecurityError");
        equal(r.violations[0]?.kind, "network");
        equal(r.violations[0]?.line, 2);
        equal(servers.b.hits, hits);
      });
      await t.step("cross-origin with a grant and the server's consent works", async () => {
        const r = await withCors.run(
          `from pyfence import web\nprint(web.fetch("${B}/cors").text())`,
          { origin: A },
        );
        equal(r.stdout, "cors ok GET\n", JSON.stringify(r));
      });
      await t.step(
        "cross-origin response without Access-Control-Allow-Origin is withheld",
        async () => {
          const r = await withCors.run(
            `from pyfence import web\nprint(web.fetch("${B}/plain").text())`,
            { origin: A },
          );
          equal(r.error?.type, "SecurityError");
          match(r.violations[0].detail, /CORS/);
          ok(!r.stdout.includes("plain"));
        },
      );
      await t.step("a non-simple cross-origin request is preflighted", async () => {
        seen.length = 0;
        const good = await withCors.run(
          `from pyfence import web\nprint(web.fetch("${B}/cors-put", method="PUT", body="x").text())`,
          { origin: A },
        );
        equal(good.stdout, "cors ok PUT\n", JSON.stringify(good));
        ok(seen.includes(`${servers.b.port} OPTIONS /cors-put`));
        seen.length = 0;
        const refused = await withCors.run(
          `from pyfence import web\nweb.fetch("${B}/cors", method="DELETE")`,
          { origin: A },
        );
        equal(refused.error?.type, "SecurityError");
        match(refused.violations[0].detail, /preflight/);
        ok(!seen.includes(`${servers.b.port} DELETE /cors`), "the DELETE was sent");
      });
      await t.step("a same-origin redirect to a foreign origin is refused", async () => {
        const r = await sameOnly.run(
          `from pyfence import web\nweb.fetch("/redirect?to=${encodeURIComponent(B + "/plain")}")`,
          { origin: A },
        );
        equal(r.error?.type, "SecurityError");
        equal(r.violations[0]?.kind, "network");
      });
      await t.step("origin null has no network", async () => {
        const r = await sameOnly.run(`from pyfence import web\nweb.fetch("${A}/plain")`);
        equal(r.error?.type, "SecurityError");
        match(r.violations[0].detail, /origin null/);
      });
      await t.step("forbidden headers cannot be set", async () => {
        const r = await sameOnly.run(
          `from pyfence import web\nweb.fetch("/plain", headers={"Host": "evil.example"})`,
          { origin: A },
        );
        equal(r.error?.type, "SecurityError");
        match(r.violations[0].detail, /header not allowed/);
      });
    } finally {
      await sameOnly.close();
      await withCors.close();
      await servers.close();
    }
  },
});
