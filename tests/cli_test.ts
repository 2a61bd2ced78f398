/**
 * The CLI as a user runs it: exit codes, --json output, clear usage errors,
 * terminals and pipes, host inputs, and no process left behind.
 */
import { deepEqual, equal, match, ok } from "assert";
import { descendants } from "./helpers/procfs.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const ROOT = new URL("../", import.meta.url).pathname;
const dec = new TextDecoder();

interface CliOptions {
  stdin?: string;
  env?: Record<string, string>;
}

function spawn(args: string[], { stdin, env }: CliOptions = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    env,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function cli(args: string[], options: CliOptions = {}) {
  const child = spawn(args, options);
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The CLI on a pseudo-terminal (via util-linux `script`): stdout and stderr merged. */
async function tty(args: string[], env: Record<string, string> = {}) {
  const command = [Deno.execPath(), "run", "-A", CLI, ...args]
    .map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, output: dec.decode(out.stdout) };
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "pyfence-cli-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("cli: --help names every command and the exit codes", async () => {
  const r = await cli(["--help"]);
  equal(r.code, 0);
  for (
    const word of [
      "pyfence run",
      "pyfence check",
      "pyfence policy explain",
      "pyfence policy list",
      "pyfence report",
      "pyfence cache path|clear|warm",
      "pyfence serve",
      "pyfence mcp",
      "pyfence --version",
      "Exit codes",
    ]
  ) {
    ok(r.stdout.includes(word), word);
  }
});

Deno.test("cli: every command has complete --help, also as 'pyfence help COMMAND'", async () => {
  const flags: Record<string, string[]> = {
    run: ["--policy", "--origin", "--file", "--timeout", "--memory", "--json", "--audit"],
    check: ["--policy", "--json"],
    policy: ["explain", "list", "--policy", "--origin", "--json"],
    report: ["--format", "--json", "html"],
    cache: ["path", "clear", "warm", "--policy"],
    serve: ["--port", "--hostname", "--origin", "--policy", "--config", "PYFENCE_TOKEN", "SIGTERM"],
    mcp: ["--origin", "--policy", "stdio", "PYFENCE_ORIGIN"],
    help: ["COMMAND"],
  };
  for (const [command, words] of Object.entries(flags)) {
    for (const args of [[command, "--help"], ["help", command]]) {
      const r = await cli(args);
      equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      ok(r.stdout.startsWith(`Usage: pyfence ${command}`), `${args.join(" ")}: ${r.stdout}`);
      for (const word of words) ok(r.stdout.includes(word), `${command} --help lacks ${word}`);
    }
  }
});

Deno.test("cli: --version names pyfence, Deno, Pyodide and Python", async () => {
  const r = await cli(["--version"]);
  equal(r.code, 0, r.stderr);
  match(
    r.stdout,
    /^pyfence \d+\.\d+\.\d+ \(Deno \d+\.\d+\.\d+, Pyodide 314\.0\.7, Python 3\.\d+\.\d+\)\n$/,
  );
});

Deno.test("cli: usage errors exit 2 and name the argument", async () => {
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["run"], /SCRIPT: missing/],
    [["run", "no/such/file.py"], /SCRIPT: 'no\/such\/file.py' cannot be read/],
    [
      ["run", "--timeout", "soon", "examples/hello.py"],
      /--timeout: must be a positive integer, got 'soon'/,
    ],
    [["run", "--bogus", "examples/hello.py"], /--bogus: unknown option/],
    [["run", "--policy", "nope", "examples/hello.py"], /unknown policy 'nope'/],
    [["run", "--origin", "ftp://x.example", "examples/hello.py"], /^pyfence run: --origin: /],
    [["run", "--file", "noequals", "examples/hello.py"], /--file: expected NAME=PATH/],
    [["policy", "frob"], /unknown action 'frob'/],
    [["cache", "frob"], /unknown action 'frob'/],
    [["report", "--format", "pdf", "x.jsonl"], /--format: unknown format 'pdf'/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    match(r.stderr, message);
    equal(r.stdout, "", args.join(" "));
  }
});

Deno.test("cli: a looser --timeout names the flag, not the library option", async () => {
  const r = await cli(["run", "--timeout", "99999", "examples/hello.py"]);
  equal(r.code, 2);
  match(r.stderr, /^pyfence run: --timeout: 99999 ms is looser than the policy's limit of 5000 ms/);
  ok(!r.stderr.includes("timeoutMs"), r.stderr);
  const memory = await cli(["run", "--memory", "100000", "examples/hello.py"]);
  equal(memory.code, 2);
  match(memory.stderr, /^pyfence run: --memory: /);
});

Deno.test("cli: 'did you mean' for flags, commands, actions and policies", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["run", "--polcy", "strict", "examples/hello.py"],
      /--polcy: unknown option \(did you mean '--policy'\?\)/,
    ],
    [["chek", "examples/hello.py"], /unknown command 'chek' \(did you mean 'check'\?\)/],
    [["policy", "lst"], /unknown action 'lst' \(did you mean 'list'\?\)/],
    [
      ["run", "--policy", "strct", "examples/hello.py"],
      /unknown policy 'strct' \(did you mean 'strict'\?\)/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    equal(r.code, 2, args.join(" "));
    match(r.stderr, message);
  }
});

Deno.test("cli: 'policy' alone prints one clear usage; 'policy list' lists the built-ins", async () => {
  const r = await cli(["policy"]);
  equal(r.code, 2);
  equal(r.stderr.split("\n")[0], "pyfence policy: ACTION: missing (expected: explain, list)");
  equal(r.stderr.match(/pyfence policy:/g)?.length, 1, r.stderr);
  match(r.stderr, /Usage: pyfence policy explain .*\n\s+pyfence policy list/);

  const list = await cli(["policy", "list"]);
  equal(list.code, 0, list.stderr);
  deepEqual(list.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]), [
    "compute",
    "default",
    "strict",
  ]);
  const json = JSON.parse((await cli(["policy", "list", "--json"])).stdout);
  equal(json.find((p: { name: string }) => p.name === "strict").description.length > 0, true);
});

Deno.test("cli: with --json, usage and policy errors are one JSON object on stdout", async () => {
  const usage = await cli(["run", "--json", "--timeout", "99999", "examples/hello.py"]);
  equal(usage.code, 2);
  equal(usage.stderr, "");
  const { error } = JSON.parse(usage.stdout);
  equal(error.code, "usage");
  equal(error.argument, "--timeout");
  match(error.message, /looser/);

  const policy = await cli(["check", "--json", "--policy", "nope", "examples/hello.py"]);
  equal(policy.code, 2);
  equal(policy.stderr, "");
  equal(JSON.parse(policy.stdout).error.code, "policy");

  const missing = await cli(["run", "--json"]);
  deepEqual(JSON.parse(missing.stdout).error.argument, "SCRIPT");
});

Deno.test("cli: a snapshot that cannot be built is a SandboxError, exit 1, no stack trace", async () => {
  const env = { PYFENCE_CACHE_DIR: "/dev/null/pyfence" };
  const json = await cli(["run", "--json", "examples/hello.py"], { env });
  equal(json.code, 1);
  const { error } = JSON.parse(json.stdout);
  deepEqual([error.code, error.reason], ["sandbox", "snapshot"]);
  match(error.message, /^building the interpreter snapshot failed: /);
  const text = await cli(["run", "examples/hello.py"], { env });
  equal(text.code, 1);
  match(text.stderr, /^pyfence run: building the interpreter snapshot failed: .*\n$/s);
  ok(!/\n\s+at /.test(text.stderr), text.stderr);
});

Deno.test("cli: run --json prints exactly one RunResult", async () => {
  const r = await cli(["run", "--json", "--origin", "https://a.example", "examples/hello.py"]);
  equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  equal(result.ok, true);
  equal(
    result.stdout,
    'squares: {"1": 1, "2": 4, "3": 9, "4": 16, "5": 25}\npi to 6 places: 3.141593\n',
  );
  deepEqual(result.violations, []);
  equal(typeof result.durationMs, "number");
});

Deno.test("cli: exit codes 1, 3, 4 and pass-through output", async () => {
  const raised = await cli(["run", "-"], { stdin: "print('before')\n1/0\n" });
  equal(raised.code, 1);
  equal(raised.stdout, "before\n");
  match(raised.stderr, /ZeroDivisionError/);

  const blocked = await cli(["run", "examples/blocked.py"]);
  equal(blocked.code, 3);
  equal(blocked.stdout, "about to read /etc/passwd\n");
  match(blocked.stderr, /blocked filesystem/);

  const slow = await cli(["run", "--timeout", "500", "-"], { stdin: "while True:\n    pass\n" });
  equal(slow.code, 4);
  match(slow.stderr, /TimeoutError/);
});

Deno.test("cli: a syntax error is the script's SyntaxError (exit 1), not a violation", async () => {
  await withTempDir(async (dir) => {
    const trail = `${dir}/audit.jsonl`;
    const r = await cli(["run", "--json", "--audit", trail, "-"], { stdin: "print('a'\n" });
    equal(r.code, 1, r.stdout);
    const result = JSON.parse(r.stdout);
    equal(result.error.type, "SyntaxError");
    deepEqual(result.violations, []);
    const types = (await Deno.readTextFile(trail)).trim().split("\n").map((l) =>
      JSON.parse(l).type
    );
    deepEqual(types, ["run.start", "run.end"]);
  });
});

Deno.test("cli: a reader that goes away ends the output quietly", async () => {
  for (const args of [["run", "--json", "-"], ["run", "-"]]) {
    const child = spawn(args, { stdin: "" });
    const w = child.stdin.getWriter();
    // Far more than a pipe buffer (64 KiB), so the CLI is still writing when the reader leaves.
    await w.write(new TextEncoder().encode("print('x' * 400000)\n"));
    await w.close();
    const reader = child.stdout.getReader();
    let got = 0;
    while (got < 300) got += (await reader.read()).value?.length ?? 300;
    await reader.cancel();
    const stderr = dec.decode(await new Response(child.stderr).arrayBuffer());
    const status = await child.status;
    equal(status.code, 0, `${args.join(" ")}: ${stderr}`);
    equal(stderr, "", args.join(" "));
  }
});

Deno.test("cli: --audit to a path that cannot be written fails before the script runs", async () => {
  const r = await cli(["run", "--audit", "/nonexistent/dir/a.jsonl", "-"], {
    stdin: "print('ran')\n",
  });
  equal(r.code, 2);
  equal(r.stdout, "", "the script must not run");
  equal(r.stderr.split("\n").filter(Boolean).length, 1, r.stderr);
  match(r.stderr, /^pyfence run: --audit: cannot append to '\/nonexistent\/dir\/a.jsonl': /);
});

Deno.test("cli: --file refuses what is not a regular file, and caps the size", async () => {
  await withTempDir(async (dir) => {
    const fifo = `${dir}/fifo`;
    equal((await new Deno.Command("mkfifo", { args: [fifo] }).output()).code, 0);
    const big = `${dir}/big.bin`;
    await Deno.writeFile(big, new Uint8Array());
    await Deno.truncate(big, 32 * 1024 * 1024 + 1); // sparse: no disk used
    const cases: [string, RegExp][] = [
      [fifo, /^pyfence run: --file: '.*\/fifo' is not a regular file$/m],
      ["/dev/zero", /^pyfence run: --file: '\/dev\/zero' is not a regular file$/m],
      [dir, /^pyfence run: --file: '.*' is not a regular file$/m],
      [big, /^pyfence run: --file: '.*big.bin' is 33554433 bytes; the limit is 33554432$/m],
    ];
    for (const [path, message] of cases) {
      const started = Date.now();
      const r = await cli(["run", "--file", `x=${path}`, "examples/hello.py"]);
      equal(r.code, 2, `${path}: ${r.stderr}`);
      match(r.stderr, message);
      ok(Date.now() - started < 10_000, `${path} took ${Date.now() - started} ms`);
    }
  });
});

Deno.test("cli: --file hands a host file to the script, read-only", async () => {
  const r = await cli(["run", "--file", "sales.csv=examples/sales.csv", "examples/csv_report.py"]);
  equal(r.code, 0, r.stderr);
  equal(r.stdout, " north: 270\n south: 175\n");
});

Deno.test("cli: script text cannot drive the terminal or forge lines", async () => {
  const ESC = "\x1b";
  const script = [
    `print("\\x1b]0;owned\\x07\\x1b[2Jstill here\\rX")`,
    `open("/etc/\\x1b[31mred\\nforged line")`,
  ].join("\n");
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/hostile.py`, script);
    // To a pipe, the script's own output stays exact.
    const piped = await cli(["run", `${dir}/hostile.py`]);
    equal(piped.code, 3);
    equal(piped.stdout, `${ESC}]0;owned\x07${ESC}[2Jstill here\rX\n`);
    // The violation report is one inert line, even on a pipe.
    ok(!piped.stderr.includes(ESC), JSON.stringify(piped.stderr));
    match(piped.stderr, /^pyfence: blocked filesystem: .*\\x1b\[31mred\\nforged line.*$/m);
    ok(!/^forged line/m.test(piped.stderr));
    // On a terminal, the script's output is shown inert too.
    const term = await tty(["run", `${dir}/hostile.py`]);
    equal(term.code, 3);
    ok(!term.output.includes(ESC), JSON.stringify(term.output));
    ok(term.output.includes("\\x1b]0;owned\\x07\\x1b[2Jstill here\\rX"), term.output);
  });
  const raised = await cli(["run", "-"], {
    stdin: `raise ValueError("a\\nTraceback: fake\\x1b[2J")\n`,
  });
  equal(raised.code, 1);
  ok(!raised.stderr.includes(ESC));
  match(raised.stderr, /^ValueError: a\\nTraceback: fake\\x1b\[2J$/m);
});

Deno.test("cli: policy explain shows the exact worker permissions", async () => {
  const r = await cli(["policy", "explain", "--origin", "https://a.example/app/x.py", "--json"]);
  equal(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout);
  deepEqual(e.deno, {
    read: false,
    write: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
    import: false,
    net: ["a.example:443"],
  });
  ok(e.processFlags.includes("--allow-net=a.example:443"));
  const text = await cli(["policy", "explain"]);
  equal(text.code, 0);
  match(text.stdout, /net: false/);
});

Deno.test("cli: check reports findings with 1-based line and column, exit 3", async () => {
  const r = await cli(["check", "--json", "-"], {
    stdin: "import json\nx = 1; import os\neval('1')\n",
  });
  equal(r.code, 3, r.stderr);
  const result = JSON.parse(r.stdout);
  equal(result.ok, false);
  const imp = result.findings.find((f: { kind: string }) => f.kind === "import");
  deepEqual([imp.line, imp.col], [2, 8]);
  ok(result.findings.some((f: { line: number; col: number }) => f.line === 3 && f.col === 1));
  const text = await cli(["check", "-"], { stdin: "import os\n" });
  match(text.stdout, /^-:1:1: import: /);
  const clean = await cli(["check", "examples/hello.py"]);
  equal(clean.code, 0, clean.stdout + clean.stderr);
});

Deno.test("cli: --audit writes the trail and report summarises it", async () => {
  await withTempDir(async (dir) => {
    const trail = `${dir}/audit.jsonl`;
    const blocked = await cli(["run", "--audit", trail, "examples/blocked.py"]);
    equal(blocked.code, 3);
    const hello = await cli(["run", "--audit", trail, "examples/hello.py"]);
    equal(hello.code, 0);
    const events = (await Deno.readTextFile(trail)).trim().split("\n").map((l) => JSON.parse(l));
    deepEqual(events.map((e) => e.type), [
      "run.start",
      "violation",
      "run.end",
      "run.start",
      "run.end",
    ]);
    equal(events[1].violation.kind, "filesystem");
    equal(events[0].codeSha256.length, 64);
    const report = await cli(["report", "--json", trail]);
    equal(report.code, 0, report.stderr);
    const summary = JSON.parse(report.stdout);
    equal(summary.runs, 2);
    equal(summary.ok, 1);
    deepEqual(summary.violationsByKind, [{ key: "filesystem", count: 1 }]);
    deepEqual(JSON.parse((await cli(["report", "--format", "json", trail])).stdout), summary);
    const missing = await cli(["report", `${dir}/none.jsonl`]);
    equal(missing.code, 2);
    match(missing.stderr, /cannot read/);
  });
});

Deno.test("cli: report counts names like __proto__ and shows hostile text inert (text, html)", async () => {
  await withTempDir(async (dir) => {
    const trail = `${dir}/audit.jsonl`;
    for (
      const code of [
        "class constructor(Exception): pass\nraise constructor()",
        `open("/x\\x1b[2J\\r<script>alert(1)</script>")`,
      ]
    ) {
      await cli(["run", "--audit", trail, "-"], { stdin: code });
    }
    // The guard refuses a class named __proto__; a trail is only text, so write its events.
    for (const runId of ["p1", "p2"]) {
      await Deno.writeTextFile(
        trail,
        JSON.stringify({ type: "run.start", runId, origin: "null" }) + "\n" +
          JSON.stringify({
            type: "run.end",
            runId,
            origin: "null",
            ok: false,
            errorType: "__proto__",
          }) +
          "\n",
        { append: true },
      );
    }
    const summary = JSON.parse((await cli(["report", "--json", trail])).stdout);
    equal(summary.runs, 4);
    deepEqual(
      summary.errors.filter((c: { key: string }) => c.key !== "SecurityError"),
      [{ key: "__proto__", count: 2 }, { key: "constructor", count: 1 }],
    );
    const text = await cli(["report", trail]);
    equal(text.code, 0);
    ok(!text.stdout.includes("\x1b") && !text.stdout.includes("\r"), JSON.stringify(text.stdout));
    match(text.stdout, /\[filesystem\] .*\\x1b\[2J\\r<script>/);
    const html = await cli(["report", "--format", "html", trail]);
    equal(html.code, 0);
    match(html.stdout, /^<!doctype html>/);
    ok(!html.stdout.includes("<script>"), "markup from a script must be escaped");
    match(html.stdout, /\\x1b\[2J\\r&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });
});

Deno.test("cli: the sandbox process has ended when the CLI exits", async () => {
  const child = spawn(["run", "-"], { stdin: "" });
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode("for i in range(3 * 10**6):\n    pass\nprint('done')\n"));
  await w.close();
  const seen = new Set<number>();
  const watching = (async () => {
    for (let i = 0; i < 400; i++) {
      for (const pid of descendants(child.pid)) seen.add(pid);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const out = await child.output();
  equal(dec.decode(out.stdout), "done\n", dec.decode(out.stderr));
  ok(seen.size > 0, "the sandbox process was never seen");
  const alive = [...seen].filter((pid) => {
    try {
      return !/^\d+ \(.*\) Z/.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
    } catch {
      return false;
    }
  });
  deepEqual(alive, [], "sandbox processes outlived the CLI");
  await watching.catch(() => {});
});

Deno.test("cli: cache warm builds snapshots ahead; progress only on a terminal, never with --json", async () => {
  await withTempDir(async (cache) => {
    const env = { PYFENCE_CACHE_DIR: cache };
    const snapshots = async () => {
      const names: string[] = [];
      for await (const e of Deno.readDir(cache)) if (e.name.endsWith(".bin")) names.push(e.name);
      return names;
    };
    // A terminal and --json: the snapshot is built, and nothing but the result is printed.
    const quiet = await tty(["run", "--json", "--policy", "strict", "examples/hello.py"], env);
    ok(!quiet.output.includes("building"), quiet.output);
    equal(JSON.parse(quiet.output).ok, true);
    equal((await snapshots()).length, 1);

    equal((await cli(["cache", "clear"], { env })).code, 0);
    const progress = await tty(["run", "--policy", "strict", "examples/blocked.py"], env);
    match(progress.output, /pyfence: building the interpreter snapshot for policy 'strict'/);

    equal((await cli(["cache", "clear"], { env })).code, 0);
    const warm = await cli(["cache", "warm", "--policy", "strict"], { env });
    equal(warm.code, 0, warm.stderr);
    match(warm.stdout, /^policy 'strict': snapshot ready \(\d+\.\d s\)$/m);
    equal(warm.stderr, "", "no progress on a pipe");
    equal((await snapshots()).length, 1);
    // Built ahead: the next run finds it and builds nothing.
    const after = await tty(["run", "--policy", "strict", "examples/blocked.py"], env);
    ok(!after.output.includes("building"), after.output);
  });
});
