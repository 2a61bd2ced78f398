/**
 * The text of `pyfence --help` and of each subcommand's `--help`.
 *
 * @module
 */

const POLICY = `  --policy NAME|PATH   a built-in policy (default, strict, compute) or a YAML file
                       (default: default)`;

/** Help for each subcommand, and for the program as a whole (`""`). */
export const HELP: Record<string, string> = {
  "": `pyfence — run untrusted Python safely (Pyodide in a permission-mapped Deno worker)

Usage:
  pyfence run [options] SCRIPT.py|-       run a script in a fresh sandboxed interpreter
  pyfence check [options] SCRIPT.py|-     static analysis only; nothing is executed
  pyfence policy explain [options]        show the exact permissions a policy grants
  pyfence report [--json] AUDIT.jsonl     security report over an audit trail
  pyfence cache path|clear                where interpreter snapshots are cached; delete them
  pyfence help [COMMAND]                  show help for a command

Run 'pyfence COMMAND --help' for a command's options.

Exit codes:
  0  the script ran to its end (check: nothing found)
  1  the script raised an exception
  2  bad usage or a bad policy
  3  security violation (check: findings)
  4  resource limit: time, memory, output, recursion or code size
`,
  run: `Usage: pyfence run [options] SCRIPT.py|-

Runs SCRIPT (or standard input, for '-') in a fresh interpreter under a policy.
Without --json the script's stdout and stderr pass through, and violations and
the final error are reported on stderr. With --json, stdout is exactly one JSON
RunResult: {ok, stdout, stderr, error?, violations, durationMs,
peakMemoryBytes, truncated?}.

Options:
${POLICY}
  --origin URL         the script's origin, e.g. https://a.example; a full URL is
                       reduced to its origin (default: null, which has no network)
  --file NAME=PATH     make host file PATH readable to the script as NAME
                       (read-only; repeatable)
  --timeout MS         wall-clock limit in ms (may only tighten the policy's)
  --memory MB          memory limit in MiB (may only tighten the policy's)
  --json               print one JSON RunResult on stdout
  --audit FILE         append audit events (run start, violations, run end) to
                       FILE as JSON lines; see 'pyfence report'
  -h, --help           show this help

Exit codes: 0 ok, 1 the script raised, 2 usage or policy error,
3 security violation, 4 resource limit.
`,
  check: `Usage: pyfence check [options] SCRIPT.py|-

Parses SCRIPT inside the sandbox and reports, with line and column, every
forbidden import, forbidden builtin, dunder or private attribute access,
dynamic code (exec/eval/compile) and other suspicious pattern. Nothing runs.

Options:
${POLICY}
  --json               print {"ok": bool, "findings": [...]} on stdout
  -h, --help           show this help

Exit codes: 0 nothing found, 2 usage or policy error, 3 findings.
`,
  report: `Usage: pyfence report [--json] AUDIT.jsonl

Summarises an audit trail (the JSONL file a policy's audit.jsonl names, or
one written by jsonlAuditSink): runs and how they ended, violations by kind
and by origin, and the most frequent violations.

Options:
  --json               print the report as JSON
  -h, --help           show this help
`,
  cache: `Usage: pyfence cache path|clear

Every sandbox boots from a memory snapshot of Pyodide with the guard and the
policy's modules already imported. Snapshots are built on first use and cached
in $PYFENCE_CACHE_DIR, or pyfence/ under the Deno cache directory, keyed by
Pyodide version, guard sources and module set.

  path                 print the cache directory
  clear                delete every cached snapshot (the next run rebuilds)
  -h, --help           show this help
`,
  policy: `Usage: pyfence policy explain [options]

Prints what a policy grants a script from ORIGIN, capability by capability:
the Python guard's rule and the exact Deno worker permission descriptor
beneath it, plus the limits.

Options:
${POLICY}
  --origin URL         the script's origin (default: null)
  --json               print the explanation as JSON
  -h, --help           show this help
`,
};
