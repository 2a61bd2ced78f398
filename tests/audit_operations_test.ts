/**
 * The audit trail records what a script did, not only what it was refused:
 * allowed imports once per module, virtual files read, network requests with
 * their verdict; each event carries the run, its origin, the caller and a
 * time. The record is capped per run and cannot be turned against the run:
 * a hostile method name is left out rather than sent, an oversized or
 * malformed operation is refused by the protocol, and past the cap the host
 * only notes that more happened.
 */
import { deepEqual, equal, ok } from "assert";
import { type AuditEvent, Sandbox } from "../mod.ts";
import { startServers } from "./helpers/servers.ts";
import { parseWorkerEvent } from "../src/protocol/messages.ts";
import { OperationRecorder } from "../src/host/operations.ts";
import { CAPS } from "../src/protocol/caps.ts";

type Of<T extends AuditEvent["type"]> = Extract<AuditEvent, { type: T }>;

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test({
  name: "audit: imports, file reads and requests with their verdicts, each with its run",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const servers = startServers((req) =>
      new URL(req.url).pathname === "/cors"
        ? new Response("no ACAO header") // a cross-origin answer that does not admit the script
        : new Response("hello")
    );
    const A = `http://127.0.0.1:${servers.a.port}`;
    const B = `http://127.0.0.1:${servers.b.port}`;
    const C = `http://127.0.0.1:${closedPort()}`;
    const trail: AuditEvent[] = [];
    const sandbox = new Sandbox({
      poolSize: 0,
      policy: {
        version: 1,
        modules: { allow: ["json", "math"] },
        network: { same_origin: true, cors: [B, C] },
        on_violation: "raise",
      } as never,
      audit: (e) => void trail.push(e),
    });
    const code = [
      "import json, math",
      "import json",
      "from pyfence import web",
      "print(open('data.txt').read())",
      "open('data.txt').close()",
      "print(web.fetch('/ok').text())",
      `for url in ['${B}/cors', '${C}/x']:`,
      "    try:",
      "        web.fetch(url)",
      "    except Exception as e:",
      "        print(type(e).__name__)",
      "try:",
      "    web.fetch('/ok', method='GET /smuggled HTTP/1.1')",
      "except Exception as e:",
      "    print(type(e).__name__)",
    ].join("\n");
    try {
      const result = await sandbox.run(code, {
        origin: A,
        files: { "data.txt": "some data" },
        caller: "alice",
      });
      equal(result.stdout, "some data\nhello\nSecurityError\nNetworkError\nSecurityError\n");
      const mine = trail.filter((e) => e.runId === trail[0].runId);
      ok(
        mine.every((e) =>
          e.origin === A && e.caller === "alice" && !Number.isNaN(Date.parse(e.ts))
        ),
      );
      const imports = mine.filter((e) => e.type === "import").map((e) =>
        (e as Of<"import">).module
      );
      equal(imports.filter((m) => m === "json").length, 1, "once per module per run");
      deepEqual(imports.slice(0, 2), ["json", "math"]);
      ok(imports.includes("pyfence"), JSON.stringify(imports));
      deepEqual(
        mine.filter((e) => e.type === "file.read").map((e) => (e as Of<"file.read">).path),
        ["data.txt", "data.txt"],
      );
      const requests = mine.filter((e) => e.type === "net.request") as Of<"net.request">[];
      deepEqual(requests.map((r) => [r.url, r.verdict, r.status, r.method]), [
        [`${A}/ok`, "allowed", 200, "GET"],
        [`${B}/cors`, "refused", undefined, "GET"],
        [`${C}/x`, "failed", undefined, "GET"],
        // Not an HTTP method: the worker refuses it, and the trail leaves the method out.
        [`${A}/ok`, "refused", undefined, undefined],
      ]);
      equal(mine.filter((e) => e.type === "violation").length, 2, "CORS, and the method");
      const end = mine.at(-1) as Of<"run.end">;
      equal(end.type, "run.end");
      equal(end.operationsCapped, undefined);
    } finally {
      await sandbox.close();
      await servers.close();
    }
  },
});

Deno.test("audit: operations the host will not take are refused by the protocol, and capped", () => {
  const op = (fields: Record<string, unknown>) => parseWorkerEvent({ t: "op", ...fields });
  ok(op({ op: "import", target: "json" }));
  ok(
    op({
      op: "net.request",
      target: "https://a.example/",
      method: "GET",
      verdict: "allowed",
      status: 200,
    }),
  );
  equal(op({ op: "import", target: "x".repeat(CAPS.detail_bytes + 1) }), undefined);
  equal(op({ op: "net.request", target: "u", method: "GET /x HTTP/1.1" }), undefined);
  equal(op({ op: "exec", target: "x" }), undefined);
  equal(op({ op: "import", target: "x", extra: 1 }), undefined);
  equal(op({ op: "net.request", target: "u", status: 42 }), undefined);

  const kept: string[] = [];
  const recorder = new OperationRecorder((o) => kept.push(o.target), 3);
  for (let i = 0; i < 10; i++) recorder.accept({ t: "op", op: "file.read", target: `f${i}` });
  deepEqual(kept, ["f0", "f1", "f2"]);
  equal(recorder.capped, true);
  const noted = new OperationRecorder(() => {}, 3);
  noted.accept({ t: "op", op: "import", target: "more than 3", capped: true });
  equal(noted.capped, true, "the guard's own notice");
});
