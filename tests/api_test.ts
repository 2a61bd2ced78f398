/**
 * The library's public surface as a caller meets it: what `mod.ts` exports,
 * misspelt option keys, host failures as `SandboxError`, the minimum Deno.
 */
import { deepEqual, equal, match, ok, rejects, throws } from "assert";
import * as pyfence from "../mod.ts";
import { run, Sandbox, SandboxError, shutdown, UsageError } from "../mod.ts";
import { denoVersionProblem, MIN_DENO } from "../src/host/deno_version.ts";

Deno.test("api: mod.ts exports what a caller uses, and no wire internals", () => {
  deepEqual(Object.keys(pyfence).sort(), [
    "API_ERRORS",
    "AUDIT_EVENT_TYPES",
    "ERROR_KINDS",
    "FINDING_KINDS",
    "PolicyError",
    "Sandbox",
    "SandboxError",
    "TENANT_RUNS_PER_INTERPRETER",
    "UsageError",
    "VIOLATION_KINDS",
    "builtinPolicyNames",
    "createHandler",
    "jsonlAuditSink",
    "kvAuditSink",
    "loadPolicy",
    "loadServeConfig",
    "openKvAuditStore",
    "renderReportHtml",
    "resultToJson",
    "run",
    "shutdown",
    "summarizeAudit",
  ]);
});

/** The UsageError `fn` throws (or its promise rejects with). */
async function usageError(fn: () => unknown): Promise<UsageError> {
  try {
    await fn();
  } catch (e) {
    ok(e instanceof UsageError, `expected a UsageError, got ${e}`);
    return e;
  }
  throw new Error("expected a UsageError, but nothing was thrown");
}

Deno.test("api: unknown option keys are UsageErrors naming the key, with 'did you mean'", async () => {
  const timeout = await usageError(() =>
    // @ts-expect-error: misspelt on purpose
    run("print(1)", { timeoutMS: 10, orgin: "https://a.example" })
  );
  equal(timeout.argument, "run() options.timeoutMS");
  match(timeout.message, /unknown option \(did you mean 'timeoutMs'\?\); known: policy, origin/);

  const polcy = await usageError(() =>
    // @ts-expect-error: misspelt on purpose
    new Sandbox({ polcy: "strict" })
  );
  equal(polcy.argument, "new Sandbox() options.polcy");
  match(polcy.message, /did you mean 'policy'\?/);

  // @ts-expect-error: not an option
  const stdin = await usageError(() => run("x", { stdin: "text" }));
  equal(stdin.argument, "run() options.stdin");
  ok(!stdin.message.includes("did you mean"), stdin.message);

  const sandbox = new Sandbox({ poolSize: 0 });
  try {
    // @ts-expect-error: a Sandbox's policy is fixed
    const fixed = await usageError(() => sandbox.run("x", { policy: "strict" }));
    match(fixed.message, /a Sandbox's policy is fixed/);
    // @ts-expect-error: misspelt on purpose
    const check = await usageError(() => sandbox.check("x", { orign: "https://a.example" }));
    match(
      check.message,
      /sandbox\.check\(\) options\.orign: unknown option \(did you mean 'origin'\?\)/,
    );
    // @ts-expect-error: not an object
    equal((await usageError(() => sandbox.run("x", "strict"))).argument, "sandbox.run() options");
  } finally {
    await sandbox.close();
  }
  // @ts-expect-error: audit must be a function
  throws(() => new Sandbox({ audit: "audit.jsonl" }), /audit: must be a function/);
});

Deno.test("api: a closed sandbox throws SandboxError('closed')", async () => {
  const sandbox = new Sandbox({ poolSize: 0 });
  await sandbox.close();
  for (
    const call of [() => sandbox.run("print(1)"), () => sandbox.check("x"), () => sandbox.warm()]
  ) {
    await rejects(call(), (e) => e instanceof SandboxError && e.reason === "closed");
  }
});

Deno.test("api: run() works again after shutdown()", async () => {
  const first = await run("print(6 * 7)");
  equal(first.stdout, "42\n");
  await shutdown();
  const again = await run("print('again')");
  equal(again.stdout, "again\n");
  await shutdown();
});

Deno.test("api: the minimum Deno version is 2.5, checked with a clear message", () => {
  deepEqual(MIN_DENO, [2, 5]);
  equal(denoVersionProblem("2.5.0"), undefined);
  equal(denoVersionProblem("3.0.0"), undefined);
  equal(denoVersionProblem("2.4.9"), "pyfence needs Deno 2.5 or later; this is Deno 2.4.9");
  equal(denoVersionProblem("1.46.3"), "pyfence needs Deno 2.5 or later; this is Deno 1.46.3");
  equal(denoVersionProblem(Deno.version.deno), undefined);
});
