/**
 * pyfence as a consumer gets it: a project outside the checkout, with its own
 * `deno.json` that says nothing (no import map, no `unstable`), imports the
 * package from a local JSR registry (`JSR_URL`) and by plain URL, and uses
 * `run()`, `Sandbox`, the CLI's `main()`, `deno run jsr:…/cli` and
 * `deno serve jsr:…/serve`.
 */
import { deepEqual, equal, ok } from "assert";
import { bareSpecifiers, startRegistry } from "./helpers/registry.ts";

Deno.test("consumer: published modules import no bare specifiers (JSR would unfurl them; a URL import cannot)", async () => {
  const found = await bareSpecifiers();
  // Use fully qualified npm: specifiers instead (README, "Install").
  deepEqual(found, [], `bare specifiers:\n${found.join("\n")}`);
});

/** The consumer's program: everything a caller touches, printed as one JSON line at the end. */
function consumerProgram(mod: string, cli: string): string {
  return `import { run, Sandbox, shutdown, UsageError } from ${JSON.stringify(mod)};
import { main } from ${JSON.stringify(cli)};

const summary: Record<string, unknown> = {};
const r = await run("import json\\nprint(json.dumps({'a': 1}))", { origin: "https://a.example" });
summary.run = r.stdout;
const sandbox = new Sandbox({ policy: "strict", poolSize: 1 });
try {
  summary.sandbox = (await sandbox.run("print(6 * 7)")).stdout;
  summary.blocked = (await sandbox.run("import os")).error?.type;
} finally {
  await sandbox.close();
}
try {
  // @ts-expect-error: misspelt on purpose
  new Sandbox({ polcy: "strict" });
} catch (e) {
  summary.usageError = e instanceof UsageError;
}
await shutdown();
summary.cli = await main(["run", "--json", "hello.py"]);
console.log(JSON.stringify(summary));
`;
}

async function deno(args: string[], cwd: string, env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("consumer: a project outside the checkout uses pyfence from JSR and from a URL", async (t) => {
  const registry = await startRegistry();
  const dir = await Deno.makeTempDir({ prefix: "pyfence-consumer-" });
  try {
    // The consumer's own configuration says nothing at all.
    await Deno.writeTextFile(`${dir}/deno.json`, "{}\n");
    await Deno.writeTextFile(`${dir}/hello.py`, "print('hello from the cli')\n");
    const env = { JSR_URL: registry.url };
    const expected = {
      run: '{"a": 1}\n',
      sandbox: "42\n",
      blocked: "ImportBlockedError",
      usageError: true,
      cli: 0,
    };
    const check = (r: { code: number; stdout: string; stderr: string }) => {
      equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split("\n");
      deepEqual(JSON.parse(lines[lines.length - 1]), expected);
      equal(JSON.parse(lines[0]).stdout, "hello from the cli\n", "main() printed its RunResult");
    };

    await t.step("jsr:@pyfence/pyfence with JSR_URL", async () => {
      await Deno.writeTextFile(
        `${dir}/jsr.ts`,
        consumerProgram("jsr:@pyfence/pyfence", "jsr:@pyfence/pyfence/cli"),
      );
      check(await deno(["run", "-A", "jsr.ts"], dir, env));
      ok(registry.requests.includes("/@pyfence/pyfence/meta.json"));
    });

    await t.step("a plain URL import", async () => {
      await Deno.writeTextFile(
        `${dir}/url.ts`,
        consumerProgram(registry.fileUrl("mod.ts"), registry.fileUrl("src/cli/main.ts")),
      );
      check(await deno(["run", "-A", "url.ts"], dir, {}));
    });

    await t.step("deno run -A jsr:@pyfence/pyfence/cli", async () => {
      const version = await deno(["run", "-A", "jsr:@pyfence/pyfence/cli", "--version"], dir, env);
      equal(version.code, 0, version.stderr);
      ok(version.stdout.startsWith("pyfence "), version.stdout);
      const r = await deno(["run", "-A", "jsr:@pyfence/pyfence/cli", "run", "hello.py"], dir, env);
      equal(r.code, 0, r.stderr);
      equal(r.stdout, "hello from the cli\n");
    });

    await t.step("deno serve -A jsr:@pyfence/pyfence/serve", async () => {
      const token = "consumer-token-0123456789";
      const server = new Deno.Command(Deno.execPath(), {
        args: ["serve", "-A", "--host", "127.0.0.1", "--port", "0", "jsr:@pyfence/pyfence/serve"],
        cwd: dir,
        env: { NO_COLOR: "1", ...env, PYFENCE_TOKEN: token },
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const reader = server.stderr.pipeThrough(new TextDecoderStream()).getReader();
      let log = "";
      const timer = setTimeout(() => server.kill(), 120_000);
      try {
        while (!/listening on 127\.0\.0\.1:\d+/.test(log)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`deno serve ended: ${log}`);
          log += value;
        }
        const port = /listening on 127\.0\.0\.1:(\d+)/.exec(log)![1];
        const response = await fetch(`http://127.0.0.1:${port}/v1/run`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ code: "print(6 * 7)" }),
        });
        equal((await response.json()).stdout, "42\n");
        server.kill("SIGTERM");
        equal((await server.status).code, 0, log);
      } finally {
        clearTimeout(timer);
        await reader.cancel();
      }
    });
  } finally {
    await registry.close();
    await Deno.remove(dir, { recursive: true });
  }
});
