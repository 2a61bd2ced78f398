/**
 * Files out: a policy with `filesystem.writable` gives the script a per-run
 * in-memory area for relative paths, within byte and file-count quotas; what
 * it wrote comes back as `result.files`. The path rule refuses absolute paths
 * and traversal; the host checks what comes back (names, count, bytes) as the
 * hostile input it is; `pyfence run --out DIR` writes under DIR only.
 */
import { deepEqual, equal, match, rejects } from "assert";
import { join } from "node:path";
import { Sandbox } from "../src/host/sandbox.ts";
import { RunRecorder } from "../src/host/recorder.ts";
import { writeOutDir } from "../src/cli/out_dir.ts";
import { hostEnd, type JobEvent } from "../src/host/process.ts";

const dec = new TextDecoder();
const text = (files: Record<string, Uint8Array> | undefined) =>
  Object.fromEntries(Object.entries(files ?? {}).map(([k, v]) => [k, dec.decode(v)]));

Deno.test({
  name: "the writable area, as the script sees it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const agent = new Sandbox({ policy: "agent", poolSize: 2 });
    const small = new Sandbox({
      policy: {
        version: 1,
        modules: { allow: ["json"] },
        filesystem: { writable: true },
        limits: { write_bytes: 1000, write_files: 3 },
      },
    });
    try {
      await t.step("written files come back, text and bytes, in nested directories", async () => {
        const r = await agent.run(
          "import json, csv\n" +
            "with open('out/report.csv', 'w', newline='') as f:\n" +
            "    csv.writer(f).writerows([['n', 'sq'], *[[i, i * i] for i in range(3)]])\n" +
            "open('data.bin', 'wb').write(bytes([0, 255, 1]))\n" +
            "with open('log.txt', 'a') as f:\n    f.write('one\\n')\n" +
            "with open('log.txt', 'a') as f:\n    f.write('two\\n')\n" +
            "json.dump({'k': [1]}, open('./out//k.json', 'w'))\n" +
            "unclosed = open('unclosed.txt', 'w')\nunclosed.write('kept')\n" +
            "print(open('log.txt').read().split(), open('in.csv').read())",
          { files: { "in.csv": "a,b\n" } },
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(r.stdout, "['one', 'two'] a,b\n\n");
        deepEqual(text(r.files), {
          "out/report.csv": "n,sq\r\n0,0\r\n1,1\r\n2,4\r\n",
          "log.txt": "one\ntwo\n",
          "out/k.json": '{"k": [1]}',
          "unclosed.txt": "kept",
          "data.bin": "\u0000\ufffd\u0001",
        });
        deepEqual([...r.files!["data.bin"]], [0, 255, 1]);
        // The caller's files are not part of what comes back, unless overwritten.
        const over = await agent.run("open('in.csv', 'w').write('new')", {
          files: { "in.csv": "old" },
        });
        deepEqual(text(over.files), { "in.csv": "new" });
      });

      await t.step("POSIX answers for existing names, modes and directories", async () => {
        const r = await agent.run(
          "import json\nout = {}\nopen('a.txt', 'w').close()\nopen('d/x.txt', 'w').close()\n" +
            "def attempt(label, fn):\n    try:\n        fn()\n        out[label] = 'ok'\n" +
            "    except Exception as e:\n        out[label] = type(e).__name__\n" +
            "attempt('x_existing', lambda: open('a.txt', 'x'))\n" +
            "attempt('read_missing', lambda: open('missing.txt'))\n" +
            "attempt('dir_as_file', lambda: open('d', 'w'))\n" +
            "attempt('file_as_dir', lambda: open('a.txt/y', 'w'))\n" +
            "attempt('bad_mode', lambda: open('m.txt', 'rw'))\n" +
            "attempt('str_to_binary', lambda: open('s.bin', 'wb').write('text'))\n" +
            "attempt('int_to_binary', lambda: open('i.bin', 'wb').write(10**9))\n" +
            "attempt('write_readonly', lambda: open('a.txt').write('x'))\n" +
            "attempt('long_name', lambda: open('x' * 256, 'w'))\n" +
            "print(json.dumps(out, sort_keys=True))",
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        deepEqual(JSON.parse(r.stdout), {
          bad_mode: "ValueError",
          dir_as_file: "IsADirectoryError",
          file_as_dir: "NotADirectoryError",
          int_to_binary: "TypeError",
          long_name: "OSError",
          read_missing: "FileNotFoundError",
          str_to_binary: "TypeError",
          write_readonly: "UnsupportedOperation",
          x_existing: "FileExistsError",
        });
        equal(r.violations.length, 0);
      });

      // One file-name rule for the host's files and the script's paths (file_names.ts).
      await t.step(
        "absolute paths, traversal, NUL and control characters are violations",
        async () => {
          for (
            const path of [
              "a/../../b",
              "../x",
              "/tmp/x",
              "C:/x",
              "a\\\\b",
              "a\\x00b",
              "a\\tb",
              "./../x",
            ]
          ) {
            const r = await agent.run(`open('${path}', 'w').write('x')\nprint('wrote')`);
            equal(r.ok, false, path);
            equal(r.stdout, "", path);
            equal(r.violations[0]?.kind, "filesystem", path);
            equal(r.files, undefined, path);
          }
        },
      );

      await t.step("quotas: files and bytes, as a full disk would say", async () => {
        const r = await small.run(
          "import json\nout = []\n" +
            "def attempt(fn):\n    try:\n        fn()\n        out.append('ok')\n" +
            "    except OSError as e:\n        out.append(str(e))\n" +
            "attempt(lambda: open('a', 'w').write('x' * 600))\n" +
            "attempt(lambda: open('b', 'w').write('y' * 600))\n" +
            "attempt(lambda: open('c', 'wb').write(b'z'))\n" +
            "attempt(lambda: open('d', 'w'))\n" +
            "attempt(lambda: open('a', 'w').write('shrunk'))\n" +
            "attempt(lambda: open('b', 'w').write('y' * 600))\n" +
            "print(json.dumps(out))",
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        const out: string[] = JSON.parse(r.stdout);
        equal(out[0], "ok");
        match(out[1], /Disk quota exceeded: the writable area holds at most 1000 bytes: 'b'/);
        equal(out[2], "ok");
        match(out[3], /at most 3 files: 'd'/);
        deepEqual(out.slice(4), ["ok", "ok"]);
        deepEqual(text(r.files), { a: "shrunk", b: "y".repeat(600), c: "z" });
        // A sparse write past the quota is refused before any memory is taken.
        const far = await small.run("f = open('far', 'wb')\nf.seek(10**9)\nf.write(b'x')");
        equal(far.error?.type, "OSError");
        match(far.error!.message, /Disk quota exceeded/);
      });

      await t.step("a violation voids the files; a script error keeps them", async () => {
        const violated = await agent.run("open('a.txt', 'w').write('x')\nopen('/etc/passwd')");
        equal(violated.ok, false);
        equal(violated.files, undefined);
        const failed = await agent.run("open('a.txt', 'w').write('x')\n1 / 0");
        equal(failed.error?.type, "ZeroDivisionError");
        deepEqual(text(failed.files), { "a.txt": "x" });
      });

      await t.step("default keeps 'no file creation'", async () => {
        const sandbox = new Sandbox({ policy: "default" });
        try {
          const r = await sandbox.run("open('a.txt', 'w')\nprint('wrote')");
          equal(r.ok, false);
          equal(r.stdout, "");
          equal(r.violations[0].kind, "filesystem");
          match(r.violations[0].detail, /read-only/);
        } finally {
          await sandbox.close();
        }
      });
    } finally {
      await Promise.all([agent.close(), small.close()]);
    }
  },
});

/** A recorder of a writable policy (3 files, 10 bytes) fed `events`, finished ok. */
function record(events: JobEvent[], writable = true) {
  const recorder = new RunRecorder({
    outputBytes: 1000,
    terminateOnViolation: true,
    writable: writable ? { bytes: 10, files: 3 } : undefined,
  });
  // A breach sign ends the job there: the process handle kills the process.
  const signs: string[] = [];
  for (const e of events) {
    const sign = recorder.accept(e);
    if (sign) {
      signs.push(sign);
      break;
    }
  }
  return recorder.finish(hostEnd({ t: "done", ok: true, wasmBytes: 0 }, { breaches: signs }));
}
const file = (path: string, data: string): JobEvent => ({ t: "file", path, data: btoa(data) });

Deno.test("the host checks what comes back: names, count, bytes, order", () => {
  deepEqual(text(record([file("a/b.txt", "hi"), file("a/b.txt", "!"), file("c", "")]).files), {
    "a/b.txt": "hi!",
    c: "",
  });
  const breaches: [JobEvent[], RegExp][] = [
    [[file("../x", "a")], /named "\.\.\/x"/],
    [[file("/etc/x", "a")], /named "\/etc\/x"/],
    [[file("a//b", "a")], /named "a\/\/b"/],
    [[file("a\u0000b", "a")], /named/],
    [[file("a\nb", "a")], /named/],
    [[file("x".repeat(300), "a")], /named/],
    [[file("a", "1"), file("b", "2"), file("a", "3")], /'a' sent twice/],
    [[file("a", "1"), file("b", "2"), file("c", "3"), file("d", "4")], /more than 3 written files/],
    [[file("a", "123456"), file("b", "123456")], /more than 10 bytes/],
    [[file("a", "1"), file("a/b", "2")], /a file and a directory at once/],
    [[{ t: "file", path: "a", data: "!!!" }], /not valid base64/],
  ];
  for (const [events, why] of breaches) {
    const r = record(events);
    equal(r.ok, false);
    equal(r.error?.type, "SandboxBreach");
    equal(r.violations.at(-1)?.kind, "breach");
    match(r.error!.message, why);
    equal(r.files, undefined);
  }
  // No writable area: any file is a breach.
  equal(record([file("a", "x")], false).error?.type, "SandboxBreach");
  // After a terminating violation, nothing written counts.
  const voided = record([
    { t: "violation", kind: "filesystem", detail: "x" },
    file("a", "x"),
  ]);
  equal(voided.files, undefined);
});

Deno.test("--out: under DIR only, never through a link, each file whole or not at all", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pyfence-out-" });
  const outside = await Deno.makeTempDir({ prefix: "pyfence-outside-" });
  const bytes = (s: string) => new TextEncoder().encode(s);
  try {
    deepEqual(await writeOutDir(dir, { "r/a.txt": bytes("A"), "b.txt": bytes("B") }), [
      "b.txt",
      "r/a.txt",
    ]);
    equal(await Deno.readTextFile(join(dir, "r/a.txt")), "A");
    for (const name of ["../escape.txt", "/abs.txt", "a/../../b", "a\u0000b", "a\\..\\b"]) {
      await rejects(writeOutDir(dir, { [name]: bytes("x") }), /refusing the file name/);
    }
    // A symbolic link inside DIR never leads the write outside it.
    await Deno.symlink(outside, join(dir, "link"));
    await rejects(writeOutDir(dir, { "link/x.txt": bytes("x") }), /'link' is a symbolic link/);
    deepEqual([...Deno.readDirSync(outside)], []);
    // A failure part-way leaves no half-written file and says what was written.
    await Deno.mkdir(join(dir, "taken"));
    await rejects(
      writeOutDir(dir, { "a.txt": bytes("new"), "taken": bytes("x") }),
      /'taken' is a directory \(written before it: a\.txt\)/,
    );
    equal(await Deno.readTextFile(join(dir, "a.txt")), "new");
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    deepEqual(names, ["a.txt", "b.txt", "link", "r", "taken"], "no staging directory is left");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;

async function cli(args: string[], stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
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
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  name: "pyfence run: --input, --inputs, --out and the JSON result",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pyfence-cli-out-" });
    try {
      await Deno.writeTextFile(join(dir, "in.json"), '{"factor": 10}');
      const script = "total = sum(rows) * factor\n" +
        "open('report/total.txt', 'w').write(f'{title}: {total}')\n{'total': total}";
      const out = join(dir, "out");
      const r = await cli([
        "run",
        "--policy",
        "agent",
        "--json",
        "--input",
        "rows=[1,2,3]",
        "--input",
        'title="Q3"',
        "--inputs",
        join(dir, "in.json"),
        "--out",
        out,
        "-",
      ], script);
      equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      deepEqual(json.value, { total: 60 });
      deepEqual(json.files, { "report/total.txt": btoa("Q3: 60") });
      equal(await Deno.readTextFile(join(out, "report/total.txt")), "Q3: 60");

      const text = await cli(["run", "--policy", "agent", "-"], "open('a.txt', 'w').write('x')");
      equal(text.code, 0, text.stderr);
      match(text.stderr, /the script wrote 1 file\(s\) \(a\.txt\); give --out DIR to keep them/);

      const errors: [string[], RegExp][] = [
        [["--input", "rows"], /--input: expected NAME=JSON, got 'rows'/],
        [["--input", "title=Q3"], /--input: the value of 'title' is not JSON .*'title="Q3"'/],
        [["--input", "print=1"], /--input: 'print': the name would shadow the builtin 'print'/],
        [["--input", "a=1", "--input", "a=2"], /--input: 'a' is given twice/],
        [["--inputs", join(dir, "missing.json")], /--inputs: .*cannot be read/],
        [["--out", out, "--policy", "default"], /--out: the policy 'default' has no writable area/],
      ];
      for (const [args, why] of errors) {
        const e = await cli(["run", ...args, "-"], "print(1)");
        equal(e.code, 2, `${args}: ${e.stderr}`);
        match(e.stderr, why);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
