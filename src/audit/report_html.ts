/**
 * A security report as one self-contained HTML page: summary figures, charts
 * drawn here as inline SVG (violations over time, by kind, by origin, the
 * modules most often blocked, runs by outcome, latency), and the tables
 * behind them. No script, no external resource: a Content-Security-Policy
 * forbids both, and every string from the trail (which a script may have
 * chosen) is escaped as HTML character data and made inert.
 *
 * @module
 */
import type { ReportCount, SecurityReport } from "./report.ts";
import { inertField } from "../inert.ts";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text as HTML character data or an attribute value: markup characters escaped, control characters inert. */
function html(text: string | number): string {
  return inertField(String(text)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Colours of the kinds and outcomes pyfence knows; anything else gets one from a hash of its name. */
const COLOURS: Record<string, string> = {
  import: "#d9480f",
  builtin: "#c2255c",
  attribute: "#862e9c",
  filesystem: "#5f3dc4",
  network: "#1971c2",
  websocket: "#0c8599",
  storage: "#2b8a3e",
  bridge: "#e67700",
  static: "#5c940d",
  breach: "#c92a2a",
  ok: "#2f9e44",
  script: "#868e96",
  violation: "#e03131",
  limit: "#f08c00",
  crash: "#495057",
  queue: "#1c7ed6",
  unfinished: "#adb5bd",
};
const PALETTE = ["#4263eb", "#f76707", "#0ca678", "#ae3ec9", "#e8590c", "#1098ad", "#74b816"];

function colour(key: string): string {
  if (Object.hasOwn(COLOURS, key)) return COLOURS[key];
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return PALETTE[h % PALETTE.length];
}

const fmtMs = (n: number) => n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;
const fmtMiB = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

function figure(id: string, title: string, body: string, empty = false): string {
  return `<figure class="chart" data-chart="${id}"><figcaption>${html(title)}</figcaption>\n${
    empty ? '<p class="empty">none in this range</p>' : body
  }\n</figure>`;
}

/** Horizontal bars, one per count, labelled with its key and value. */
function barChart(id: string, title: string, counts: ReportCount[], max = 10): string {
  const rows = counts.slice(0, max);
  const top = Math.max(1, ...rows.map((r) => r.count));
  const labelW = 220, barW = 300, rowH = 26, width = labelW + barW + 60;
  const height = rows.length * rowH + 8;
  const bars = rows.map((r, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(2, Math.round((r.count / top) * barW));
    // Cut as shown (escapes make hostile text longer), so the label fits its column.
    const shown = inertField(r.key);
    const label = shown.length > 30 ? `${shown.slice(0, 29)}…` : shown;
    return `<g class="bar"><title>${html(r.key)}: ${r.count}</title>` +
      `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${html(label)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" rx="3" fill="${
        colour(r.key)
      }"/>` +
      `<text x="${labelW + w + 6}" y="${y + 17}" class="value">${r.count}</text></g>`;
  }).join("\n");
  return figure(
    id,
    title,
    `<svg viewBox="0 0 ${width} ${height}" style="max-width:${width}px" role="img" ` +
      `aria-label="${html(title)}">\n${bars}\n</svg>`,
    rows.length === 0,
  );
}

/** Violations per time bucket, stacked by kind, with a legend. */
function timeChart(report: SecurityReport): string {
  const { buckets, bucketMs } = report.violationsOverTime;
  const title = "Violations over time";
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const kinds = [...new Set(buckets.flatMap((b) => Object.keys(b.byKind)))].sort();
  const left = 40, plotW = 640, plotH = 180, top = 10, bottom = 40;
  const width = left + plotW + 10, height = top + plotH + bottom;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const slot = plotW / Math.max(1, buckets.length);
  const barW = Math.max(2, slot * 0.8);
  const label = (iso: string) =>
    bucketMs >= 86_400_000 ? iso.slice(0, 10) : iso.slice(5, 16).replace("T", " ");
  const step = Math.max(1, Math.ceil(buckets.length / 6));
  const bars = buckets.map((b, i) => {
    let y = top + plotH;
    const x = left + i * slot + (slot - barW) / 2;
    const parts = kinds.filter((k) => b.byKind[k]).map((k) => {
      const h = (b.byKind[k] / max) * plotH;
      y -= h;
      return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${
        h.toFixed(1)
      }" fill="${colour(k)}"><title>${html(b.start)} ${html(k)}: ${b.byKind[k]}</title></rect>`;
    }).join("");
    const tick = i % step === 0
      ? `<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${
        top + plotH + 16
      }" text-anchor="middle" class="tick">${html(label(b.start))}</text>`
      : "";
    return `<g class="bucket">${parts}${tick}</g>`;
  }).join("\n");
  const axis =
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${
      top + plotH
    }" class="axis"/>` +
    `<text x="${left - 6}" y="${top + 10}" text-anchor="end" class="tick">${max}</text>` +
    `<text x="${left - 6}" y="${top + plotH}" text-anchor="end" class="tick">0</text>`;
  const legend = kinds.map((k) =>
    `<span class="key"><i style="background:${colour(k)}"></i>${html(k)}</span>`
  ).join(" ");
  return figure(
    "violations-over-time",
    title,
    `<svg viewBox="0 0 ${width} ${height}" style="max-width:${width}px" role="img" ` +
      `aria-label="${title}">\n${axis}\n${bars}\n</svg>\n<p class="legend">${legend}${
        bucketMs ? ` (${html(bucketLabel(bucketMs))} per bar)` : ""
      }</p>`,
    total === 0,
  );
}

function bucketLabel(bucketMs: number): string {
  const units: [number, string][] = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "min"]];
  for (const [size, name] of units) {
    if (bucketMs % size === 0) {
      const n = bucketMs / size;
      return `${n} ${name}${n === 1 || name === "min" ? "" : "s"}`;
    }
  }
  return fmtMs(bucketMs);
}

/** Runs by outcome as a donut, with a legend. */
function outcomeChart(report: SecurityReport): string {
  const title = "Runs by outcome";
  const total = report.outcomes.reduce((n, c) => n + c.count, 0);
  const r = 60, c = 2 * Math.PI * r;
  let offset = 0;
  const arcs = report.outcomes.map((o) => {
    const len = (o.count / Math.max(1, total)) * c;
    const arc =
      `<circle class="arc" cx="90" cy="90" r="${r}" fill="none" stroke="${
        colour(o.key)
      }" stroke-width="28" stroke-dasharray="${len.toFixed(2)} ${(c - len).toFixed(2)}" ` +
      `stroke-dashoffset="${(-offset).toFixed(2)}" transform="rotate(-90 90 90)"><title>${
        html(o.key)
      }: ${o.count}</title></circle>`;
    offset += len;
    return arc;
  }).join("\n");
  const legend = report.outcomes.map((o) =>
    `<span class="key"><i style="background:${colour(o.key)}"></i>${html(o.key)} ${o.count} (${
      Math.round((o.count / Math.max(1, total)) * 100)
    }%)</span>`
  ).join(" ");
  return figure(
    "runs-by-outcome",
    title,
    `<svg viewBox="0 0 180 180" style="max-width:180px" role="img" aria-label="${title}">\n${arcs}\n` +
      `<text x="90" y="96" text-anchor="middle" class="big">${total}</text></svg>\n` +
      `<p class="legend">${legend}</p>`,
    total === 0,
  );
}

/** Runs by duration, as vertical bars. */
function latencyChart(report: SecurityReport): string {
  const title = "Latency (script execution time)";
  const lat = report.latency;
  const hist = lat?.histogram ?? [];
  const left = 36, plotW = 520, plotH = 150, top = 10, bottom = 34;
  const width = left + plotW + 10, height = top + plotH + bottom;
  const max = Math.max(1, ...hist.map((b) => b.count));
  const slot = plotW / Math.max(1, hist.length);
  let previous = 0;
  const bars = hist.map((b, i) => {
    const h = (b.count / max) * plotH;
    const x = left + i * slot + slot * 0.1;
    const range = b.upToMs < 0 ? `> ${fmtMs(previous)}` : `≤ ${fmtMs(b.upToMs)}`;
    previous = b.upToMs;
    return `<g class="bar"><rect x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${
      (slot * 0.8).toFixed(1)
    }" height="${h.toFixed(1)}" fill="#4263eb"><title>${html(range)}: ${b.count}</title></rect>` +
      `<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${
        top + plotH + 16
      }" text-anchor="middle" class="tick">${html(range)}</text></g>`;
  }).join("\n");
  const summary = lat
    ? `<p class="legend">p50 ${fmtMs(lat.p50)} · p95 ${fmtMs(lat.p95)} · p99 ${
      fmtMs(lat.p99)
    } · max ${fmtMs(lat.max)} over ${lat.count} runs</p>`
    : "";
  return figure(
    "latency",
    title,
    `<svg viewBox="0 0 ${width} ${height}" style="max-width:${width}px" role="img" ` +
      `aria-label="${title}">\n<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${
        top + plotH
      }" class="axis"/>\n${bars}\n</svg>\n${summary}`,
    !lat,
  );
}

function table(caption: string, head: string[], rows: (string | number)[][]): string {
  return `<div class="table"><table>\n<caption>${html(caption)}</caption>\n<tr>${
    head.map((h) => `<th>${html(h)}</th>`).join("")
  }</tr>\n` +
    (rows.length
      ? rows.map((r) => `<tr>${r.map((c) => `<td>${html(c)}</td>`).join("")}</tr>\n`).join("")
      : `<tr><td colspan="${head.length}">(none)</td></tr>\n`) +
    "</table></div>";
}

const STYLE = `
:root{color-scheme:light;--fg:#212529;--muted:#6c757d;--line:#dee2e6}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);margin:2rem auto;max-width:1200px;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .25rem}.sub{color:var(--muted);margin:0 0 1.5rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.75rem;margin-bottom:1.5rem}
.tile{border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem}
.tile b{display:block;font-size:1.5rem}.tile span{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:1rem}
figure.chart{border:1px solid var(--line);border-radius:8px;margin:0;padding:.75rem;min-width:0}
figure.chart svg{display:block;width:100%;height:auto}
figcaption{font-weight:600;margin-bottom:.5rem}.empty{color:var(--muted)}
svg text{font:12px system-ui,sans-serif;fill:var(--fg)}svg .tick{fill:var(--muted);font-size:11px}
svg .big{font-size:22px;font-weight:600}.axis{stroke:#adb5bd}
.legend{color:var(--muted);margin:.4rem 0 0}.key{margin-right:.8rem;white-space:nowrap}
.key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.table{overflow-x:auto;margin:1.25rem 0}table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding-bottom:.3rem}
td,th{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
td{font-family:ui-monospace,monospace;font-size:12.5px;overflow-wrap:break-word;max-width:40rem}`;

/**
 * Render a report as a self-contained HTML page: figures, charts as inline
 * SVG, tables; no scripts, no external resources (its Content-Security-Policy
 * forbids both); every string from the trail is escaped and made inert.
 *
 * @example
 * ```ts
 * import { renderReportHtml } from "./report_html.ts";
 * import { summarizeAudit } from "./report.ts";
 * import assert from "node:assert/strict";
 * const page = renderReportHtml(summarizeAudit(
 *   '{"type":"violation","ts":"2026-01-01T00:00:00Z","runId":"r","origin":"null","violation":{"kind":"import","detail":"<script>x</script>","at":1}}\n',
 * ));
 * assert.ok(page.includes("&lt;script&gt;x&lt;/script&gt;"));
 * assert.ok(!page.includes("<script>"));
 * assert.ok(page.includes('data-chart="violations-over-time"'));
 * ```
 */
export function renderReportHtml(
  report: SecurityReport,
  title = "pyfence security report",
): string {
  const violations = report.violationsByKind.reduce((n, c) => n + c.count, 0);
  const filters = Object.entries(report.filters).map(([k, v]) => `${k} ${v}`).join(", ");
  const span = report.span ? `${report.span.first} – ${report.span.last}` : "no timed events";
  const lat = report.latency;
  const tiles: [string | number, string][] = [
    [report.runs, "runs"],
    [
      report.runs ? `${Math.round((report.ok / report.runs) * 100)}%` : "–",
      `ok (${report.ok} of ${report.runs})`,
    ],
    [violations, "violations"],
    [report.limits.reduce((n, c) => n + c.count, 0), "limits hit"],
    [lat ? fmtMs(lat.p50) : "–", "median run"],
    [lat ? fmtMs(lat.p95) : "–", "p95 run"],
    [fmtMs(report.cpuTimeMs), "CPU time"],
    [fmtMiB(report.maxPeakMemoryBytes), "highest peak memory"],
  ];
  const runRows = (report.runList ?? []).map((r) => [
    r.start?.slice(0, 19).replace("T", " ") ?? "",
    r.runId,
    r.origin,
    r.caller ?? "",
    r.policy ?? "",
    r.outcome + (r.errorType ? ` (${r.errorType})` : ""),
    r.violations,
    r.durationMs === undefined ? "" : fmtMs(r.durationMs),
    r.cpuTimeMs === undefined ? "" : fmtMs(r.cpuTimeMs),
    r.peakMemoryBytes === undefined ? "" : fmtMiB(r.peakMemoryBytes),
  ]);
  return [
    "<!doctype html>",
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${html(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>${html(title)}</h1>`,
    `<p class="sub">${html(span)}${filters ? ` · ${html(filters)}` : ""}${
      report.violationsOmitted
        ? ` · violations past a run's cap (counted, not listed): ${report.violationsOmitted}`
        : ""
    }${report.malformedLines ? ` · malformed lines skipped: ${report.malformedLines}` : ""}</p>`,
    `<section class="tiles">${
      tiles.map(([v, l]) => `<div class="tile"><b>${html(v)}</b><span>${html(l)}</span></div>`)
        .join("")
    }</section>`,
    '<section class="grid">',
    timeChart(report),
    outcomeChart(report),
    barChart("violations-by-kind", "Violations by kind", report.violationsByKind),
    barChart("violations-by-origin", "Violations by origin", report.violationsByOrigin),
    barChart("blocked-modules", "Most often blocked modules", report.blockedModules),
    latencyChart(report),
    ...(report.violationsByCaller.length
      ? [barChart("violations-by-caller", "Violations by caller", report.violationsByCaller)]
      : []),
    ...(report.operations.length
      ? [barChart("operations", "Operations recorded", report.operations)]
      : []),
    "</section>",
    table(
      "Most frequent violations",
      ["count", "kind", "detail"],
      report.topViolations.map((v) => [v.count, v.kind, v.detail]),
    ),
    table("Errors", ["count", "error type"], report.errors.map((c) => [c.count, c.key])),
    ...(report.requestsByVerdict.length
      ? [
        table(
          "Network requests",
          ["count", "verdict"],
          report.requestsByVerdict.map((c) => [c.count, c.key]),
        ),
      ]
      : []),
    ...(report.runList
      ? [
        table(
          `Runs${report.runListOmitted ? ` (the ${report.runListOmitted} oldest not listed)` : ""}`,
          [
            "start",
            "run",
            "origin",
            "caller",
            "policy",
            "outcome",
            "violations",
            "time",
            "CPU",
            "memory",
          ],
          runRows,
        ),
      ]
      : []),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
