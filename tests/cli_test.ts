/**
 * The CLI as a user runs it: exit codes, --json output, clear usage errors.
 */
import { deepEqual, equal, match, ok } from "assert";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const ROOT = new URL("../", import.meta.url).pathname;

async function cli(args: string[], stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("cli: --help names every command and the exit codes", async () => {
  const r = await cli(["--help"]);
  equal(r.code, 0);
  for (
    const word of [
      "pyfence run",
      "pyfence check",
      "pyfence policy explain",
      "pyfence report",
      "pyfence cache",
      "Exit codes",
    ]
  ) {
    ok(r.stdout.includes(word), word);
  }
  const run = await cli(["run", "--help"]);
  for (const flag of ["--policy", "--origin", "--file", "--timeout", "--memory", "--json"]) {
    ok(run.stdout.includes(flag), flag);
  }
});

Deno.test("cli: usage errors exit 2 and name the argument", async () => {
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["run"], /SCRIPT: missing/],
    [["run", "no/such/file.py"], /cannot read 'no\/such\/file.py'/],
    [
      ["run", "--timeout", "soon", "examples/hello.py"],
      /--timeout: must be a positive integer, got 'soon'/,
    ],
    [["run", "--bogus", "examples/hello.py"], /--bogus/],
    [["run", "--policy", "nope", "examples/hello.py"], /nope/],
    [["run", "--origin", "ftp://x.example", "examples/hello.py"], /origin/],
    [["run", "--file", "noequals", "examples/hello.py"], /--file: expected NAME=PATH/],
    [["run", "--timeout", "999999", "examples/hello.py"], /only tighten/],
    [["policy", "frob"], /unknown action 'frob'/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    match(r.stderr, message);
  }
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
  const raised = await cli(["run", "-"], "print('before')\n1/0\n");
  equal(raised.code, 1);
  equal(raised.stdout, "before\n");
  match(raised.stderr, /ZeroDivisionError/);

  const blocked = await cli(["run", "examples/blocked.py"]);
  equal(blocked.code, 3);
  equal(blocked.stdout, "about to read /etc/passwd\n");
  match(blocked.stderr, /blocked filesystem/);

  const slow = await cli(["run", "--timeout", "500", "-"], "while True:\n    pass\n");
  equal(slow.code, 4);
  match(slow.stderr, /TimeoutError/);
});

Deno.test("cli: --file hands a host file to the script, read-only", async () => {
  const r = await cli(["run", "--file", "sales.csv=examples/sales.csv", "examples/csv_report.py"]);
  equal(r.code, 0, r.stderr);
  equal(r.stdout, " north: 270\n south: 175\n");
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

Deno.test("cli: check reports findings with line numbers and exits 3", async () => {
  const r = await cli(["check", "--json", "-"], "import json\nimport os\neval('1')\n");
  equal(r.code, 3, r.stderr);
  const result = JSON.parse(r.stdout);
  equal(result.ok, false);
  ok(
    result.findings.some((f: { line: number; kind: string }) =>
      f.line === 2 && f.kind === "import"
    ),
  );
  ok(result.findings.some((f: { line: number }) => f.line === 3));
  const clean = await cli(["check", "examples/hello.py"]);
  equal(clean.code, 0, clean.stdout + clean.stderr);
});

Deno.test("cli: --audit writes the trail and report summarises it", async () => {
  const dir = await Deno.makeTempDir();
  const trail = `${dir}/audit.jsonl`;
  try {
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
    deepEqual(summary.violationsByKind, { filesystem: 1 });
    const missing = await cli(["report", `${dir}/none.jsonl`]);
    equal(missing.code, 2);
    match(missing.stderr, /cannot read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: cache path names the snapshot directory", async () => {
  const r = await cli(["cache", "path"]);
  equal(r.code, 0);
  match(r.stdout, /pyfence/);
  const bad = await cli(["cache", "frob"]);
  equal(bad.code, 2);
  match(bad.stderr, /unknown action 'frob'/);
});
