/**
 * Where a capability pyfence's isolation rests on is missing (as it may be on
 * Deno Deploy or another host), the server refuses at start-up, saying what
 * is missing, instead of running scripts with less isolation: simulated
 * runtimes for each capability, the real canary here, and a real `deno serve`
 * without `--allow-run`.
 */
import { equal, match, rejects } from "assert";
import { SandboxError } from "../mod.ts";
import { probeRuntime, type RuntimeFacts, runtimeFacts } from "../src/host/runtime_probe.ts";

const ENTRY = new URL("../src/serve/entrypoint.ts", import.meta.url).pathname;

const fine: RuntimeFacts = {
  command: class {},
  permission: () => "granted",
  canary: () => Promise.resolve({ control: "allowed", read: "denied", env: "denied" }),
};

async function refusal(facts: Partial<RuntimeFacts>, why: RegExp) {
  await rejects(
    probeRuntime("default", { ...fine, ...facts }),
    (e) => e instanceof SandboxError && e.reason === "unsupported" && why.test(e.message),
  );
}

Deno.test("runtime probe: each missing capability is refused, naming it", async () => {
  await probeRuntime("default", fine);
  await refusal({ command: undefined }, /cannot start subprocesses \(it has no Deno\.Command\)/);
  await refusal({ permission: () => "prompt" }, /may not start '.*' \(grant --allow-run\)/);
  await refusal(
    { canary: () => Promise.reject(new Error("spawn failed")) },
    /a sandbox process could not be started here: spawn failed/,
  );
  await refusal(
    { canary: () => Promise.resolve({ control: "allowed", read: "allowed", env: "denied" }) },
    /does not apply a worker's own permissions \(the canary worker was allowed: read\)/,
  );
  await refusal(
    { canary: () => Promise.resolve({ control: "denied", read: "denied", env: "denied" }) },
    /could not reach its worker's JavaScript/,
  );
  await refusal(
    { canary: () => Promise.resolve({ control: "allowed" }) },
    /allowed: nothing was checked/,
  );
});

Deno.test({
  name: "runtime probe: here, a worker really holds only its own permissions",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const seen = await runtimeFacts().canary("default");
    equal(seen.control, "allowed", "the worker's JavaScript was reached");
    equal(seen.read, "denied");
    equal(seen.env, "denied");
    await probeRuntime("default");
  },
});

Deno.test("deno serve without --allow-run refuses to serve, saying why", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-net",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      ENTRY,
    ],
    env: { PYFENCE_TOKEN: "", PYFENCE_ORIGIN: "", PYFENCE_CONFIG: "" },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  equal(out.code, 1, stderr);
  match(stderr, /refusing to serve: this process may not start '.*' \(grant --allow-run\)/);
});
