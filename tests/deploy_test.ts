/**
 * Where a capability pyfence's isolation rests on is missing (as it may be on
 * Deno Deploy or another host), the server refuses at start-up, saying what
 * is missing, instead of running scripts with less isolation: simulated
 * runtimes for each capability, the real canary here, and a real `deno serve`
 * without `--allow-run`.
 */
import { deepEqual, equal, match, rejects } from "assert";
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

Deno.test({
  name: "deno serve without --allow-run refuses to serve, saying why",
  // The probe test before this one leaves a cache clean-up running.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
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

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const TOKEN = "deploy-token-0123456789";

async function snapshotFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".bin")) names.push(e.name);
  return names.sort();
}

Deno.test({
  name: "Deploy steps: snapshots built into the app, then deno serve from it with one process",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const app = await Deno.makeTempDir({ prefix: "pyfence-deploy-" });
    const env = {
      PYFENCE_CACHE_DIR: "./.pyfence-cache",
      PYFENCE_TOKEN: TOKEN,
      PYFENCE_ORIGIN: "https://a.example",
      PYFENCE_POLICIES: "strict",
      PYFENCE_MAX_PROCESSES: "1",
      PYFENCE_CONFIG: "",
    };
    try {
      // The build step.
      const build = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CLI, "cache", "warm", "--policy", "strict"],
        cwd: app,
        env,
      }).output();
      equal(build.code, 0, new TextDecoder().decode(build.stderr));
      const built = await snapshotFiles(`${app}/.pyfence-cache`);
      equal(built.length, 1);
      // The deployment: the entrypoint, configured from the environment.
      const server = new Deno.Command(Deno.execPath(), {
        args: ["serve", "-A", "--host", "127.0.0.1", "--port", "0", ENTRY],
        cwd: app,
        env,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const lines = server.stderr.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      const timer = setTimeout(() => server.kill("SIGKILL"), 120_000);
      while (!/listening on 127\.0\.0\.1:\d+/.test(text)) {
        const { value, done } = await lines.read();
        if (done) throw new Error(`the server ended: ${text}`);
        text += value;
      }
      const base = `http://127.0.0.1:${/listening on 127\.0\.0\.1:(\d+)/.exec(text)![1]}`;
      const response = await fetch(`${base}/v1/run`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ code: "print(6 * 7)" }),
      });
      equal((await response.json()).stdout, "42\n");
      const metrics = await (await fetch(`${base}/metrics`)).text();
      match(metrics, /^pyfence_pool_max_processes 1$/m);
      server.kill("SIGTERM");
      const status = await server.status;
      clearTimeout(timer);
      await lines.cancel();
      equal(status.code, 0);
      deepEqual(await snapshotFiles(`${app}/.pyfence-cache`), built, "nothing built at run time");
    } finally {
      await Deno.remove(app, { recursive: true });
    }
  },
});
