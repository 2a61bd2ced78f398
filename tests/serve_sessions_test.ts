/**
 * Sessions over the HTTP API: start, run (state kept), end; a session is its
 * token's only (another token gets 404, as for one that never was); live
 * sessions count against the token's concurrency; a session a run ended
 * answers SessionClosed; the routes are in the OpenAPI document.
 */
import { equal, ok } from "assert";
import { createHandler, type PyfenceHandler } from "../mod.ts";

const ALICE = "alice-token-0123456789";
const BOB = "bob-token-0123456789ab";

function call(
  handler: PyfenceHandler,
  method: string,
  path: string,
  body?: unknown,
  token = ALICE,
): Promise<Response> {
  return handler(
    new Request(`http://localhost${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

Deno.test({
  name: "serve: sessions keep state, belong to their token, count against its quota, and end",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const h = createHandler({
      callers: [
        { token: ALICE, policies: ["compute"], limits: { concurrency: 1 } },
        { token: BOB, policies: ["compute"] },
      ],
    });
    try {
      const started = await call(h, "POST", "/v1/sessions", {});
      equal(started.status, 201);
      const { id, policy } = await started.json();
      equal(policy, "compute");
      ok(typeof id === "string" && id.length > 0);

      await t.step("runs share the session's globals", async () => {
        const first = await call(h, "POST", `/v1/sessions/${id}/run`, { code: "n = 40" });
        equal(first.status, 200);
        equal((await first.json()).ok, true);
        const second = await call(h, "POST", `/v1/sessions/${id}/run`, {
          code: "n + k",
          inputs: { k: 2 },
        });
        equal((await second.json()).value, 42);
      });

      await t.step("another token finds no such session", async () => {
        const peek = await call(h, "POST", `/v1/sessions/${id}/run`, { code: "n" }, BOB);
        equal(peek.status, 404);
        equal((await peek.json()).error.code, "not_found");
        equal((await call(h, "DELETE", `/v1/sessions/${id}`, undefined, BOB)).status, 404);
      });

      await t.step("a token holds at most its concurrency in live sessions", async () => {
        const more = await call(h, "POST", "/v1/sessions", {});
        equal(more.status, 429);
        equal((await more.json()).error.code, "too_many_sessions");
      });

      await t.step("a run that ends at a limit ends the session: SessionClosed", async () => {
        const slow = await call(h, "POST", `/v1/sessions/${id}/run`, {
          code: "while True:\n    pass",
          timeoutMs: 300,
        });
        equal((await slow.json()).error.kind, "limit");
        const after = await (await call(h, "POST", `/v1/sessions/${id}/run`, { code: "n" }))
          .json();
        equal(after.error.type, "SessionClosed");
        equal(after.error.kind, "closed");
      });

      await t.step("an ended session frees its place; DELETE ends and forgets one", async () => {
        const next = await call(h, "POST", "/v1/sessions", {});
        equal(next.status, 201);
        const { id: other } = await next.json();
        equal((await call(h, "DELETE", `/v1/sessions/${other}`)).status, 204);
        equal((await call(h, "POST", `/v1/sessions/${other}/run`, { code: "1" })).status, 404);
      });

      await t.step("the routes are in the OpenAPI document", async () => {
        const doc = await (await h(new Request("http://localhost/v1/openapi.json"))).json();
        ok(doc.paths["/v1/sessions"].post);
        ok(doc.paths["/v1/sessions/{id}/run"].post);
        ok(doc.paths["/v1/sessions/{id}"].delete);
      });
    } finally {
      await h.close(0);
    }
  },
});
