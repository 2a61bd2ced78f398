/**
 * The capability table of a {@link PermissionMap}: what the Python guard and
 * the Deno worker beneath it each do about every capability, with the exact
 * values. `pyfence policy explain` prints it.
 *
 * @module
 */
import type { GuardConfig } from "./guard_config.ts";
import type { HostLimits, PermissionMap, WorkerPermissions } from "./permissions.ts";
import { CAPS } from "../protocol/caps.ts";

/** One row of the capability table: what each layer does about one capability. */
export interface ExplainRow {
  /** The capability, e.g. `import`, `open()`, `HTTP / WebSocket`. */
  capability: string;
  /** What the Python guard does. */
  guard: string;
  /** What the Deno worker (and the host around it) does. */
  deno: string;
}

/** A package a policy installs (its `packages`, with their dependencies). */
export interface ExplainedPackage {
  /** Its name in the lock file. */
  name: string;
  /** Its version. */
  version: string;
  /** The wheel's file name. */
  fileName: string;
  /** The wheel's sha256 (hex), from the lock file. */
  sha256: string;
  /** The modules it provides. */
  imports: string[];
  /** Of those, the ones the script may import (`modules.allow`). */
  importable: string[];
  /** The listed package that pulled it in, if it is only a dependency. */
  requiredBy?: string;
}

/** Where a policy's packages come from, and which they are. */
export interface PackagePlan {
  /** Every package installed, listed or pulled in. */
  installed: ExplainedPackage[];
  /** The index the host fetches them from. */
  index: string;
  /** The lock file that pins them. */
  lock: string;
}

/** The capability table of a {@link PermissionMap}, for `pyfence policy explain`. */
export interface Explanation {
  /** The serialised origin, or `"null"`. */
  origin: string;
  /** The table rows, in a fixed order. */
  rows: ExplainRow[];
  /** The exact Deno worker permission descriptor. */
  deno: WorkerPermissions;
  /** The exact guard configuration, without file contents (names only). */
  guard: Omit<GuardConfig, "files"> & { files: string[] };
  /** The host limits. */
  limits: HostLimits;
  /** The policy's packages, when it has any. */
  packages?: PackagePlan;
}

function list(items: readonly string[]): string {
  return items.length === 0 ? "(none)" : items.join(", ");
}

/**
 * Explain a permission map as a capability table: rows for import, open(),
 * HTTP/WebSocket, storage, exec/eval/compile, JS bridge, CPU/time, memory,
 * recursion, output and packages; columns for the guard and the Deno worker,
 * with the exact values. Render it with {@link renderExplanation}, or print it
 * as JSON.
 *
 * @example
 * ```ts
 * import { loadPolicy } from "../policy/load.ts";
 * import { parseOrigin } from "./origin.ts";
 * import { permissionsFor } from "./permissions.ts";
 * import { explain } from "./explain.ts";
 * import assert from "node:assert/strict";
 * const map = permissionsFor(await loadPolicy("default"), parseOrigin("https://a.example"));
 * const http = explain(map).rows.find((r) => r.capability === "HTTP (pyfence.web)");
 * assert.equal(http?.deno, 'net: ["a.example:443"]');
 * ```
 */
export function explain(map: PermissionMap, packages?: PackagePlan): Explanation {
  const { deno, guard, limits } = map;
  const members = Object.entries(guard.modules.members).map(([m, r]) =>
    [
      r.allow ? `${m} only ${list(r.allow)}` : "",
      r.deny ? `${m} without ${list(r.deny)}` : "",
    ].filter(Boolean).join("; ")
  );
  const fileNames = Object.keys(guard.files).sort();
  const n = guard.network;
  const denyOpen = guard.builtins.deny.includes("open");
  const dyn = ["exec", "eval", "compile"];
  const dynDenied = dyn.filter((b) => guard.builtins.deny.includes(b));
  const netText = deno.net === false ? "net: false" : `net: ${JSON.stringify(deno.net)}`;

  const rows: ExplainRow[] = [
    {
      capability: "import",
      guard: `allow: ${list(guard.modules.allow)}; deny: ${list(guard.modules.deny)}` +
        (members.length ? `; members: ${members.join("; ")}` : "") +
        "; js, pyodide hidden",
      deno: "import: false (cached npm:/data: modules still load, under the same permissions)",
    },
    {
      capability: "open()",
      guard: denyOpen
        ? "denied (no virtual file system)"
        : `read-only virtual FS, ${fileNames.length} file(s): ${
          list(fileNames)
        }; writes and traversal raise`,
      deno: "read: false, write: false",
    },
    {
      capability: "HTTP (pyfence.web)",
      guard: n.origin === null
        ? "none (opaque origin null)"
        : `origin ${n.origin}; same-origin: ${n.same_origin ? "allowed" : "denied"}; ` +
          `CORS origins: ${list(n.cors)} (preflight + Access-Control-Allow-Origin checked)`,
      deno: netText,
    },
    {
      capability: "WebSocket, storage",
      guard: "not available in this version (network.websocket and storage.enabled are reserved)",
      deno: netText,
    },
    {
      capability: "host functions (pyfence.host)",
      guard:
        (guard.host_functions.length
          ? `only those the caller exposes: ${list(guard.host_functions)}`
          : "only those the caller exposes (run option expose)") +
        `; arguments and results as plain data (JSON, at most ${CAPS.host_data_bytes} bytes ` +
        `each); ${limits.hostCalls} calls and ${limits.hostCallBytes} bytes per run`,
      deno: "— (no handle on the host: calls are messages the host validates, " +
        "answers for this run's functions only)",
    },
    {
      capability: "exec / eval / compile",
      guard: dynDenied.length === dyn.length
        ? "denied (builtins.deny)"
        : `${guard.dynamic_code === "deny" ? "denied" : "guarded (checked like the script)"}` +
          (dynDenied.length ? `; removed: ${list(dynDenied)}` : ""),
      deno: "— (no code loading: import: false)",
    },
    {
      capability: "JS bridge",
      guard: "js and pyodide modules hidden; JS globals curated",
      deno: "env: false, run: false, ffi: false, sys: false",
    },
    {
      capability: "CPU / time",
      guard: `deadline of ${limits.timeoutMs} ms becomes an uncatchable unwind`,
      deno: `interrupt at ${limits.timeoutMs} ms, then the sandbox process is killed`,
    },
    {
      capability: "memory",
      guard: "— (MemoryError when growth is refused)",
      deno: `wasm memory growth capped at ${limits.memoryMb} MiB`,
    },
    {
      capability: "recursion",
      guard: `recursion limit ${guard.limits.recursion}`,
      deno: "—",
    },
    {
      capability: "output",
      guard: `stdout + stderr capped at ${guard.limits.output_bytes} bytes; ` +
        `script at ${guard.limits.code_bytes} bytes`,
      deno: `host stops the run past ${limits.outputBytes} bytes; ` +
        `rejects scripts over ${limits.codeBytes} bytes`,
    },
    {
      capability: "builtins",
      guard: `denied: ${list(guard.builtins.deny)}; restricted: ${list(guard.builtins.restrict)}`,
      deno: "—",
    },
    packagesRow(packages),
  ];
  const { files: _files, ...rest } = guard;
  return {
    origin: n.origin ?? "null",
    rows,
    deno: structuredClone(deno),
    guard: { ...structuredClone(rest), files: fileNames },
    limits: { ...limits },
    ...(packages?.installed.length ? { packages: structuredClone(packages) } : {}),
  };
}

/**
 * Installing is the host's business and grants nothing: a package's modules
 * are the script's only where `modules.allow` says so, like any module.
 */
function packagesRow(plan: PackagePlan | undefined): ExplainRow {
  // What the policy lists first, then what it pulled in.
  const installed = [...plan?.installed ?? []].sort((a, b) =>
    Number(a.requiredBy !== undefined) - Number(b.requiredBy !== undefined)
  );
  const describe = (p: ExplainedPackage) =>
    `${p.name} ${p.version}${p.requiredBy ? ` (for ${p.requiredBy})` : ""}: ` +
    (p.importable.length
      ? `import ${p.importable.join(", ")}`
      : `installed, not importable (${list(p.imports)} not in modules.allow)`);
  return {
    capability: "packages",
    guard: installed.length === 0
      ? "none installed; no installer (micropip, pyodide.loadPackage) is reachable"
      : `${installed.map(describe).join("; ")}; importing follows modules.allow; ` +
        "no installer (micropip, pyodide.loadPackage) is reachable",
    deno: installed.length === 0
      ? "—"
      : `wheels fetched by the host from ${plan!.index}, sha256 checked against ${plan!.lock}; ` +
        "the sandbox process may read only those cached files; the worker fetches nothing",
  };
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  out.push(line);
  return out;
}

/**
 * Render an {@link Explanation} as a plain-text table (wrapped to about
 * `width` columns), followed by the exact Deno permission descriptor.
 *
 * @example
 * ```ts
 * import { permissionsFor } from "./permissions.ts";
 * import { explain, renderExplanation } from "./explain.ts";
 * import { validatePolicy } from "../policy/load.ts";
 * import { parseOrigin } from "./origin.ts";
 * import assert from "node:assert/strict";
 * const map = permissionsFor(validatePolicy({ version: 1 }), parseOrigin());
 * const text = renderExplanation(explain(map), 100);
 * assert.match(text, /^origin: null\n/);
 * assert.match(text, /Deno worker permissions: \{"read":false,/);
 * ```
 */
export function renderExplanation(explanation: Explanation, width = 100): string {
  const c0 = Math.max(10, ...explanation.rows.map((r) => r.capability.length));
  const rest = Math.max(40, width - c0 - 6);
  const c1 = Math.floor(rest / 2);
  const c2 = rest - c1;
  const line = `${"-".repeat(c0)}-+-${"-".repeat(c1)}-+-${"-".repeat(c2)}`;
  const row = (a: string, b: string, c: string) =>
    `${a.padEnd(c0)} | ${b.padEnd(c1)} | ${c}`.trimEnd();
  const out = [
    `origin: ${explanation.origin}`,
    "",
    row("capability", "Python guard", "Deno worker / host"),
    line,
  ];
  for (const r of explanation.rows) {
    const g = wrap(r.guard, c1);
    const d = wrap(r.deno, c2);
    for (let i = 0; i < Math.max(g.length, d.length); i++) {
      out.push(row(i === 0 ? r.capability : "", g[i] ?? "", d[i] ?? ""));
    }
  }
  out.push(line, "", `Deno worker permissions: ${JSON.stringify(explanation.deno)}`);
  return out.join("\n");
}
