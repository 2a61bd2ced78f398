/**
 * Reports over a trail: time range, origin and caller filters, the per-run
 * list, what the charts are drawn from; hostile text stays inert; and the
 * HTML page renders in headless Chromium with its charts and no script
 * (skipped, saying so, where Chromium is not installed).
 */
import { deepEqual, equal, match, ok } from "assert";
import { summarizeAudit } from "../mod.ts";
import { renderReport } from "../src/audit/report.ts";
import { renderReportHtml } from "../src/audit/report_html.ts";
import { parseTime } from "../src/cli/report.ts";

const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;
const T0 = Date.parse("2026-05-01T10:00:00Z");
const HOSTILE = 'x\x1b[2J\r<script>alert("pwned")</script>';

/** A trail of 40 runs over 4 hours: two origins, two callers, every outcome, hostile text. */
function trail(): string {
  const lines: unknown[] = [];
  for (let i = 0; i < 40; i++) {
    const base = {
      runId: `run-${i}`,
      origin: i % 4 === 3 ? `https://${HOSTILE}.example` : i % 2 ? "https://a.example" : "null",
      caller: i % 2 ? "alice" : "bob",
    };
    const at = (s: number) => new Date(T0 + i * 6 * 60_000 + s * 1000).toISOString();
    lines.push({
      ...base,
      ts: at(0),
      type: "run.start",
      policy: "default",
      codeSha256: "0".repeat(64),
      codeBytes: 10,
    });
    if (i % 5 === 0) lines.push({ ...base, ts: at(1), type: "import", module: "json" });
    let end: Record<string, unknown> = { ok: true, violations: 0 };
    if (i % 3 === 0) {
      const module = i % 2 ? "os" : "subprocess";
      lines.push({
        ...base,
        ts: at(1),
        type: "violation",
        violation: {
          kind: "import",
          detail: `import of '${module}' is not allowed (denied)`,
          at: 1,
        },
      });
      end = { ok: false, errorType: "ImportBlockedError", errorKind: "violation", violations: 1 };
    } else if (i % 7 === 0) {
      lines.push({
        ...base,
        ts: at(1),
        type: "violation",
        violation: { kind: "__proto__", detail: HOSTILE, at: 2 },
      });
      end = { ok: false, errorType: "__proto__", violations: 1 };
    } else if (i % 11 === 0) {
      lines.push({ ...base, ts: at(2), type: "limit", limit: "time", detail: "time limit" });
      end = { ok: false, errorType: "TimeoutError", errorKind: "limit", violations: 0 };
    }
    lines.push({
      ...base,
      ts: at(3),
      type: "run.end",
      ...end,
      durationMs: 10 + i * 7,
      cpuTimeMs: 20,
      peakMemoryBytes: 30 * 1048576,
      truncated: false,
    });
  }
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\nnot json\n";
}

Deno.test("report: time range, filters, outcomes, blocked modules and the run list", () => {
  const text = trail();
  const all = summarizeAudit(text);
  equal(all.runs, 40);
  equal(all.malformedLines, 1);
  deepEqual(all.blockedModules, [{ key: "os", count: 7 }, { key: "subprocess", count: 7 }]);
  deepEqual(
    Object.fromEntries(all.outcomes.map((c) => [c.key, c.count])),
    { ok: 20, violation: 18, limit: 2 },
  );
  equal(all.latency?.count, 40);
  equal(all.latency?.max, 10 + 39 * 7);
  equal(all.cpuTimeMs, 800);
  equal(all.span?.first, new Date(T0).toISOString());
  const total = all.violationsOverTime.buckets.reduce((n, b) => n + b.count, 0);
  equal(total, all.violationsByKind.reduce((n, c) => n + c.count, 0));
  ok(all.violationsOverTime.buckets.length <= 48);

  const hour = summarizeAudit(text, {
    since: new Date(T0 + 60 * 60_000),
    until: new Date(T0 + 120 * 60_000),
    caller: "alice",
    runs: true,
  });
  equal(hour.runs, 5, "runs 11, 13, 15, 17, 19 start in the second hour");
  deepEqual(hour.runList?.map((r) => r.runId), ["run-11", "run-13", "run-15", "run-17", "run-19"]);
  ok(hour.runList!.every((r) => r.caller === "alice" && r.policy === "default"));
  equal(hour.runList!.find((r) => r.runId === "run-15")?.outcome, "violation");
  equal(hour.runList!.find((r) => r.runId === "run-11")?.errorType, "TimeoutError");
  equal(hour.filters.caller, "alice");
  equal(summarizeAudit(text, { origin: "https://a.example" }).violationsByOrigin.length, 1);
  equal(summarizeAudit(text, { runs: true, maxRuns: 5 }).runListOmitted, 35);
});

Deno.test("report: hostile text is inert on a terminal and escaped in HTML", () => {
  const report = summarizeAudit(trail(), { runs: true });
  const text = renderReport(report);
  ok(!text.includes("\x1b") && !text.includes("\r"), "no control character reaches the terminal");
  match(text, /\[__proto__\] x\\x1b\[2J\\r<script>/);
  const page = renderReportHtml(report);
  ok(!/<script/i.test(page), "no script element, whatever the trail holds");
  match(page, /x\\x1b\[2J\\r&lt;script&gt;alert\(&quot;pwned&quot;\)&lt;\/script&gt;/);
  match(page, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
});

Deno.test("report: --since/--until take dates, date-times, now and durations ago", () => {
  const now = Date.parse("2026-05-02T00:00:00Z");
  equal(parseTime("--since", "24h", now).toISOString(), "2026-05-01T00:00:00.000Z");
  equal(parseTime("--since", "30m", now).toISOString(), "2026-05-01T23:30:00.000Z");
  equal(parseTime("--since", "2026-05-01", now).toISOString(), "2026-05-01T00:00:00.000Z");
  equal(parseTime("--until", "2026-05-01T12:00:00Z", now).getTime(), T0 + 2 * 3_600_000);
  for (const bad of ["yesterday", "24", "2026-13-45", "1y"]) {
    let message = "";
    try {
      parseTime("--since", bad, now);
    } catch (err) {
      message = (err as Error).message;
    }
    match(message, /^--since: '.*' is not a time/);
  }
});

Deno.test("report: the CLI filters a JSONL trail and lists runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pyfence-report-" });
  try {
    const path = `${dir}/trail.jsonl`;
    await Deno.writeTextFile(path, trail());
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CLI, "report", ...args],
      }).output();
      return {
        code: out.code,
        stdout: new TextDecoder().decode(out.stdout),
        stderr: new TextDecoder().decode(out.stderr),
      };
    };
    const json = await run("--json", "--caller", "bob", "--since", "2026-05-01T12:00:00Z", path);
    equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    deepEqual(report.filters, { since: "2026-05-01T12:00:00.000Z", caller: "bob" });
    equal(report.runs, 10);
    const text = await run("--runs", "--until", "2026-05-01T10:10:00Z", path);
    equal(text.code, 0, text.stderr);
    match(
      text.stdout,
      /^runs:\n {2}2026-05-01T10:00:00.000Z {2}run-0 {2}null {2}bob {2}default {2}violation:ImportBlockedError/m,
    );
    const bad = await run("--since", "2026-05-02", "--until", "2026-05-01", path);
    equal(bad.code, 2);
    match(bad.stderr, /--until: must be later than --since/);
    const none = await run("--kv", "x.kv", path);
    equal(none.code, 2);
    match(none.stderr, /not both/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function chromium(): string | undefined {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const browser = chromium();

Deno.test({
  name: "report: the HTML page renders in headless Chromium with its charts and no script error",
  ignore: !browser,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pyfence-report-html-" });
    try {
      const page = `${dir}/report.html`;
      await Deno.writeTextFile(page, renderReportHtml(summarizeAudit(trail(), { runs: true })));
      const chrome = (...args: string[]) =>
        new Deno.Command(browser!, {
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            `--user-data-dir=${dir}/profile`,
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2200",
            ...args,
            `file://${page}`,
          ],
          stdin: "null",
        }).output();
      const dom = await chrome("--dump-dom");
      const html = new TextDecoder().decode(dom.stdout);
      const log = new TextDecoder().decode(dom.stderr);
      equal(dom.code, 0, log.slice(-2000));
      for (
        const chart of [
          "violations-over-time",
          "runs-by-outcome",
          "violations-by-kind",
          "violations-by-origin",
          "blocked-modules",
          "latency",
        ]
      ) {
        match(html, new RegExp(`<figure class="chart" data-chart="${chart}">[^]*?<svg`), chart);
      }
      const timeChart = /data-chart="violations-over-time">([^]*?)<\/figure>/.exec(html)![1];
      ok((timeChart.match(/<rect /g) ?? []).length >= 10, "the time chart has its bars");
      equal((html.match(/<circle class="arc"/g) ?? []).length, 3, "one arc per outcome");
      ok(!/<script/i.test(html), "no script element in the rendered page");
      ok(
        !/Uncaught|SyntaxError|Refused to/i.test(log),
        `a script or CSP error: ${log.slice(-2000)}`,
      );
      const shot = await chrome(`--screenshot=${dir}/report.png`);
      equal(shot.code, 0);
      const png = await Deno.readFile(`${dir}/report.png`);
      deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG was written");
      const keep = Deno.env.get("PYFENCE_REPORT_PNG");
      if (keep) await Deno.copyFile(`${dir}/report.png`, keep);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

if (!browser) {
  console.warn("report_test: Chromium is not installed: the HTML rendering test is skipped");
}
