/**
 * The text of `pyfence --help`, of each command's `--help`, and the usage
 * lines shown with a usage error.
 *
 * @module
 */
import { PACKAGE_HELP } from "./packages.ts";

const POLICY = `  --policy NAME|PATH   a built-in policy (see 'pyfence policy list') or a YAML
                       file (default: default)`;

const EXIT_CODES = `Exit codes: 0 ok, 1 the script raised, 2 usage or policy error,
3 security violation, 4 resource limit.`;

/** The usage lines of each command (`""`: the program as a whole). */
export const USAGE: Readonly<Record<string, string>> = {
  "":
    "Usage: pyfence COMMAND [options]   (commands: run, check, policy, report, cache, serve, mcp, help)",
  run: `Usage: pyfence run [--policy NAME|PATH] [--origin URL] [--file NAME=PATH]...
                   [--timeout MS] [--memory MB] [--json] [--audit FILE]
                   [--package-index URL] [--package-lock PATH] SCRIPT.py|-`,
  check: "Usage: pyfence check [--policy NAME|PATH] [--json] SCRIPT.py|-",
  policy:
    `Usage: pyfence policy explain [--policy NAME|PATH] [--origin URL] [--package-lock PATH] [--json]
       pyfence policy list [--json]`,
  report: "Usage: pyfence report [--format text|json|html] AUDIT.jsonl",
  cache: `Usage: pyfence cache path|clear|warm [--policy NAME|PATH]...
                          [--package-index URL] [--package-lock PATH]`,
  serve: `Usage: pyfence serve [--port N] [--hostname H] [--origin URL] [--policy NAME|PATH]...
                     [--config FILE]`,
  mcp: "Usage: pyfence mcp [--origin URL] [--policy NAME|PATH]...",
  help: "Usage: pyfence help [COMMAND]",
};

/** Full help of each command, and of the program as a whole (`""`). */
export const HELP: Readonly<Record<string, string>> = {
  "": `pyfence — run untrusted Python safely (Pyodide in a permission-mapped Deno worker)

Usage:
  pyfence run [options] SCRIPT.py|-       run a script in a fresh sandboxed interpreter
  pyfence check [options] SCRIPT.py|-     static analysis only; nothing is executed
  pyfence policy explain [options]        show the exact permissions a policy grants
  pyfence policy list                     list the built-in policies
  pyfence report [options] AUDIT.jsonl    security report over an audit trail
  pyfence cache path|clear|warm           the snapshot and package cache
  pyfence serve [options]                 the HTTP API (and MCP at /mcp)
  pyfence mcp [options]                   the MCP server over stdio, for an agent
  pyfence help [COMMAND]                  show help for a command
  pyfence --version                       show the versions of pyfence, Deno and Pyodide

Run 'pyfence COMMAND --help' for a command's options.

Exit codes:
  0  the script ran to its end (check: nothing found)
  1  the script raised an exception, or its interpreter crashed or could not start
  2  bad usage or a bad policy
  3  security violation (check: findings)
  4  resource limit: time, memory, output, recursion or code size
`,
  run: `${USAGE.run}

Runs SCRIPT (or standard input, for '-') in a fresh interpreter under a policy.
Without --json the script's stdout and stderr pass through (control characters
escaped on a terminal), and violations and the final error are reported on
stderr. With --json, stdout is exactly one JSON RunResult: {ok, stdout,
stderr, error?, violations, durationMs, peakMemoryBytes, truncated?}; a usage
error is {"error": {code, message, ...}} instead.

Options:
${POLICY}
  --origin URL         the script's origin, e.g. https://a.example; a full URL is
                       reduced to its origin (default: null, which has no network)
  --file NAME=PATH     make host file PATH readable to the script as NAME
                       (read-only; a regular file of at most 32 MiB; repeatable)
  --timeout MS         wall-clock limit in ms (may only tighten the policy's)
  --memory MB          memory limit in MiB (may only tighten the policy's)
  --json               print one JSON RunResult on stdout
  --audit FILE         append audit events (run start, violations, run end) to
                       FILE as JSON lines; see 'pyfence report'. A FILE that
                       cannot be written stops the command before the script runs
${PACKAGE_HELP}
  -h, --help           show this help

The first run of a policy on a machine fetches its packages and builds its
interpreter snapshot (a few seconds; progress is shown on a terminal); see
'pyfence cache warm'.

${EXIT_CODES}
`,
  check: `${USAGE.check}

Parses SCRIPT inside the sandbox and reports, with line and column (1-based),
every forbidden import, forbidden builtin, dunder or private attribute access,
dynamic code (exec/eval/compile) and other suspicious pattern. Nothing runs.

Options:
${POLICY}
  --json               print {"ok": bool, "findings": [...]} on stdout
  -h, --help           show this help

Exit codes: 0 nothing found, 2 usage or policy error, 3 findings.
`,
  policy: `${USAGE.policy}

explain: prints what a policy grants a script from ORIGIN, capability by
capability: the Python guard's rule and the exact Deno worker permission
descriptor beneath it, plus the limits and the sandbox process's flags. For
a policy that extends another, also the chain and the merged policy.
list: prints the built-in policies and their descriptions.

Options (explain):
${POLICY}
  --origin URL         the script's origin (default: null)
  --json               print the explanation (or the list) as JSON
${PACKAGE_HELP}
                       (explain reads the lock file; it fetches nothing)
  -h, --help           show this help

Exit codes: 0 ok, 2 usage or policy error.
`,
  report: `${USAGE.report}

Summarises an audit trail (the JSONL file a policy's audit.jsonl or
'pyfence run --audit' names, or one written by jsonlAuditSink): runs and how
they ended, violations by kind and by origin, and the most frequent
violations. Text written by scripts is shown escaped.

Options:
  --format FORMAT      text (default), json, or html (a self-contained page)
  --json               the same as --format json
  -h, --help           show this help

Exit codes: 0 ok, 2 usage error (e.g. the file cannot be read).
`,
  cache: `${USAGE.cache}

Every sandbox boots from a memory snapshot of Pyodide with the guard, the
policy's packages and its modules already imported. Snapshots are built on
first use and cached in $PYFENCE_CACHE_DIR, or pyfence/ under the Deno cache
directory, keyed by Pyodide version, guard sources, module set and packages;
the packages' wheels are cached in its packages/ directory, named by sha256.

  path                 print the cache directory
  clear                delete every cached snapshot and package (the next run
                       fetches and rebuilds)
  warm                 fetch the packages and build the snapshots now, e.g. in
                       a deploy build, so that runs need no network:
    --policy NAME|PATH   a policy to build for (repeatable; default: every
                         built-in policy)
${PACKAGE_HELP.split("\n").map((line) => `  ${line}`).join("\n")}
  -h, --help           show this help

Exit codes: 0 ok, 1 a package could not be fetched or a snapshot not built,
2 usage or policy error.
`,
  serve: `${USAGE.serve}

Serves the HTTP API: POST /v1/run, POST /v1/check, GET /v1/policies,
GET /v1/openapi.json, GET /healthz (no token needed), and the MCP tools over
streamable HTTP at POST /mcp. Every other request needs
'Authorization: Bearer TOKEN'; each caller's scripts run with the origin,
policies and quotas configured for its token, never with an origin a request
names. Errors are JSON: {"error": {"code", "message", "field"?}}.

Who may call:
  one caller           PYFENCE_TOKEN (environment; never a flag, which 'ps'
                       would show) with --origin and --policy
  several callers      --config FILE (or PYFENCE_CONFIG): YAML mapping tokens
                       to origins, policies and quotas; see the README
  no token at all      only on a loopback --hostname; requests must be
                       addressed to loopback and come from no web page

Options:
  --port N             the port (default 8000; 0 picks a free one)
  --hostname H         the address to listen on (default 127.0.0.1)
  --origin URL         the caller's origin (default PYFENCE_ORIGIN, else null:
                       no network for its scripts)
  --policy NAME|PATH   a policy the caller may use (repeatable; the first is
                       its default; default PYFENCE_POLICIES, else default)
  --config FILE        callers, tokens, origins, policies and quotas (YAML);
                       not together with PYFENCE_TOKEN, --origin or --policy
  -h, --help           show this help

It listens at once; "listening on" is printed once the interpreter snapshots
are built (once per machine) and a sandbox process is ready. SIGTERM or SIGINT drains it: it stops accepting, runs waiting for
their turn are answered 503, runs in progress finish (up to 30 s), then it
exits 0; a second signal stops it at once (exit 1).

Exit codes: 0 drained and stopped, 1 stopped by a second signal, 2 usage or
configuration error.
`,
  mcp: `${USAGE.mcp}

Serves the MCP tools run_python and check_python over stdio (JSON-RPC on
stdin and stdout; messages on stderr), for one client that starts it: an
agent or a desktop app. The tools' descriptions tell the model what the
policies allow. It ends when stdin closes, or on SIGTERM or SIGINT.

Options:
  --origin URL         the origin scripts run with (default PYFENCE_ORIGIN,
                       else null: no network)
  --policy NAME|PATH   a policy the tools may use (repeatable; the first is
                       the default; default PYFENCE_POLICIES, else default)
  -h, --help           show this help

Exit codes: 0 the client went away, 2 usage or policy error.
`,
  help: `${USAGE.help}

Shows the help of COMMAND, or of pyfence as a whole.
`,
};
