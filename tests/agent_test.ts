/**
 * The `agent` policy as generated code uses it: asyncio and top-level `await`
 * on the guard's own event loop (timers and tasks, no I/O), sleeps bounded by
 * the deadline, the `sys` stand-in, imports as probes, and a set of realistic
 * agent snippets that must simply work.
 */
import { deepEqual, equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { exitCodeOf } from "../src/cli/exit_code.ts";

Deno.test({
  name: "agent: asyncio, sleeping, sys and probes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const agent = new Sandbox({ policy: "agent", poolSize: 2 });
    const run = (code: string, timeoutMs?: number) => agent.run(code, { timeoutMs });
    try {
      await t.step("asyncio works: gather, TaskGroup, Queue, timeout, run", async () => {
        const r = await run(
          "import asyncio\n" +
            "async def work(i):\n    await asyncio.sleep(0.01 * i)\n    return i * i\n" +
            "async def main():\n" +
            "    squares = await asyncio.gather(*(work(i) for i in range(4)))\n" +
            "    async with asyncio.TaskGroup() as tg:\n        t = tg.create_task(work(3))\n" +
            "    q = asyncio.Queue()\n    await q.put('item')\n" +
            "    try:\n        async with asyncio.timeout(0.02):\n" +
            "            await asyncio.sleep(10)\n    except TimeoutError:\n        timed_out = True\n" +
            "    return squares, t.result(), await q.get(), timed_out\n" +
            "print(asyncio.run(main()))",
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(r.stdout, "([0, 1, 4, 9], 9, 'item', True)\n");
      });

      await t.step("top-level await, and its value", async () => {
        const r = await run(
          "import asyncio\nasync def f(x):\n    await asyncio.sleep(0)\n    return x + 1\n" +
            "a = await f(1)\nasync with asyncio.timeout(5):\n    b = await f(a)\n" +
            "await asyncio.gather(f(a), f(b))",
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        deepEqual(r.value, [3, 4]);
        // asyncio.run() inside a running loop is Python's own error.
        const nested = await run(
          "import asyncio\nawait asyncio.sleep(0)\nasyncio.run(asyncio.sleep(0))",
        );
        equal(nested.error?.type, "RuntimeError");
        // Without a policy's asyncio, a script's own coroutine can still be awaited.
        const plain = new Sandbox({ policy: "default" });
        try {
          const p = await plain.run("async def f():\n    return 42\nawait f()");
          equal(p.value, 42, JSON.stringify(p.error));
        } finally {
          await plain.close();
        }
      });

      await t.step("sleeps never outlast the deadline", async () => {
        for (
          const code of [
            "import time\ntime.sleep(100)",
            "import asyncio\nawait asyncio.sleep(100)",
            // Nothing will ever complete it: the loop waits until the deadline.
            "import asyncio\nawait asyncio.get_running_loop().create_future()",
            "import time\ntry:\n    time.sleep(100)\nexcept BaseException:\n    pass\nwhile True:\n    pass",
          ]
        ) {
          const started = performance.now();
          const r = await run(code, 1000);
          equal(r.error?.type, "TimeoutError", `${code}: ${JSON.stringify(r.error)}`);
          ok(r.durationMs < 3000, `${code}: ${r.durationMs} ms`);
          ok(performance.now() - started < 15_000);
        }
        const bad = await run("import time\ntime.sleep(-1)");
        equal(bad.error?.type, "ValueError");
        const short = await run(
          "import time\nt = time.monotonic()\ntime.sleep(0.05)\ntime.monotonic() - t",
        );
        ok((short.value as number) >= 0.05, JSON.stringify(short));
      });

      await t.step("the event loop does no I/O, by any route", async () => {
        const attempts: [string, string][] = [
          ["await loop.create_connection(lambda: None, 'a.example', 443)", "network"],
          ["await loop.getaddrinfo('a.example', 80)", "network"],
          ["await loop.subprocess_exec(lambda: None, 'ls')", "builtin"],
          ["loop.run_in_executor(None, print)", "builtin"],
          ["loop.add_signal_handler(2, print)", "builtin"],
          // asyncio's own methods, called with the run's loop: no socket either.
          [
            "await type(loop).__mro__[1].create_datagram_endpoint(loop, lambda: None, " +
            "local_addr=('127.0.0.1', 0))",
            "network",
          ],
          [
            "await type(loop).__mro__[1].create_connection(loop, lambda: None, '127.0.0.1', 80)",
            "network",
          ],
        ];
        for (const [line, kind] of attempts) {
          const r = await run(
            `import asyncio\nawait asyncio.sleep(0)\nloop = asyncio.get_running_loop()\n${line}\n` +
              "print('done')",
          );
          equal(r.ok, false, line);
          equal(r.stdout, "", line);
          equal(r.violations[0]?.kind, kind, `${line}: ${JSON.stringify(r)}`);
        }
        for (
          const line of [
            "import asyncio.base_events",
            "from asyncio import SelectorEventLoop",
            "from asyncio import to_thread",
            "from asyncio import open_connection",
          ]
        ) {
          const r = await run(`${line}\nprint('imported')`);
          equal(r.ok, false, line);
          equal(r.stdout, "", line);
        }
      });

      await t.step("a task's stack holds no frames", async () => {
        const r = await run(
          "import asyncio\nasync def f():\n    t = asyncio.current_task()\n" +
            "    return t.get_stack(), len(asyncio.all_tasks())\nawait asyncio.create_task(f())",
        );
        deepEqual(r.value, [[], 2], JSON.stringify(r.error));
      });

      await t.step("sys is a stand-in: streams, version, exit", async () => {
        const r = await run(
          "import sys\nprint('to stderr', file=sys.stderr)\nsys.stdout.write('direct\\n')\n" +
            "print(sys.version_info >= (3, 12), sys.maxsize >= 2**31 - 1)\n" +
            "missing = [n for n in ('modules', 'path', 'setrecursionlimit', 'settrace', 'argv') " +
            "if hasattr(sys, n)]\nprint(missing)\nsys.exit(0)\nprint('not reached')",
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(r.stderr, "to stderr\n");
        equal(r.stdout, "direct\nTrue True\n[]\n");
        const exit = await run("import sys\nsys.exit(3)");
        equal(exit.error?.type, "SystemExit");
        for (const line of ["import sys.monitoring", "import calendar\ncalendar.sys.modules"]) {
          const refused = await run(`${line}\nprint('reached')`);
          equal(refused.stdout, "", line);
          equal(refused.ok, false, line);
        }
      });

      await t.step("imports are probes: catchable, recorded, the run goes on", async () => {
        const r = await run(
          "try:\n    import numpy as np\nexcept ImportError:\n    np = None\n" +
            "try:\n    import os\nexcept ImportError as e:\n    denied = e.name\n" +
            "try:\n    from subprocess import run\nexcept ImportError:\n    pass\n" +
            "print(np, denied)",
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(r.ok, true);
        equal(r.stdout, "None os\n");
        deepEqual(r.violations.map((v) => [v.kind, v.probe, v.line]), [
          ["import", true, 2],
          ["import", true, 6],
          ["import", true, 10],
        ]);
        equal(exitCodeOf(r), 0);
        // Not caught: the script's error, with the probe on record.
        const uncaught = await run("import os\nprint('after')");
        equal(uncaught.error?.type, "ImportBlockedError");
        equal(uncaught.stdout, "");
        equal(uncaught.violations[0].probe, true);
        equal(exitCodeOf(uncaught), 1);
        // Other violations still end the run.
        const other = await run(
          "try:\n    open('/etc/passwd')\nexcept Exception:\n    pass\nprint('after')",
        );
        equal(other.ok, false);
        equal(other.stdout, "");
        equal(other.violations[0].probe, undefined);
        equal(exitCodeOf(other), 3);
      });

      await t.step("default: a refused import stays a terminating violation", async () => {
        const sandbox = new Sandbox({ policy: "default" });
        try {
          const r = await sandbox.run(
            "try:\n    import os\nexcept ImportError:\n    pass\nprint('after')",
          );
          equal(r.ok, false);
          equal(r.stdout, "");
          equal(r.error?.type, "ImportBlockedError");
          equal(r.violations[0].probe, undefined);
          equal(exitCodeOf(r), 3);
        } finally {
          await sandbox.close();
        }
      });

      await t.step("a missing name in a pyfence module is an ImportError", async () => {
        const r = await run(
          "try:\n    from pyfence.web import nope\nexcept ImportError as e:\n    print(type(e).__name__)\n" +
            "from pyfence.web import fetch\nprint(callable(fetch))",
        );
        equal(r.error, undefined, JSON.stringify(r.error));
        equal(r.stdout, "ImportError\nTrue\n");
      });
    } finally {
      await agent.close();
    }
  },
});

/**
 * Code as an LLM agent writes it: data crunching with csv/json/statistics,
 * a report file, datetime math, uuid, pprint, calendar, dataclasses, async
 * fan-out, regex extraction. Each must run under `agent` as it would in
 * CPython, printing exactly what is expected.
 */
const SNIPPETS: { name: string; code: string; stdout: string; files?: string[] }[] = [
  {
    name: "csv + statistics summary with a final expression",
    code: `import csv, io, statistics
data = """region,amount
north,120
south,80
north,100
east,50
"""
rows = list(csv.DictReader(io.StringIO(data)))
by_region = {}
for row in rows:
    by_region.setdefault(row["region"], []).append(float(row["amount"]))
summary = {k: {"total": sum(v), "mean": statistics.mean(v)} for k, v in sorted(by_region.items())}
print(f"{len(rows)} rows, {len(summary)} regions")
summary`,
    stdout: "4 rows, 3 regions\n",
  },
  {
    name: "write a markdown report and a CSV",
    code: `import csv, json
from datetime import date
items = [{"name": "widget", "qty": 3, "price": 2.5}, {"name": "gadget", "qty": 1, "price": 10.0}]
total = sum(i["qty"] * i["price"] for i in items)
with open("report.md", "w", encoding="utf-8") as f:
    f.write(f"# Report {date(2024, 5, 1).isoformat()}\\n\\n")
    for i in items:
        f.write(f"- {i['name']}: {i['qty']} x {i['price']:.2f}\\n")
    f.write(f"\\n**Total: {total:.2f}**\\n")
with open("items.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["name", "qty", "price"])
    w.writeheader()
    w.writerows(items)
with open("summary.json", "w") as f:
    json.dump({"total": total, "count": len(items)}, f, indent=2)
print("Report written:", total)`,
    stdout: "Report written: 17.5\n",
    files: ["items.csv", "report.md", "summary.json"],
  },
  {
    name: "datetime arithmetic and calendar",
    code: `from datetime import datetime, timedelta, timezone
import calendar
start = datetime(2024, 2, 27, 9, 30, tzinfo=timezone.utc)
deadline = start + timedelta(days=3, hours=4)
print(deadline.isoformat())
print(calendar.isleap(2024), calendar.monthrange(2024, 2)[1])
business = sum(1 for d in range(10) if (start + timedelta(days=d)).weekday() < 5)
print("business days:", business)
print((deadline - start).total_seconds() / 3600, "hours")`,
    stdout: "2024-03-01T13:30:00+00:00\nTrue 29\nbusiness days: 8\n76.0 hours\n",
  },
  {
    name: "uuid, hashlib and base64",
    code: `import uuid, hashlib, base64
ids = {str(uuid.uuid4()) for _ in range(100)}
print(len(ids), all(uuid.UUID(i).version == 4 for i in ids))
print(uuid.uuid5(uuid.NAMESPACE_DNS, "example.com"))
digest = hashlib.sha256(b"payload").hexdigest()
print(digest[:16], base64.b64encode(b"hi").decode())`,
    stdout: "100 True\ncfbff0d1-9375-5685-968c-48ce8b15ae17\n239f59ed55e737c7 aGk=\n",
  },
  {
    name: "pprint of nested data",
    code: `from pprint import pprint, pformat
config = {"name": "pipeline", "steps": [{"id": i, "deps": list(range(i))} for i in range(4)]}
pprint(config, width=60)
print(len(pformat(config)) > 20)`,
    stdout: "{'name': 'pipeline',\n" +
      " 'steps': [{'deps': [], 'id': 0},\n" +
      "           {'deps': [0], 'id': 1},\n" +
      "           {'deps': [0, 1], 'id': 2},\n" +
      "           {'deps': [0, 1, 2], 'id': 3}]}\n" +
      "True\n",
  },
  {
    name: "dataclasses, sorting and a Counter",
    code: `from dataclasses import dataclass, field, asdict
from collections import Counter
@dataclass(order=True)
class Task:
    priority: int
    title: str = field(compare=False)
    tags: list = field(default_factory=list, compare=False)
tasks = sorted([Task(3, "deploy", ["ops"]), Task(1, "test", ["qa", "ops"]), Task(2, "review")])
print([t.title for t in tasks])
print(Counter(tag for t in tasks for tag in t.tags).most_common(1))
[asdict(t) for t in tasks][:1]`,
    stdout: "['test', 'review', 'deploy']\n[('ops', 2)]\n",
  },
  {
    name: "async fan-out with a semaphore",
    code: `import asyncio, random
random.seed(7)
sem = asyncio.Semaphore(2)
async def fetch(i):
    async with sem:
        await asyncio.sleep(random.random() / 100)
        return {"id": i, "ok": i % 3 != 0}
async def main():
    results = await asyncio.gather(*(fetch(i) for i in range(6)))
    return [r["id"] for r in results if r["ok"]]
print(asyncio.run(main()))`,
    stdout: "[1, 2, 4, 5]\n",
  },
  {
    name: "regex extraction from a log, stderr for warnings",
    code: `import re, sys, json
log = """2024-05-01 12:00:01 ERROR db timeout after 30s
2024-05-01 12:00:05 INFO request ok
2024-05-01 12:01:00 ERROR cache miss storm
"""
errors = [m.groupdict() for m in re.finditer(r"(?P<ts>\\S+ \\S+) ERROR (?P<msg>.+)", log)]
if len(errors) > 1:
    print(f"warning: {len(errors)} errors", file=sys.stderr)
print(json.dumps(errors[0]))`,
    stdout: '{"ts": "2024-05-01 12:00:01", "msg": "db timeout after 30s"}\n',
  },
  {
    name: "optional dependency fallback and timing",
    code: `import time
try:
    import pandas as pd
except ImportError:
    pd = None
start = time.perf_counter()
rows = [{"x": i, "y": i * i} for i in range(1000)]
total = sum(r["y"] for r in rows) if pd is None else None
elapsed = time.perf_counter() - start
print(total, elapsed >= 0, time.strftime("%Y", time.gmtime(0)))`,
    stdout: "332833500 True 1970\n",
  },
  {
    name: "decimal money and fractions",
    code: `from decimal import Decimal, ROUND_HALF_UP
from fractions import Fraction
prices = [Decimal("19.99"), Decimal("5.01"), Decimal("0.10")]
subtotal = sum(prices)
tax = (subtotal * Decimal("0.0825")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
print(subtotal, tax, subtotal + tax)
print(Fraction(1, 3) + Fraction(1, 6))`,
    stdout: "25.10 2.07 27.17\n1/2\n",
  },
];

Deno.test({
  name: `agent: ${SNIPPETS.length} realistic agent snippets run as in CPython`,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const agent = new Sandbox({ policy: "agent" });
    try {
      for (const s of SNIPPETS) {
        await t.step(s.name, async () => {
          const r = await agent.run(s.code);
          equal(r.error, undefined, `${s.name}: ${JSON.stringify(r.error)}`);
          // A probe (the optional import) is on record; nothing else is.
          equal(r.violations.filter((v) => !v.probe).length, 0, JSON.stringify(r.violations));
          equal(r.stdout, s.stdout);
          deepEqual(Object.keys(r.files ?? {}).sort(), s.files ?? []);
        });
      }
      // The first two also check what they hand back.
      const summary = await agent.run(SNIPPETS[0].code);
      deepEqual(summary.value, {
        east: { total: 50, mean: 50 },
        north: { total: 220, mean: 110 },
        south: { total: 80, mean: 80 },
      });
      const report = await agent.run(SNIPPETS[1].code);
      match(new TextDecoder().decode(report.files!["report.md"]), /\*\*Total: 17\.50\*\*/);
    } finally {
      await agent.close();
    }
  },
});
