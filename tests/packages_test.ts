/**
 * Policy `packages`: resolved in the lock file (names, dependencies, pure
 * Python only, importable only where modules.allow says), fetched by the
 * host from a loopback index, checked against the lock file's sha256,
 * cached without half-written files, built into the snapshot, and never
 * installable by the script. Offline: the wheels are built here.
 */
import { equal, match, ok, rejects } from "assert";
import { join } from "node:path";
import { PolicyError, Sandbox, SandboxError } from "../mod.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import { loadLock, packageCacheDir, packageSource, resolvePackages } from "../src/host/packages.ts";
import { validatePolicy } from "../src/policy/load.ts";
import { buildWheel, lockFile, serveIndex } from "./helpers/wheels.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const ROOT = new URL("../", import.meta.url).pathname;
const dec = new TextDecoder();

const dep = await buildWheel({
  name: "pf-dep",
  version: "1.0",
  imports: ["pfdep"],
  files: { "pfdep/__init__.py": "VALUE = 41\n" },
});
const demo = await buildWheel({
  name: "pfdemo",
  version: "1.0",
  imports: ["pfdemo"],
  depends: ["pf-dep"],
  files: {
    "pfdemo/__init__.py": "import pfdep\n\ndef hello():\n    return pfdep.VALUE + 1\n",
    // Imported by nobody ahead: the run loads it from the wheel.
    "pfdemo/later.py": "WORD = 'loaded at run time'\n",
  },
});
// Served as built, but the lock file pins other bytes.
const tampered = await buildWheel({
  name: "pfbad",
  version: "1.0",
  imports: ["pfbad"],
  files: { "pfbad/__init__.py": "print('tampered')\n" },
});
const pinned = await buildWheel({
  name: "pfbad",
  version: "1.0",
  imports: ["pfbad"],
  files: { "pfbad/__init__.py": "print('pinned')\n" },
});
const away = await buildWheel({
  name: "pfaway",
  version: "1.0",
  imports: ["pfaway"],
  files: { "pfaway/__init__.py": "" },
});
const slow = await buildWheel({
  name: "pfslow",
  version: "1.0",
  imports: ["pfslow"],
  files: { "pfslow/__init__.py": "" },
});
const slowBytes = new Uint8Array(64 * 1024).fill(7);

const dir = await Deno.makeTempDir({ prefix: "pyfence-packages-" });
const LOCK = join(dir, "pyodide-lock.json");
await Deno.writeTextFile(
  LOCK,
  await lockFile([dep.entry, demo.entry, pinned.entry, away.entry, slow.entry]),
);
const POLICY = { version: 1 as const, packages: ["pfdemo"], modules: { allow: ["pfdemo"] } };

/** The cached file of a wheel with this sha256 and name. */
function cached(sha256: unknown, fileName: string): string {
  return join(packageCacheDir(), `${sha256}-${fileName}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every cache entry naming `fileName` (finished or temporary). */
async function cacheEntries(fileName: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(packageCacheDir())) {
      if (e.name.includes(fileName)) names.push(e.name);
    }
  } catch {
    // no cache directory yet
  }
  return names;
}

function cli(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output().then((o) => ({
    code: o.code,
    stdout: dec.decode(o.stdout),
    stderr: dec.decode(o.stderr),
  }));
}

Deno.test({
  name: "packages: the lock file resolves names and dependencies; every refusal names packages[i]",
  permissions: "inherit",
  fn: async () => {
    // Pyodide's own lock file, from the npm package: nothing is fetched.
    const lock = await loadLock(packageSource({}));
    const policy = (packages: string[], allow: string[]) =>
      validatePolicy({ version: 1, packages, modules: { allow } });
    const [six] = resolvePackages(policy(["six"], ["six"]), lock);
    equal(six.fileName, "six-1.17.0-py2.py3-none-any.whl");
    match(six.sha256, /^[0-9a-f]{64}$/);
    equal(six.listedAt, 0);
    // A dependency is installed, but the script may import only what is allowed.
    const dateutil = resolvePackages(policy(["python-dateutil"], ["dateutil"]), lock);
    const pulled = dateutil.find((p) => p.name === "six");
    equal(pulled?.requiredBy, "python-dateutil");
    equal(pulled?.importable.length, 0);

    const refused = (packages: string[], allow: string[], key: string, text: RegExp) => {
      try {
        resolvePackages(policy(packages, allow), lock);
      } catch (e) {
        ok(e instanceof PolicyError, String(e));
        equal(e.keyPath, key);
        match(e.message, text);
        return;
      }
      throw new Error(`${packages} was accepted`);
    };
    refused(["six", "numpyy"], ["six"], "packages[1]", /'numpyy' is not in .*did you mean 'numpy'/);
    refused(["numpy"], ["numpy"], "packages[0]", /not a pure-Python wheel \(numpy-.*\.whl\)/);
    refused(["bitstring"], ["bitstring"], "packages[0]", /'bitstring' needs 'bitarray'/);
    refused(["micropip"], ["micropip"], "packages[0]", /cannot install anything/);
    refused(["six"], ["json"], "packages[0]", /could not import it: allow 'six'/);
    refused(["six", "Six"], ["six"], "packages[1]", /same package as packages\[0\]/);
  },
});

Deno.test("packages: from a loopback index, built into the snapshot, refused when wrong", async (t) => {
  const index = serveIndex(
    {
      [dep.fileName]: dep.bytes,
      [demo.fileName]: demo.bytes,
      [tampered.fileName]: tampered.bytes,
      [slow.fileName]: slowBytes,
    },
    { [slow.fileName]: 1600 },
  );
  try {
    await t.step(
      "fetched with dependencies, checked, cached, preloaded; imports follow modules.allow",
      async () => {
        for (const w of [dep, demo]) {
          await Deno.remove(cached(w.entry.sha256, w.fileName)).catch(() => {});
        }
        const before = index.requests.length;
        const sandbox = new Sandbox({ policy: POLICY, packageIndex: index.url, packageLock: LOCK });
        const bare = new Sandbox(
          unguardedForTests({ policy: POLICY, packageIndex: index.url, packageLock: LOCK }),
        );
        try {
          await sandbox.prepare();
          // The dependency came along, each file once.
          equal(
            JSON.stringify(index.requests.slice(before).sort()),
            JSON.stringify([demo.fileName, dep.fileName].sort()),
          );
          for (const w of [dep, demo]) {
            const bytes = await Deno.readFile(cached(w.entry.sha256, w.fileName));
            equal(bytes.length, w.bytes.length);
          }
          const r = await sandbox.run(
            "import pfdemo\nprint(pfdemo.hello())\nfrom pfdemo import later\nprint(later.WORD)\n",
          );
          equal(r.stdout, "42\nloaded at run time\n", JSON.stringify(r));
          ok(r.ok);
          // Installed as a dependency, not allowed: the script cannot import it.
          const d = await sandbox.run("import pfdep\nprint(pfdep.VALUE)\n");
          equal(d.ok, false);
          equal(d.stdout, "");
          equal(d.error?.type, "ImportBlockedError");
          // Nothing can install more.
          const m = await sandbox.run("import micropip\n");
          equal(m.ok, false);
          equal(m.error?.type, "ImportBlockedError");
          // Built into the snapshot: imported before any script ran.
          const pre = await bare.run(
            "import sys\nprint('pfdemo' in sys.modules, 'pfdep' in sys.modules)\n",
          );
          equal(pre.stdout, "True True\n", JSON.stringify(pre));
          equal(index.requests.length - before, 2, "a run fetches nothing");
        } finally {
          await sandbox.close();
          await bare.close();
        }
      },
    );

    await t.step("unguarded, the worker cannot fetch a package itself (Deno layer)", async () => {
      const bare = new Sandbox(unguardedForTests({ policy: "default" }));
      const before = index.requests.length;
      try {
        // The wheel is one the host could fetch; the worker's net permission is its origin's.
        const r = await bare.run(
          "import pyodide_js\n" +
            `await pyodide_js.loadPackage(${JSON.stringify(index.url + demo.fileName)})\n` +
            "try:\n    import pfdemo\n    print('installed')\n" +
            "except ImportError:\n    print('not installed')\n",
        );
        match(r.stdout, /not installed\n$/, JSON.stringify(r));
        match(r.stderr, /Requires net access to "127\.0\.0\.1:\d+"|NotCapable/, r.stderr);
        equal(index.requests.length, before, "the index saw no request from the worker");
      } finally {
        await bare.close();
      }
    });

    await t.step(
      "cache warm in a new process reuses the cache (no request); explain shows them",
      async () => {
        const policyFile = join(dir, "with-packages.yaml");
        await Deno.writeTextFile(
          policyFile,
          "version: 1\npackages: [pfdemo]\nmodules: { allow: [pfdemo] }\n",
        );
        const flags = ["--package-index", index.url, "--package-lock", LOCK];
        const first = await cli(["cache", "warm", "--policy", policyFile, ...flags]);
        equal(first.code, 0, first.stderr);
        const before = index.requests.length;
        const second = await cli(["cache", "warm", "--policy", policyFile, ...flags]);
        equal(second.code, 0, second.stderr);
        match(second.stdout, /2 package\(s\) cached, snapshot ready/);
        equal(index.requests.length, before, "the second warm asked the index nothing");

        const explained = await cli([
          "policy",
          "explain",
          "--policy",
          policyFile,
          "--package-lock",
          LOCK,
          "--json",
        ]);
        equal(explained.code, 0, explained.stderr);
        const { packages, rows } = JSON.parse(explained.stdout);
        const byName = Object.fromEntries(
          packages.installed.map((p: { name: string }) => [p.name, p]),
        );
        equal(JSON.stringify(byName.pfdemo.importable), '["pfdemo"]');
        equal(JSON.stringify(byName["pf-dep"].importable), "[]");
        equal(byName["pf-dep"].requiredBy, "pfdemo");
        equal(byName.pfdemo.sha256, demo.entry.sha256);
        const row = rows.find((r: { capability: string }) => r.capability === "packages");
        match(row.guard, /^pfdemo 1\.0: import pfdemo; pf-dep 1\.0 \(for pfdemo\): installed, not/);
        match(row.deno, /sha256 checked against .*pyodide-lock\.json/);
      },
    );

    await t.step(
      "a file whose sha256 is not the lock file's is refused, and nothing is cached",
      async () => {
        const sandbox = new Sandbox({
          policy: { version: 1, packages: ["pfbad"], modules: { allow: ["pfbad"] } },
          packageIndex: index.url,
          packageLock: LOCK,
        });
        try {
          await rejects(sandbox.run("import pfbad\n"), (e) => {
            ok(e instanceof SandboxError, String(e));
            equal(e.reason, "packages");
            match(e.message, /package 'pfbad' \(pfbad-1\.0-py3-none-any\.whl\)/);
            match(e.message, /has sha256 [0-9a-f]{64}, but the lock file says [0-9a-f]{64}/);
            match(e.message, /nothing cached/);
            return true;
          });
          equal((await cacheEntries(tampered.fileName)).length, 0);
        } finally {
          await sandbox.close();
        }
      },
    );

    await t.step("a package not in the lock file is a PolicyError naming packages[i]", async () => {
      const sandbox = new Sandbox({
        policy: { version: 1, packages: ["pfdemo", "pfnothere"], modules: { allow: ["pfdemo"] } },
        packageIndex: index.url,
        packageLock: LOCK,
      });
      try {
        await rejects(sandbox.run("print(1)\n"), (e) => {
          ok(e instanceof PolicyError, String(e));
          equal(e.keyPath, "packages[1]");
          match(e.message, /'pfnothere' is not in lock file '.*pyodide-lock\.json'/);
          return true;
        });
      } finally {
        await sandbox.close();
      }
    });

    await t.step(
      "an unreachable index is a SandboxError naming the package, file and URL",
      async () => {
        await Deno.remove(cached(away.entry.sha256, away.fileName)).catch(() => {});
        const closed = serveIndex({});
        const url = closed.url;
        await closed.close();
        const sandbox = new Sandbox({
          policy: { version: 1, packages: ["pfaway"], modules: { allow: ["pfaway"] } },
          packageIndex: url,
          packageLock: LOCK,
        });
        try {
          await rejects(sandbox.prepare(), (e) => {
            ok(e instanceof SandboxError, String(e));
            equal(e.reason, "packages");
            match(e.message, /package 'pfaway' \(pfaway-1\.0-py3-none-any\.whl\): fetching http/);
            ok(e.message.includes(`${url}${away.fileName} failed`), e.message);
            return true;
          });
          ok(!(await exists(cached(away.entry.sha256, away.fileName))));
        } finally {
          await sandbox.close();
        }
      },
    );

    await t.step(
      "a long download shows its progress on a terminal, and the error after it",
      async () => {
        const policyFile = join(dir, "slow.yaml");
        await Deno.writeTextFile(
          policyFile,
          "version: 1\npackages: [pfslow]\nmodules: { allow: [pfslow] }\n",
        );
        const command = [
          Deno.execPath(),
          "run",
          "-A",
          CLI,
          "cache",
          "warm",
          "--policy",
          policyFile,
          "--package-index",
          index.url,
          "--package-lock",
          LOCK,
        ].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
        const out = await new Deno.Command("script", {
          args: ["-qec", command, "/dev/null"],
          cwd: ROOT,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = dec.decode(out.stdout);
        equal(out.code, 1, text);
        match(text, /pyfence: fetching pfslow-1\.0-py3-none-any\.whl… \d+\.\d \/ 0\.1 MiB/);
        match(text, /pyfence cache: package 'pfslow' .* nothing cached/);
        equal((await cacheEntries(slow.fileName)).length, 0);
      },
    );
  } finally {
    await index.close();
    await Deno.remove(dir, { recursive: true });
  }
});
