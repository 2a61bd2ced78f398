/**
 * `extends` in policies: a built-in or a file (relative to the file that
 * says it) under this one; mappings merged key by key, lists and values
 * replaced; cycles, long chains and bad parents refused with the file and
 * key named; `pyfence policy explain` shows the chain and the merged result.
 */
import { deepEqual, equal, match, ok, rejects, throws } from "assert";
import { loadPolicy, resolvePolicy, validatePolicy } from "../src/policy/load.ts";
import { PolicyError } from "../src/errors.ts";

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, text] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  return dir;
}

Deno.test("extends: a built-in under an object, mappings merged, values replaced", async () => {
  const compute = await loadPolicy("compute");
  const { policy, chain } = await resolvePolicy({
    version: 1,
    extends: "compute",
    description: "mine",
    limits: { timeout_ms: 1000 },
    network: { same_origin: false },
  });
  deepEqual(chain, ["compute", "(inline)"]);
  equal(policy.description, "mine");
  equal(policy.limits.timeout_ms, 1000);
  equal(policy.limits.memory_mb, compute.limits.memory_mb);
  equal(policy.network.same_origin, false);
  deepEqual(policy.modules, compute.modules);
});

Deno.test("extends: lists are replaced whole, member rules merged per module", async () => {
  const dir = await tree({
    "base.yaml": "version: 1\nmodules:\n  allow: [json, io, random]\n  members:\n" +
      "    io: [StringIO]\n    random: { deny: [SystemRandom] }\n",
    "team/child.yaml": "version: 1\nextends: ../base.yaml\nmodules:\n  allow: [json, io]\n",
  });
  // The inherited member rule for a module the child no longer allows is the child's error.
  await rejects(loadPolicy(`${dir}/team/child.yaml`), (e) => {
    ok(e instanceof PolicyError);
    equal(e.file, `${dir}/team/child.yaml`);
    equal(e.keyPath, "modules.members.random");
    match(e.message, /'random' is not allowed by modules\.allow/);
    return true;
  });
  await Deno.writeTextFile(
    `${dir}/team/child.yaml`,
    "version: 1\nextends: ../base.yaml\nmodules:\n  allow: [json, io, random]\n  members:\n" +
      "    io: [BytesIO]\n",
  );
  const { policy, chain } = await resolvePolicy(`${dir}/team/child.yaml`);
  deepEqual(chain, [`${dir}/base.yaml`, `${dir}/team/child.yaml`]);
  deepEqual(policy.modules.allow, ["json", "io", "random"]);
  deepEqual(policy.modules.members, {
    io: { allow: ["BytesIO"] },
    random: { deny: ["SystemRandom"] },
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("extends: a problem in the child is reported in the child, with its line", async () => {
  const dir = await tree({
    "mine.yaml": "version: 1\nextends: compute\nlimits:\n  timeout_ms: -5\n",
  });
  await rejects(loadPolicy(`${dir}/mine.yaml`), (e) => {
    ok(e instanceof PolicyError);
    equal(e.keyPath, "limits.timeout_ms");
    equal(e.file, `${dir}/mine.yaml`);
    match(e.message, /must be at least 1, got -5 \(line 4, col 15\)/);
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("extends: a problem in the parent is reported in the parent", async () => {
  const dir = await tree({
    "base.yaml": "version: 1\nlimits: { recursion: 3 }\n",
    "mine.yaml": "version: 1\nextends: ./base.yaml\n",
  });
  await rejects(loadPolicy(`${dir}/mine.yaml`), (e) => {
    ok(e instanceof PolicyError);
    equal(e.file, `${dir}/base.yaml`);
    equal(e.keyPath, "limits.recursion");
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("extends: cycles, long chains, missing parents and bad values are refused", async () => {
  const dir = await tree({
    "a.yaml": "version: 1\nextends: b.yaml\n",
    "b.yaml": "version: 1\nextends: ./a.yaml\n",
    "self.yaml": "version: 1\nextends: self.yaml\n",
    "missing.yaml": "version: 1\nextends: nowhere.yaml\n",
    "unknown.yaml": "version: 1\nextends: computer\n",
    "number.yaml": "version: 1\nextends: 3\n",
    ...Object.fromEntries(
      Array.from({ length: 9 }, (_, i) => [`c${i}.yaml`, `version: 1\nextends: c${i + 1}.yaml\n`]),
    ),
    "c9.yaml": "version: 1\n",
  });
  await rejects(loadPolicy(`${dir}/a.yaml`), (e) => {
    ok(e instanceof PolicyError);
    equal(e.keyPath, "extends");
    match(e.message, /a cycle: .*a\.yaml → .*b\.yaml → .*a\.yaml/);
    return true;
  });
  await rejects(loadPolicy(`${dir}/self.yaml`), /a cycle/);
  await rejects(loadPolicy(`${dir}/missing.yaml`), (e) => {
    ok(e instanceof PolicyError);
    equal(e.file, `${dir}/nowhere.yaml`);
    match(e.message, /policy file not found/);
    return true;
  });
  await rejects(
    loadPolicy(`${dir}/unknown.yaml`),
    /unknown policy 'computer' \(did you mean 'compute'\?\)/,
  );
  await rejects(loadPolicy(`${dir}/number.yaml`), (e) => {
    ok(e instanceof PolicyError);
    equal(e.keyPath, "extends");
    match(
      e.message,
      /must be a built-in policy name or a path to a policy file \(line 2, col 10\)/,
    );
    return true;
  });
  await rejects(loadPolicy(`${dir}/c0.yaml`), /more than 8 policies in the chain/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("extends: the synchronous validators say to use loadPolicy()", () => {
  throws(
    () => validatePolicy({ version: 1, extends: "compute" }),
    (e) =>
      e instanceof PolicyError && e.keyPath === "extends" && /use loadPolicy\(\)/.test(e.message),
  );
  throws(() => validatePolicy({ version: 1, extend: "compute" }), /did you mean 'extends'/);
});

Deno.test("extends: pyfence policy explain shows the chain and the merged policy", async () => {
  const dir = await tree({
    "mine.yaml": "version: 1\nextends: strict\nlimits:\n  host_calls: 7\n",
  });
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../src/cli/main.ts", import.meta.url).pathname, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const text = await run(["policy", "explain", "--policy", `${dir}/mine.yaml`]);
  const out = new TextDecoder().decode(text.stdout);
  equal(text.code, 0, new TextDecoder().decode(text.stderr));
  ok(
    out.includes(`policy: strict → ${dir}/mine.yaml (mappings merged key by key; lists replaced)`),
  );
  match(out, /^ {2}host_calls: 7$/m);
  const json = JSON.parse(new TextDecoder().decode(
    (await run([
      "policy",
      "explain",
      "--json",
      "--policy",
      `${dir}/mine.yaml`,
    ])).stdout,
  ));
  deepEqual(json.chain, ["strict", `${dir}/mine.yaml`]);
  equal(json.policy.limits.host_calls, 7);
  const host = json.rows.find((r: { capability: string }) =>
    r.capability.startsWith("host functions")
  );
  match(host.guard, /; 7 calls and \d+ bytes per run$/);
  deepEqual(json.policy.modules.allow, ["json", "math"]);
  await Deno.remove(dir, { recursive: true });
});
