/**
 * Redirects and CORS as the Fetch standard has them, checked at the servers:
 * three loopback servers (three ports, three origins) record the headers of
 * every request they get. The script's origin is A; the policy lists B for
 * CORS; C is listed nowhere.
 */
import { deepEqual, equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { startServers } from "./helpers/servers.ts";

interface Seen {
  port: number;
  method: string;
  path: string;
  origin: string | null;
  authorization: string | null;
  contentType: string | null;
  body: string;
}

Deno.test({
  name:
    "redirects: Authorization dropped across origins, tainted origin sent as null, CORS on every hop",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const seen: Seen[] = [];
    const handler = async (req: Request, port: number) => {
      const url = new URL(req.url);
      seen.push({
        port,
        method: req.method,
        path: url.pathname,
        origin: req.headers.get("origin"),
        authorization: req.headers.get("authorization"),
        contentType: req.headers.get("content-type"),
        body: await req.text(),
      });
      // Every response consents to whatever origin asked (null included),
      // unless the path says otherwise: what is refused is the client's rule.
      const acao = { "access-control-allow-origin": req.headers.get("origin") ?? "*" };
      if (req.method === "OPTIONS") {
        const allowHeaders = url.pathname === "/named" ? "authorization" : "*";
        return new Response(null, {
          status: 204,
          headers: {
            ...acao,
            "access-control-allow-methods": "*",
            "access-control-allow-headers": allowHeaders,
          },
        });
      }
      if (url.pathname === "/to") {
        return new Response(null, {
          status: Number(url.searchParams.get("status") ?? 302),
          headers: { ...acao, location: url.searchParams.get("url")! },
        });
      }
      if (url.pathname === "/noacao") return new Response("secret of " + port);
      return new Response(`end ${port}`, { headers: acao });
    };
    const ab = startServers(handler);
    const cd = startServers(handler);
    const A = `http://127.0.0.1:${ab.a.port}`;
    const B = `http://127.0.0.1:${ab.b.port}`;
    const C = `http://127.0.0.1:${cd.a.port}`;
    const to = (url: string, status = 302) => `/to?status=${status}&url=${encodeURIComponent(url)}`;
    const sandbox = new Sandbox({
      policy: {
        version: 1,
        modules: { allow: ["json"] },
        network: { same_origin: true, cors: [B] },
      },
    });
    /** Run `code` as a script of origin A; what the servers saw, in order. */
    const run = async (code: string) => {
      seen.length = 0;
      const result = await sandbox.run(`from pyfence import web\n${code}`, { origin: A });
      return { result, seen: [...seen] };
    };
    const auth = `headers={"Authorization": "Bearer s3cret"}`;
    try {
      await t.step("A → B: Authorization reaches A only; B sees Origin A", async () => {
        const { result, seen } = await run(
          `print(web.fetch("${to(B + "/end")}", ${auth}).text())`,
        );
        equal(result.stdout, `end ${ab.b.port}\n`, JSON.stringify(result));
        deepEqual(
          seen.map((s) => [s.port, s.path, s.origin, s.authorization]),
          [
            [ab.a.port, "/to", A, "Bearer s3cret"],
            [ab.b.port, "/end", A, null],
          ],
        );
      });
      await t.step("A → A: a same-origin redirect keeps Authorization", async () => {
        const { result, seen } = await run(
          `print(web.fetch("${to(A + "/end")}", ${auth}).text())`,
        );
        equal(result.stdout, `end ${ab.a.port}\n`, JSON.stringify(result));
        deepEqual(seen.map((s) => s.authorization), ["Bearer s3cret", "Bearer s3cret"]);
        deepEqual(seen.map((s) => s.origin), [A, A]);
      });
      await t.step("A → B → A: back at A the origin is tainted, sent as null", async () => {
        const { result, seen } = await run(
          `print(web.fetch("${to(B + to(A + "/end"))}", ${auth}).text())`,
        );
        equal(result.stdout, `end ${ab.a.port}\n`, JSON.stringify(result));
        deepEqual(
          seen.map((s) => [s.port, s.origin, s.authorization]),
          [
            [ab.a.port, A, "Bearer s3cret"],
            [ab.b.port, A, null],
            [ab.a.port, "null", null],
          ],
        );
      });
      await t.step("A → B → A: the tainted response needs CORS consent, even from A", async () => {
        const { result, seen } = await run(`web.fetch("${to(B + to(A + "/noacao"))}")`);
        equal(result.error?.type, "SecurityError", JSON.stringify(result));
        match(result.violations[0].detail, /CORS: .* does not allow origin null/);
        ok(!result.stdout.includes("secret"));
        equal(seen.length, 3);
      });
      await t.step(
        "A → B → C: a hop to an origin the policy does not list is refused",
        async () => {
          const { result, seen } = await run(`web.fetch("${to(B + to(C + "/end"))}")`);
          equal(result.error?.type, "SecurityError", JSON.stringify(result));
          match(result.violations[0].detail, /not allowed by the policy/);
          ok(seen.every((s) => s.port !== cd.a.port), "C was reached");
          equal(seen.length, 2);
        },
      );
      await t.step("Access-Control-Allow-Headers: * does not cover Authorization", async () => {
        const { result, seen } = await run(`web.fetch("${B}/star", ${auth})`);
        equal(result.error?.type, "SecurityError", JSON.stringify(result));
        match(result.violations[0].detail, /preflight .* does not allow authorization/);
        deepEqual(seen.map((s) => [s.method, s.authorization]), [["OPTIONS", null]]);
      });
      await t.step("Access-Control-Allow-Headers naming authorization does", async () => {
        const { result, seen } = await run(`print(web.fetch("${B}/named", ${auth}).text())`);
        equal(result.stdout, `end ${ab.b.port}\n`, JSON.stringify(result));
        deepEqual(seen.map((s) => [s.method, s.authorization]), [
          ["OPTIONS", null],
          ["GET", "Bearer s3cret"],
        ]);
      });
      await t.step("a 307 keeps POST and its body; a 302 turns POST into a bare GET", async () => {
        const post = `method="POST", body="payload", headers={"Content-Type": "text/plain"}`;
        const kept = await run(`web.fetch("${to(A + "/end", 307)}", ${post})`);
        equal(kept.result.error, undefined, JSON.stringify(kept.result));
        deepEqual(kept.seen.map((s) => [s.method, s.body, s.contentType]), [
          ["POST", "payload", "text/plain"],
          ["POST", "payload", "text/plain"],
        ]);
        const changed = await run(`web.fetch("${to(A + "/end", 302)}", ${post})`);
        equal(changed.result.error, undefined, JSON.stringify(changed.result));
        deepEqual(changed.seen.map((s) => [s.method, s.body, s.contentType]), [
          ["POST", "payload", "text/plain"],
          ["GET", "", null],
        ]);
      });
    } finally {
      await sandbox.close();
      await ab.close();
      await cd.close();
    }
  },
});
