/**
 * One unit for every cap (issues 8 and 10): whatever a script sends (output
 * of any shape under the cap, names, tracebacks, violation details,
 * findings), it reaches the result cut to the protocol's byte caps, never
 * as a WorkerCrash; web responses are held to the same limits as json.
 */
import { deepEqual, equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { CAPS, utf8Bytes } from "../src/protocol/caps.ts";
import { startServers } from "./helpers/servers.ts";

Deno.test({
  name: "caps: a script's output, names and details arrive cut, never as a crash",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandbox = new Sandbox({ policy: "default" });
    const compute = new Sandbox({ policy: "compute" });
    try {
      await t.step(
        "one write of ~1 MiB of control characters (6 MiB escaped) is delivered",
        async () => {
          const n = 1024 * 1024 - 16;
          const r = await sandbox.run(`print("\\x01" * ${n}, end="")`);
          equal(r.error, undefined, JSON.stringify(r.error));
          equal(r.ok, true);
          equal(r.stdout.length, n);
          ok(r.stdout === "\x01".repeat(n));
        },
      );
      await t.step("one print of 1.1 MB under compute is delivered", async () => {
        const r = await compute.run(`print("x" * 1_100_000)`);
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(r.stdout.length, 1_100_001);
      });
      await t.step(
        "an exception class renamed to 'x y' is reported under a valid name",
        async () => {
          const r = await sandbox.run(
            `class E(ValueError):\n    pass\nE.__name__ = "x y"\nraise E("boom")`,
          );
          equal(r.ok, false);
          equal(r.error?.type, "ValueError");
          match(r.error!.message, /x y.*boom/);
          const after = await sandbox.run("print('next')");
          equal(after.stdout, "next\n", "the pooled process survived");
        },
      );
      await t.step("a traceback over the protocol's cap is cut", async () => {
        const r = await compute.run(
          `def f(n, pad="${"p".repeat(180)}"):\n    if n == 0:\n        raise ValueError("${
            "m".repeat(20_000)
          }")\n    return f(n - 1)\nf(900)`,
        );
        equal(r.error?.type, "ValueError");
        ok(utf8Bytes(r.error!.traceback!) <= CAPS.traceback_bytes);
        match(r.error!.traceback!, /cut: \d+ bytes/);
        ok(utf8Bytes(r.error!.message) <= CAPS.message_bytes);
      });
      await t.step("a long violation detail is cut, never dropped", async () => {
        const r = await sandbox.run(`open("/etc/passwd" + "/" * 5000)`);
        equal(r.error?.type, "SecurityError");
        equal(r.violations.length, 1);
        equal(r.violations[0].kind, "filesystem");
        ok(utf8Bytes(r.violations[0].detail) <= CAPS.detail_bytes);
        match(r.violations[0].detail, /cut: \d+ bytes/);
        const host = await sandbox.run(
          `from pyfence import web\nweb.fetch("https://" + "a" * 5000 + ".example/")`,
          { origin: "https://app.example" },
        );
        equal(host.violations.length, 1);
        equal(host.violations[0].kind, "network");
        ok(utf8Bytes(host.violations[0].detail) <= CAPS.detail_bytes);
      });
      await t.step(
        "check(): a format template nested 3,000 deep gives findings with lines",
        async () => {
          const template = "{0:".repeat(3000) + "}".repeat(3000);
          const r = await sandbox.check(
            `x = "${template}".format(1)\ny = ().__class__.__globals__`,
          );
          equal(r.ok, false);
          for (const f of r.findings) ok(Number.isInteger(f.line), JSON.stringify(f));
        },
      );
      await t.step("itertools.tee buffering an endless iterator ends in MemoryError", async () => {
        const r = await sandbox.run(
          `import itertools, collections\na, b = itertools.tee(itertools.count())\ncollections.deque(a, maxlen=0)`,
          { memoryMb: 96 },
        );
        equal(r.ok, false);
        ok(["MemoryError", "TimeoutError"].includes(r.error!.type), JSON.stringify(r.error));
        ok(r.error!.message.length > 0, "an empty error message");
      });
      await t.step("a missing name in a from-import is an ImportError", async () => {
        const r = await sandbox.run(`from pyfence.web import Nope`);
        equal(r.error?.type, "ImportError");
        match(r.error!.message, /cannot import name 'Nope' from 'pyfence\.web'/);
        deepEqual(r.violations, []);
      });
      await t.step("a syntax error is the script's SyntaxError, not a violation", async () => {
        const r = await sandbox.run(`print("a"\n`);
        equal(r.error?.type, "SyntaxError");
        deepEqual(r.violations, []);
      });
    } finally {
      await sandbox.close();
      await compute.close();
    }
  },
});

Deno.test({
  name: "web: responses meet the same limits as json; origins match the host's, IDN included",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const servers = startServers((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/deep") return new Response("[".repeat(100_000) + "]".repeat(100_000));
      if (path === "/big") return new Response(new Uint8Array(9 * 1024 * 1024));
      return new Response("ok");
    });
    const origin = `http://127.0.0.1:${servers.a.port}`;
    const sandbox = new Sandbox({ policy: "default" });
    try {
      await t.step(
        "Response.json() on deep nesting is a RecursionError, nothing dumped",
        async () => {
          const r = await sandbox.run(
            `from pyfence import web\nprint("start")\nweb.fetch("/deep").json()`,
            { origin },
          );
          equal(r.error?.type, "RecursionError", JSON.stringify(r.error));
          equal(r.stdout, "start\n");
          equal(r.stderr, "");
        },
      );
      await t.step("an oversized response is ResponseTooLargeError, not a violation", async () => {
        const r = await sandbox.run(`from pyfence import web\nweb.fetch("/big")`, { origin });
        equal(r.error?.type, "ResponseTooLargeError", JSON.stringify(r.error));
        deepEqual(r.violations, []);
      });
      await t.step("an internationalised origin is compared in punycode", async () => {
        const r = await sandbox.run(
          `from pyfence import web\ntry:\n    web.fetch("https://bücher.example/x")\nexcept web.NetworkError as e:\n    print("network", type(e).__name__)`,
          { origin: "https://Bücher.example" },
        );
        deepEqual(r.violations, [], "a same-origin request was refused");
        equal(r.stdout, "network NetworkError\n");
      });
    } finally {
      await sandbox.close();
      await servers.close();
    }
  },
});

Deno.test({
  name: "randomness is fresh in every run",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sandbox = new Sandbox({ policy: "default", poolSize: 1 });
    try {
      const draws = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const r = await sandbox.run(
          "import random\nprint(random.getrandbits(64), random.random())",
        );
        equal(r.ok, true);
        draws.add(r.stdout);
      }
      equal(draws.size, 3, `the same numbers in different runs: ${[...draws].join(" | ")}`);
    } finally {
      await sandbox.close();
    }
  },
});
