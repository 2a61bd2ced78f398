/**
 * The audit trail's delivery guarantees: an event's promise resolves only
 * once its line is written, whenever it arrives relative to the writes in
 * flight; and the events of one run reach a sink in order (start,
 * violations, end), however slowly the sink takes each.
 */
import { deepEqual, equal, ok } from "assert";
import { appendQueue } from "../src/audit/jsonl.ts";
import { type AuditEvent, jsonlAuditSink, Sandbox } from "../mod.ts";

const decoder = new TextDecoder();

/** Let `n` microtask turns pass. */
async function microtasks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

/** Wait (a bounded number of microtask turns) until `started()` says a write began. */
async function writeStarted(started: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !started(); i++) await Promise.resolve();
  ok(started(), "the write never started");
}

Deno.test("audit writer: an append at any moment after a write ends is written before its promise resolves", async () => {
  // The gap between the end of a write loop and the writer noticing it is a
  // few microtasks wide; an append in it must still be written. Every offset
  // from 0 to 30 turns is tried, so the test does not depend on luck.
  const lost: number[] = [];
  for (let turns = 0; turns <= 30; turns++) {
    const written: string[] = [];
    let finishWrite: (() => void) | undefined;
    const append = appendQueue((bytes) => {
      written.push(decoder.decode(bytes));
      return new Promise<void>((resolve) => finishWrite = resolve);
    });
    const first = append("a\n");
    await writeStarted(() => finishWrite !== undefined);
    finishWrite!();
    await microtasks(turns);
    const second = append("b\n");
    // Writes after the first finish at once.
    const later = setInterval(() => finishWrite!(), 1);
    let hung: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.all([first, second]),
        new Promise((_, reject) => hung = setTimeout(() => reject(new Error("hung")), 2000)),
      ]);
    } finally {
      clearInterval(later);
      clearTimeout(hung);
    }
    if (!written.join("").includes("b\n")) lost.push(turns);
  }
  deepEqual(lost, [], `appends resolved but never written, at microtask offsets ${lost}`);
});

Deno.test("audit writer: appends made while a write is in flight go out together, in order", async () => {
  const written: string[] = [];
  const gates: (() => void)[] = [];
  const append = appendQueue((bytes) => {
    written.push(decoder.decode(bytes));
    return new Promise<void>((resolve) => gates.push(resolve));
  });
  const settled: string[] = [];
  const track = (p: Promise<void>, name: string) => p.then(() => settled.push(name));
  const a = track(append("1\n"), "1");
  await writeStarted(() => written.length === 1);
  const b = track(append("2\n"), "2");
  const c = track(append("3\n"), "3");
  await microtasks(5);
  deepEqual(written, ["1\n"], "one write at a time");
  deepEqual(settled, [], "nothing resolves before its write ends");
  gates.shift()!();
  await a;
  await microtasks(5);
  deepEqual(written, ["1\n", "2\n3\n"]);
  deepEqual(settled, ["1"], "2 and 3 wait for their own write");
  gates.shift()!();
  await Promise.all([b, c]);
  deepEqual(settled, ["1", "2", "3"]);
});

Deno.test("audit writer: a failed write rejects its events' promises and the next write still happens", async () => {
  const written: string[] = [];
  let fail = true;
  const append = appendQueue((bytes) => {
    if (fail) {
      fail = false;
      return Promise.reject(new Error("disk full"));
    }
    written.push(decoder.decode(bytes));
    return Promise.resolve();
  });
  const failed = await append("x\n").then(() => undefined, (e: Error) => e.message);
  equal(failed, "disk full");
  await append("y\n");
  deepEqual(written, ["y\n"]);
});

Deno.test({
  name: "audit: a slow async sink sees one run's events in order, all before run() returns",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const seen: string[] = [];
    const byRun = new Map<string, string[]>();
    // The sink takes longer over run.start and violations than the run takes
    // to end: unchained, run.end would arrive first.
    const slow = async (event: AuditEvent) => {
      if (event.type !== "run.end") await new Promise((r) => setTimeout(r, 300));
      seen.push(event.type);
      byRun.set(event.runId, [...byRun.get(event.runId) ?? [], event.type]);
    };
    const path = await Deno.makeTempFile({ suffix: ".jsonl" });
    const sandbox = new Sandbox({ audit: [slow, jsonlAuditSink(path)] });
    try {
      await sandbox.warm();
      const result = await sandbox.run("import os");
      equal(result.violations.length, 1);
      deepEqual(seen, ["run.start", "violation", "run.end"]);
      byRun.clear();
      const [x, y] = await Promise.all([sandbox.run("print(1)"), sandbox.run("import os")]);
      ok(x.ok && !y.ok);
      deepEqual(
        [...byRun.values()].map((types) => types.join(" ")).sort(),
        ["run.start run.end", "run.start violation run.end"],
      );
      // The file has every line of a run once run() has returned, in the same order.
      const inFile = new Map<string, string[]>();
      for (const line of (await Deno.readTextFile(path)).trim().split("\n")) {
        const { runId, type } = JSON.parse(line);
        inFile.set(runId, [...inFile.get(runId) ?? [], type]);
      }
      deepEqual(
        [...inFile.values()].map((types) => types.join(" ")).sort(),
        ["run.start run.end", "run.start violation run.end", "run.start violation run.end"],
      );
    } finally {
      await sandbox.close();
      await Deno.remove(path);
    }
  },
});
