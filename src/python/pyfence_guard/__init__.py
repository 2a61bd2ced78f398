"""pyfence guard: runs one untrusted script inside this (single-use) Pyodide
interpreter. The JS worker imports this package (possibly before a memory
snapshot, so importing captures no per-run state) and then calls exactly one
of execute() or check()."""

import io
import json
import sys

from . import check as _check
from . import config as _config
from . import transform
from .attrs import make_guard
from .builtins import make_builtins
from .context import Run
from .errors import SCRIPT_FILENAME, ImportBlockedError, OutputLimitError, SecurityError
from .modules import Importer, hide_host_modules
from .output import Sink, streams
from .stdlib import make_replacements
from .unwind import Unwinder
from .vfs import make_open
from .web import web_modules

__all__ = ["execute", "check", "SecurityError", "ImportBlockedError"]

_MESSAGE_CAP = 64 * 1024
_SIZE_OVERFLOW = ("too long", "index-sized", "too large", "cannot fit", "too many")
# Guard frames below the script's own (execute, exec, the helpers it calls).
_GUARD_FRAMES = 30

# Modules the guard itself provides to scripts (the `pyfence` package):
# callables f(run, host) -> {dotted name: module}, called once per run. Such
# modules are importable whatever the allow-list says, and reach the script
# through the same filtered proxies as any other module (extension point for
# pyfence.web: build types.ModuleType("pyfence") and ("pyfence.web"), set
# the submodule as an attribute of the package, return both).
MODULE_FACTORIES = [web_modules]


def check(code, config_json):
    """Static findings as a JSON list; never runs the code."""
    try:
        config = _config.load(config_json)
        return json.dumps(_check.findings(code, config))
    except BaseException as e:
        return json.dumps([{"kind": "error", "detail": f"{type(e).__name__}: {e}", "line": None, "col": None}])


def execute(code, config_json, host):
    """Run `code`; return the result JSON. Never raises."""
    try:
        return json.dumps(_execute(code, config_json, host))
    except BaseException as e:
        return json.dumps({"ok": False, "error": {"type": "GuardError", "message": _safe_str(e)[:1000], "traceback": ""}})


def _execute(code, config_json, host):
    config = _config.load(config_json)
    unwinder = Unwinder()
    unwinder.install()
    sink = Sink(host, config.output_bytes, unwinder)
    run = Run(config, host, unwinder, sink)
    try:
        return _run(run, code, config, host)
    except BaseException:
        # A deadline or limit that hit the guard's own setup or teardown.
        reason = unwinder.reason
        if reason is None:
            raise
        return _error(type(reason).__name__, str(reason), "")
    finally:
        unwinder.finish()
        sink.close()


def _run(run, code, config, host):
    if not isinstance(code, str):
        return _error("TypeError", "code must be a str", "")
    code = str.__str__(code)
    if config.static_check:
        found = _check.findings(code, config)
        if found:
            for f in found:
                run.report("static", f"{f['kind']}: {f['detail']}", f["line"])
            first = found[0]
            kind = {"import": "ImportBlockedError", "syntax": "SyntaxError"}.get(first["kind"], "SecurityError")
            return _error(kind, first["detail"], "")
    try:
        tree = transform.parse(code, config.code_bytes)
    except SyntaxError as e:
        return _error("SyntaxError", _syntax_message(e), "")
    except (MemoryError, RecursionError) as e:
        return _error(type(e).__name__, "source too complex", "")
    problems = transform.check_tree(tree, config)
    if problems:
        p = problems[0]
        is_import = p.kind == "import"
        run.report("import" if is_import else "static", p.detail, p.line)
        return _error("ImportBlockedError" if is_import else "SecurityError", p.detail, "")
    compiled = compile(transform.rewrite(tree), SCRIPT_FILENAME, "exec", dont_inherit=True)

    hide_host_modules()
    replacements = {}
    guard_modules = {}
    for factory in MODULE_FACTORIES:
        guard_modules.update(factory(run, host))
    importer = Importer(run, guard_modules, replacements)
    guard = make_guard(run, importer)
    run.guard = guard
    replacements.update(make_replacements(config.recursion, guard.SafeFormatter, guard.getattr))
    script_builtins = make_builtins(run, guard, importer, make_open(run))
    g = {"__name__": "__main__", "__doc__": None, "__builtins__": script_builtins}
    run.script_globals = g
    stdout, stderr = streams(run.sink)
    # sys.stdout/stderr stay the capped sink's streams after the run too: a
    # script __str__/__del__ running late must not reach Pyodide's own stdout.
    sys.stdout, sys.stderr, sys.stdin = stdout, stderr, io.StringIO("")
    sys.setrecursionlimit(config.recursion + _GUARD_FRAMES)
    exc = message = tb = None
    try:
        try:
            exec(compiled, g)
        except BaseException as e:
            exc = e
        # Still under the deadline: str() of the script's exception runs its code.
        if exc is not None and run.unwinder.reason is None:
            message = _safe_str(exc)
            tb = _traceback(exc, code)
    except BaseException as e:
        exc = e
    finally:
        run.unwinder.finish()
        run.sink.close()

    reason = run.unwinder.reason
    if reason is not None:
        # The first raise of the reason carries the frames where it happened.
        where = reason if reason.__traceback__ is not None else exc
        return _error(type(reason).__name__, str(reason), _traceback(where, code, str(reason), type(reason).__name__))
    if exc is None or (isinstance(exc, SystemExit) and exc.code in (None, 0)):
        return {"ok": True}
    if message is None:
        message, tb = "<unprintable>", ""
    room = config.output_bytes - run.sink.used
    if len(message) + len(tb) > max(room, 0):
        return _error(OutputLimitError.__name__, f"the error report exceeds the output limit ({config.output_bytes} bytes)", "")
    type_name = type(exc).__name__
    if isinstance(exc, OverflowError) and any(w in message for w in _SIZE_OVERFLOW):
        # 32-bit wasm refuses huge sizes with OverflowError before allocating.
        type_name = "MemoryError"
    return _error(type_name, message, tb)


def _error(type_name, message, traceback):
    return {"ok": False, "error": {"type": type_name, "message": message[:_MESSAGE_CAP], "traceback": traceback}}


def _syntax_message(e):
    msg = e.msg if isinstance(e.msg, str) else str(e)
    return f"{msg} (line {e.lineno})" if e.lineno else msg


def _safe_str(e):
    try:
        s = str(e)
        return s if type(s) is str else "<unprintable>"
    except BaseException:
        return "<unprintable>"


def _traceback(exc, code, message=None, type_name=None):
    """Only the script's frames, as CPython would print them."""
    if exc is None:
        return ""
    lines = code.splitlines()
    out = ["Traceback (most recent call last):\n"]
    tb = exc.__traceback__
    while tb is not None:
        f = tb.tb_frame
        if f.f_code.co_filename == SCRIPT_FILENAME:
            n = tb.tb_lineno
            out.append(f'  File "{SCRIPT_FILENAME}", line {n}, in {f.f_code.co_name}\n')
            if n and 0 < n <= len(lines) and lines[n - 1].strip():
                out.append(f"    {lines[n - 1].strip()[:200]}\n")
        tb = tb.tb_next
    if len(out) == 1:
        return ""
    if message is None:
        message = _safe_str(exc)
    out.append(f"{type_name or type(exc).__name__}: {message[:_MESSAGE_CAP]}\n")
    return "".join(out)
