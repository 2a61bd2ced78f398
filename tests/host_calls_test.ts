/**
 * Host functions (`expose`, `pyfence.host`) over the host-call channel:
 * plain data both ways, the caller's grant only, every cap a limit, and a
 * worker that forges calls (guard off) reaching nothing it was not given.
 */
import { deepEqual, equal, match, ok, rejects } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import type { AuditEvent } from "../src/audit/trail.ts";
import { UsageError } from "../src/errors.ts";
import type { RunResult } from "../src/protocol/result.ts";

const SECRET = "host-secret-" + crypto.randomUUID();

Deno.test({
  name: "host functions",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const events: AuditEvent[] = [];
    const sandbox = new Sandbox({ policy: "default", audit: (e) => void events.push(e) });
    let lookups = 0;
    const expose = {
      lookup: async (key: string) => {
        lookups++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (key === "missing") throw new Error(`no row for ${key}`);
        return { key, rows: [1, 2.5, "x", null, true] };
      },
      add: (a: number, b: number) => a + b,
      nothing: () => undefined,
      echo: (value: unknown) => value,
    };
    const py = (code: string, options = {}) => sandbox.run(code, { expose, ...options });
    try {
      await t.step("plain data both ways, under `default`", async () => {
        const r = await py(
          "from pyfence.host import lookup, add, nothing, echo\n" +
            "import pyfence.host\n" +
            "row = lookup('a')\n" +
            "print(type(row).__name__, row)\n" +
            "print(add(2, 3), pyfence.host.add(0.5, 1))\n" +
            "print(nothing())\n" +
            "print(echo({'k': [1, (2, 3)], 'u': 'é\\u2028'}))\n" +
            "print(echo(2**53 - 1), echo(-0.0), echo(True))\n",
        );
        equal(r.ok, true, JSON.stringify(r));
        equal(
          r.stdout,
          "dict {'key': 'a', 'rows': [1, 2.5, 'x', None, True]}\n5 1.5\nNone\n" +
            "{'k': [1, [2, 3]], 'u': 'é\\u2028'}\n9007199254740991 0 True\n",
        );
        deepEqual(r.hostCalls!.map((c) => [c.service, c.name, c.outcome]), [
          ["host", "lookup", "ok"],
          ["host", "add", "ok"],
          ["host", "add", "ok"],
          ["host", "nothing", "ok"],
          ["host", "echo", "ok"],
          ["host", "echo", "ok"],
          ["host", "echo", "ok"],
          ["host", "echo", "ok"],
        ]);
        equal(r.hostCalls![0].bytesIn, '["a"]'.length);
        equal(r.hostCalls![0].bytesOut, '{"key":"a","rows":[1,2.5,"x",null,true]}'.length);
        ok(r.hostCalls!.every((c) => c.durationMs >= 0));
      });

      await t.step("each call is an audit event", async () => {
        events.length = 0;
        await py("from pyfence.host import add\nadd(1, 2)");
        const calls = events.filter((e) => e.type === "host.call");
        equal(calls.length, 1);
        const [event] = calls as Extract<AuditEvent, { type: "host.call" }>[];
        deepEqual(
          { ...event.call, durationMs: 0 },
          {
            service: "host",
            name: "add",
            bytesIn: 5,
            bytesOut: 1,
            durationMs: 0,
            outcome: "ok",
          },
        );
        const start = events.find((e) => e.type === "run.start")!;
        equal(event.runId, start.runId);
      });

      await t.step("a host exception is HostError with the message only", async () => {
        const r = await py(
          "from pyfence.host import lookup, HostError\n" +
            "try:\n    lookup('missing')\nexcept HostError as e:\n" +
            "    print(type(e).__name__, repr(str(e)))\n" +
            "lookup('missing')\n",
        );
        equal(r.stdout, "HostError 'no row for missing'\n");
        equal(r.ok, false);
        equal(r.error?.type, "HostError");
        equal(r.error?.message, "no row for missing");
        ok(!JSON.stringify(r).includes("host_calls_test.ts"), "a host stack trace crossed");
        equal(r.hostCalls?.at(-1)?.outcome, "error");
      });

      await t.step("only the listed names exist", async () => {
        const r = await py(
          "try:\n    from pyfence.host import nope\nexcept ImportError as e:\n    print(e)\n" +
            "import pyfence.host\nprint(sorted(n for n in dir(pyfence.host) if not n.startswith('_')))\n",
        );
        equal(r.ok, true, JSON.stringify(r));
        equal(
          r.stdout,
          "cannot import name 'nope' from 'pyfence.host'\n" +
            "['HostError', 'add', 'echo', 'lookup', 'nothing']\n",
        );
        const none = await sandbox.run(
          "from pyfence.host import HostError\ntry:\n    from pyfence.host import lookup\n" +
            "except ImportError as e:\n    print(e)\n",
        );
        equal(none.stdout, "cannot import name 'lookup' from 'pyfence.host'\n");
      });

      await t.step("awaitable in async code", async () => {
        const r = await py(
          "from pyfence.host import add\n" +
            "async def main():\n    return await add.call_async(20, 22)\n" +
            "coro = main()\ntry:\n    coro.send(None)\nexcept StopIteration as e:\n    print(e.value)\n",
        );
        equal(r.ok, true, JSON.stringify(r));
        equal(r.stdout, "42\n");
      });

      await t.step("Python values that are not plain data are refused cleanly", async () => {
        const r = await py(
          "from pyfence.host import echo\n" +
            "class Row: pass\n" +
            "cyclic = []\ncyclic.append(cyclic)\n" +
            "for value in [lambda: 1, print, Row, Row(), cyclic, {1: 'a'}, {'a': {2: 'b'}},\n" +
            "              2**53, float('nan'), float('inf'), b'bytes', {1, 2}, [[0] * 1] * 1]:\n" +
            "    try:\n        echo(value)\n        print('crossed')\n" +
            "    except TypeError as e:\n        print(str(e).split(' cannot cross')[0])\n",
        );
        equal(r.ok, true, JSON.stringify(r));
        equal(
          r.stdout,
          [
            "echo() argument 1: a function",
            "echo() argument 1: a function",
            "echo() argument 1: a class",
            "echo() argument 1: a Row object",
            "echo() argument 1[0]: a cycle (a value that contains itself)",
            "echo() argument 1: a dict key that is an int object, not a str",
            "echo() argument 1['a']: a dict key that is an int object, not a str",
            "echo() argument 1: an int beyond 2**53 (JSON numbers are doubles; pass it as a str)",
            "echo() argument 1: the float nan (JSON has no such number)",
            "echo() argument 1: the float inf (JSON has no such number)",
            "echo() argument 1: a bytes object",
            "echo() argument 1: a set object",
            "crossed",
          ].join("\n") + "\n",
        );
        equal(r.hostCalls?.length, 1, "only the plain value was sent");
      });

      await t.step(
        "subclasses cross as their built-in type, without running their methods",
        async () => {
          const r = await py(
            "from pyfence.host import echo\nfrom collections import OrderedDict, namedtuple\n" +
              "class Loud(dict):\n    def items(self):\n        print('ran items')\n        return []\n" +
              "    def __iter__(self):\n        print('ran iter')\n        return iter([])\n" +
              "class S(str):\n    def __str__(self):\n        print('ran str')\n        return 'x'\n" +
              "P = namedtuple('P', 'x y')\n" +
              "print(echo(Loud(a=1)), echo(OrderedDict(b=2)), echo(P(1, 2)), echo(S('s')), echo(True))\n",
          );
          equal(r.ok, true, JSON.stringify(r));
          equal(r.stdout, "{'a': 1} {'b': 2} [1, 2] s True\n");
        },
      );

      await t.step(
        "a host function returning a function or a cyclic object: HostError naming it",
        async () => {
          const cyclic: Record<string, unknown> = { name: "c" };
          cyclic.self = cyclic;
          const bad = {
            giveFunction: () => ({ ok: 1, callback: () => SECRET }),
            giveCycle: () => cyclic,
            giveMap: () => new Map([["k", SECRET]]),
            giveBigint: () => [1n],
          };
          const r = await sandbox.run(
            "from pyfence.host import giveFunction, giveCycle, giveMap, giveBigint, HostError\n" +
              "for f in (giveFunction, giveCycle, giveMap, giveBigint):\n" +
              "    try:\n        print('crossed', f())\n    except HostError as e:\n        print(e)\n",
            { expose: bad },
          );
          equal(r.ok, true, JSON.stringify(r));
          const lines = r.stdout.trimEnd().split("\n");
          equal(lines.length, 4, r.stdout);
          match(lines[0], /^giveFunction\(\) returned a function at \.callback; only plain data/);
          match(
            lines[1],
            /^giveCycle\(\) returned a cycle \(a value that contains itself\) at \.self/,
          );
          match(lines[2], /^giveMap\(\) returned a Map object;/);
          match(lines[3], /^giveBigint\(\) returned a bigint at \[0\]/);
          ok(!r.stdout.includes(SECRET));
        },
      );

      await t.step("1,000 host calls in a loop: the call cap ends the run as a limit", async () => {
        const before = lookups;
        // 500 round trips must fit in the run's time even on a loaded machine (or an old Deno).
        const roomy = new Sandbox({
          policy: { version: 1, extends: "default", limits: { timeout_ms: 60_000 } },
        });
        const r = await roomy.run(
          "from pyfence.host import add\nn = 0\n" +
            "try:\n    for i in range(1000):\n        n = add(n, 1)\n" +
            "except BaseException:\n    print('caught')\nprint('after', n)\n",
          { expose },
        ).finally(() => roomy.close());
        equal(r.ok, false);
        equal(r.error?.type, "HostCallLimitError", JSON.stringify(r.error));
        match(r.error!.message, /more than 500 host calls in one run/);
        equal(r.error?.kind, "limit");
        equal(r.stdout, "", "the script went on after the limit");
        equal(r.hostCalls?.length, 500);
        equal(lookups, before);
      });

      await t.step("huge arguments end the run; a huge answer is HostError", async () => {
        const big = await py("from pyfence.host import echo\necho('x' * (2 * 1024 * 1024))\n");
        equal(big.error?.type, "HostCallLimitError", JSON.stringify(big.error));
        match(big.error!.message, /one call may carry at most 1048576/);
        equal(big.hostCalls, undefined);
        const answer = await sandbox.run(
          "from pyfence.host import blob, HostError\n" +
            "try:\n    blob()\nexcept HostError as e:\n    print(e)\nprint('went on')\n",
          { expose: { blob: () => "y".repeat(2 * 1024 * 1024) } },
        );
        equal(answer.ok, true, JSON.stringify(answer));
        match(
          answer.stdout,
          /^blob\(\) returned \d+ bytes of JSON; one answer may carry at most 1048576\nwent on\n$/,
        );
      });

      await t.step("the run's byte budget counts answers too", async () => {
        const policy = new Sandbox({
          policy: { version: 1, extends: "default", limits: { host_call_bytes: 10_000 } },
        });
        try {
          const r = await policy.run(
            "from pyfence.host import blob\nfor i in range(10):\n    blob()\nprint('done')",
            { expose: { blob: () => "z".repeat(3000) } },
          );
          equal(r.error?.type, "HostCallLimitError", JSON.stringify(r.error));
          match(r.error!.message, /more than 10000 bytes/);
          deepEqual(r.hostCalls?.map((c) => c.outcome), ["ok", "ok", "ok", "limit"]);
        } finally {
          await policy.close();
        }
      });

      await t.step(
        "a host function that never answers is bounded by the run's timeout",
        async () => {
          const t0 = performance.now();
          const r = await sandbox.run(
            "from pyfence.host import hang\ntry:\n    hang()\nexcept BaseException:\n    print('caught')\n" +
              "print('went on')\n",
            { expose: { hang: () => new Promise(() => {}) }, timeoutMs: 800 },
          );
          const wall = performance.now() - t0;
          equal(r.error?.type, "TimeoutError", JSON.stringify(r));
          equal(r.stdout, "");
          equal(r.hostCalls?.[0].outcome, "timeout");
          ok(wall < 5000, `took ${wall} ms`);
          const after = await sandbox.run("print('alive')");
          equal(after.stdout, "alive\n");
        },
      );

      await t.step("names that would shadow pyfence.host or the guard are refused", async () => {
        for (
          const name of ["__import__", "_private", "HostError", "class", "not-an-identifier", "é"]
        ) {
          await rejects(
            sandbox.run("print(1)", { expose: { [name]: () => 1 } }),
            (e) => e instanceof UsageError && e.argument === `expose.${name}`,
            name,
          );
        }
        await rejects(
          sandbox.run("print(1)", { expose: { f: 1 as unknown as () => void } }),
          (e) => e instanceof UsageError && /must be a function, got number/.test(e.message),
        );
        await rejects(
          sandbox.run("print(1)", { expose: new Map() as unknown as Record<string, () => void> }),
          (e) => e instanceof UsageError && e.argument === "expose",
        );
      });

      await t.step("the guard's own names cannot be reached through pyfence.host", async () => {
        const r = await py(
          "from pyfence.host import add\n" +
            "for name in ('__globals__', '__closure__', '__code__', '__kwdefaults__'):\n" +
            "    try:\n        getattr(add, name)\n        print('read', name)\n" +
            "    except Exception as e:\n        print(type(e).__name__)\n",
          { expose },
        );
        ok(!r.stdout.includes("read "), r.stdout);
        equal(r.hostCalls, undefined);
      });
    } finally {
      await sandbox.close();
    }
  },
});

/** The run ended as a breach the trusted side saw, named by a violation matching `sign`. */
function breach(r: RunResult, sign: RegExp): void {
  equal(r.error?.type, "SandboxBreach", JSON.stringify(r.error));
  equal(r.error?.kind, "violation");
  match(r.error!.message, sign);
  ok(r.violations.some((v) => v.kind === "breach" && sign.test(v.detail)), JSON.stringify(r));
}

Deno.test({
  name: "host calls with the guard off: a forging worker reaches only what this run exposes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const sandbox = new Sandbox(unguardedForTests({ policy: "default" }));
    const called: string[] = [];
    const forge = (code: string, expose: Record<string, () => unknown>) =>
      sandbox.run(
        "import js, json\nfrom pyodide.ffi import run_sync\n" +
          "def call(service, name, args):\n" +
          "    return str(run_sync(js.pyfenceChannel.call(service, name, json.dumps(args))))\n" +
          "def post(message):\n    js.pyfenceChannel.post(json.dumps(message))\n" + code,
        { expose },
      );
    try {
      await t.step("an exposed function answers a forged call", async () => {
        const r = await forge("print(call('host', 'mine', []))", {
          mine: () => (called.push("mine"), "ok"),
        });
        equal(r.ok, true, JSON.stringify(r));
        equal(r.stdout, '{"ok":true,"data":"ok"}\n');
      });
      await t.step("a function another run exposed is unreachable", async () => {
        await sandbox.run("print(1)", {
          expose: { secret: () => (called.push("secret"), SECRET) },
        });
        const r = await forge("print(call('host', 'secret', []))", {
          mine: () => (called.push("mine"), "ok"),
        });
        equal(r.ok, false);
        breach(r, /'host\.secret', which this run does not offer/);
        ok(!r.stdout.includes(SECRET));
      });
      await t.step("a service the run does not offer is unreachable", async () => {
        const r = await forge("print(call('storage', 'get_item', ['k']))", { mine: () => 1 });
        breach(r, /'storage\.get_item', which this run does not offer/);
      });
      await t.step("arguments that are not a JSON list end the run", async () => {
        const r = await forge(
          "print(str(run_sync(js.pyfenceChannel.call('host', 'mine', '{\"a\": 1}'))))",
          { mine: () => (called.push("mine"), 1) },
        );
        breach(r, /not a JSON list/);
      });
      await t.step("a call id used twice ends the run", async () => {
        const r = await forge(
          "m = {'t': 'call', 'call': 'forged-id-1', 'service': 'host', 'name': 'mine', 'data': '[]'}\n" +
            "post(m)\npost(m)\nwhile True: pass\n",
          { mine: () => 1 },
        );
        breach(r, /out of order/);
      });
      await t.step("an answer forged by the worker ends the run", async () => {
        const r = await forge(
          "post({'t': 'answer', 'call': 'forged-id-2', 'ok': True, 'data': '1'})\nwhile True: pass\n",
          { mine: () => 1 },
        );
        breach(r, /malformed/);
      });
      deepEqual(called.filter((c) => c === "secret"), [], "another run's function was called");
      equal(called.filter((c) => c === "mine").length, 1);
    } finally {
      await sandbox.close();
    }
  },
});
