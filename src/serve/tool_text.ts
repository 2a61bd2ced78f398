/**
 * What the MCP tools say to a model: descriptions built from the caller's
 * policies (what it may import, read and reach, and its limits, so that the
 * code it writes fits the sandbox), and each result as text a model reads
 * well. The script's output sits in fences longer than any backtick run in
 * it, so nothing it prints can pose as the summary around it.
 *
 * @module
 */
import type { CheckResult } from "../host/sandbox.ts";
import type { RunResult } from "../protocol/result.ts";
import type { PolicySummary } from "./schemas.ts";

function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return bytes >= 1024 ? `${+(bytes / 1024).toFixed(1)} KiB` : `${bytes} bytes`;
}

function moduleList(p: PolicySummary): string {
  if (p.modules.length === 0) return "none";
  return p.modules.map((m) => {
    const rule = p.members[m] as string[] | { deny?: string[] } | undefined;
    if (Array.isArray(rule)) return `${m} (only ${rule.join(", ")})`;
    if (rule?.deny?.length) return `${m} (without ${rule.deny.join(", ")})`;
    return m;
  }).join(", ");
}

function network(p: PolicySummary): string {
  if (p.origin === "null" || (!p.network.sameOrigin && p.network.cors.length === 0)) {
    return "none (no sockets, no HTTP).";
  }
  const targets = [
    ...(p.network.sameOrigin ? [p.origin] : []),
    ...p.network.cors.map((o) => `${o} (if its CORS headers allow ${p.origin})`),
  ];
  return `only HTTP to ${targets.join(", ")} through ` +
    "`from pyfence.web import fetch`; `fetch(url, method='GET', headers=None, body=None)` " +
    "returns a response with `.status`, `.headers`, `.text()` and `.json()`; relative URLs " +
    "resolve against the origin. No other hosts, no sockets, no urllib/requests.";
}

/** Imports models often reach for, named as refused unless the policy allows them. */
const COMMONLY_TRIED = [
  "os",
  "sys",
  "subprocess",
  "socket",
  "pathlib",
  "urllib",
  "requests",
  "numpy",
  "pandas",
  "micropip",
];

function policyText(p: PolicySummary, python: string): string {
  return [
    `Python ${python}; importable modules: ${moduleList(p)}. Any other import (${
      COMMONLY_TRIED.filter((m) => !p.modules.includes(m)).join(", ")
    }, ...) is refused and ends the run; nothing can be installed.`,
    `Files: ${
      p.files
        ? "open(name) reads only the files passed in `files`, read-only; nothing can be written."
        : "none: open() is refused."
    }`,
    `Network: ${network(p)}`,
    `Limits: ${p.limits.timeoutMs / 1000} s, ${p.limits.memoryMb} MiB memory, ` +
    `${size(p.limits.outputBytes)} of output, ${size(p.limits.codeBytes)} of code. ` +
    "exec, eval, compile, input() and private or dunder attribute tricks are refused.",
  ].join("\n");
}

function policiesText(policies: PolicySummary[], python: string): string {
  if (policies.length === 1) return policyText(policies[0], python);
  return policies.map((p) =>
    `Policy '${p.name}'${p.default ? " (used when `policy` is omitted)" : ""}:\n` +
    policyText(p, python)
  ).join("\n\n");
}

/** The description of the `run_python` tool for a caller with `policies`. */
export function runToolDescription(policies: PolicySummary[], python: string): string {
  return "Run Python code in a sandbox (CPython on WebAssembly) and get back what it printed. " +
    "Every call starts a fresh interpreter: nothing is kept between calls, so each script " +
    "must define and import everything it uses. print() the results you need (stdout and " +
    "stderr come back; a bare expression on the last line prints nothing).\n\n" +
    policiesText(policies, python);
}

/** The description of the `check_python` tool. */
export function checkToolDescription(): string {
  return "Check Python code against the sandbox's rules without running it: lists, with line " +
    "and column, every import, builtin, attribute access or dynamic code the sandbox would " +
    "refuse. Use it to fix code before run_python.";
}

/** A fenced block for `text` that nothing in `text` can close. */
function fenced(label: string, text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${label}:\n${fence}\n${text}${text.endsWith("\n") ? "" : "\n"}${fence}`;
}

/** A run's result as text for a model. */
export function runSummary(result: RunResult): string {
  const parts: string[] = [];
  if (result.ok) {
    parts.push(`The script ran to completion in ${Math.round(result.durationMs)} ms.`);
  } else if (result.violations.length) {
    parts.push(
      "The sandbox refused what the script tried, and ended it:\n" +
        result.violations.map((v) =>
          `- ${v.kind}: ${JSON.stringify(v.detail)}${v.line ? ` (line ${v.line})` : ""}`
        ).join("\n") +
        "\nOnly what the tool's description lists is available; rewrite the code without it.",
    );
  } else if (result.error) {
    parts.push(`The script failed: ${result.error.type}: ${JSON.stringify(result.error.message)}`);
  }
  if (!result.ok && result.error?.traceback) {
    parts.push(fenced("Traceback", result.error.traceback));
  }
  parts.push(result.stdout ? fenced("stdout", result.stdout) : "stdout: (empty)");
  if (result.stderr) parts.push(fenced("stderr", result.stderr));
  if (result.truncated) parts.push("The output was cut at the policy's output limit.");
  return parts.join("\n\n");
}

/** A check's result as text for a model. */
export function checkSummary(result: CheckResult): string {
  if (result.ok) return "No findings: the sandbox's static check accepts this code.";
  return "The sandbox would refuse:\n" +
    result.findings.map((f) =>
      `- ${f.line ? `line ${f.line}${f.col ? `:${f.col}` : ""}: ` : ""}${f.kind}: ${
        JSON.stringify(f.detail)
      }`
    ).join("\n");
}
