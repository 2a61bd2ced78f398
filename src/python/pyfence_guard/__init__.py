"""pyfence guard: runs one untrusted script inside this (single-use) Pyodide
interpreter. The JS worker imports this package (possibly before a memory
snapshot, so importing captures no per-run state) and then calls exactly one
of execute() or check() -- or, for a session (`config.session`), execute()
once per script of the session: the first builds the guard and the script's
globals as for a single run and keeps them (`_kept`), each later one renews
what is counted per script (unwinder, output budget, violation count, host
call budget, the final value's capture, the inputs) on the same guard and
globals. Between scripts no Python runs: the worker waits for its next job,
and the script's event loop ran inside the call that made it (aio.py).

Which check lives where:

  what                                       where
  ----------------------------------------   ------------------------------------------------
  the script's source: size, depth, names,   transform.py (check_tree, then the rewrite that
  imports, match patterns; then rewritten    routes attribute access and imports to the guard)
  static findings for `pyfence check`        check.py
  the walks over the script's tree           walk.py (ast's, less contexts and operators)
  where values cross into script code:       prologue.py (a second rewrite pass: parameters,
  parameters, yield, except, match           `x = yield`, `except as`, match captures) and
  bindings, writes to self                   crossings.py (the helpers it calls)
  the one table of dangerous values          membrane.py (refusal or stand-in, by type and
                                             identity; the traceback stand-in)
  what library code returns or yields        library_returns.py (sys.monitoring on library
  into script code                           code, checked by the membrane)
  attribute reads (private, dunder,          reads.py (decide(): by name and by who supplies
  frame and format names; getattr,           the value), ownership.py (what the script owns),
  hasattr, dir)                              namespaces.py (real dicts in real MROs)
  whose code a function is (the script's,    provenance.py (its code's file name, remembered
  the guard's, a library's)                  per function)
  attribute writes and deletes (setattr,     writes.py (hooks, metaclasses, functions,
  delattr, the __setattr__ stand-ins)        modules; the fast path for writes to self)
  __getattribute__/__setattr__/__delattr__   standins.py
  str.format, format_map, string.Formatter   formatter.py
  `match` class patterns                     matching.py
  class statements, the script's classes     classes.py
  imports, module proxies (members that      modules.py
  passed are kept in the proxy's own dict)
  the script's builtins                      builtins.py
  exec/eval/compile, script's and library's  dynamic.py
  library functions that pick namespaces,    library.py (patched for the run), stdlib.py
  copy them or walk attributes in C          (stand-ins: json, operator, string)
  open() and file names                      vfs.py (the host's rule, config.file_names)
  network                                    web.py (pyfence.web)
  output, caps                               output.py, caps.py
  violations, fail closed, termination       context.py, unwind.py, errors.py
  the configuration from the host            config.py
  putting one run's guard together           attrs.py (make_guard)
  beneath the rewrite: an audit-hook          tripwire.py
  tripwire for routes through C

Beneath the rewrite, tripwire.py installs a CPython audit hook for the run:
when the script's own code reaches a frame or code object (tb_frame,
gi_frame, f_code, __code__, sys._getframe), gc, tracing, audit hooks,
open, exec/compile/marshal, os, processes, sockets or native code through
C, by any route the guard did not see, the run ends as a violation. It is
a tripwire, not the boundary: routes that stay in Python (f_back,
f_globals, __globals__, type.__subclasses__) raise no audit event. Failing
closed (context.py) arms a preallocated reason before building anything.
"""

import ast
import builtins as _py_builtins
import importlib
import io
import json
import keyword
import opcode
import sys
import types

from . import aio
from . import check as _check
from . import config as _config
from . import library
from . import library_returns
from . import prologue
from . import transform
from . import tripwire
from . import web as _web
from .attrs import make_guard
from .builtins import denied_builtin, make_builtins
from .caps import cut, type_name
from .classes import Registry, make_build_class
from .context import Run, entry
from .calls import HostCallLimitError, HostChannel
from .dynamic import CompiledCode, Dynamic
from .errors import SCRIPT_FILENAME, ImportBlockedError, OutputLimitError, SecurityError
from .formatter import make_formatting
from .host import host_modules
from .matching import Pattern, make_match_class
from .modules import Importer, ModuleProxy, hide_host_modules
from .names import SCRIPT_MODULE
from .output import Sink, Stream, streams
from .stdlib import make_replacements
from .sysmod import sys_module
from .unwind import _GUARD_DIR, Unwinder
from .value import Capture, capture_last
from .vfs import Area, AreaFile, make_open
from .web import web_modules

__all__ = ["execute", "check", "SecurityError", "ImportBlockedError"]

# Modules library code imports lazily, on the script's behalf. They are
# loaded here, ahead of any run (in the snapshot): during a run, library
# code gets only modules loaded ahead (modules.py). tests/lazy_imports_test.ts
# finds the lazy imports of every allowed module's public functions.
LIBRARY_DEPENDENCIES = (
    "_sha2", "_strptime", "annotationlib", "copy", "encodings.idna", "encodings.punycode", "unicodedata",
)
for _name in LIBRARY_DEPENDENCIES:
    importlib.import_module(_name)

# What library code returns into script code passes the membrane: its code
# is instrumented now and after every import until the run starts (the
# snapshot imports the policy's modules after this), then by the importer.
library_returns.install()
_import_before_run = _py_builtins.__import__


def _import_and_instrument(*args, **kwargs):
    try:
        return _import_before_run(*args, **kwargs)
    finally:
        library_returns.instrument_new()


_py_builtins.__import__ = _import_and_instrument

_SIZE_OVERFLOW = ("too long", "index-sized", "too large", "cannot fit", "too many")
_real_compile = compile
_real_exec = exec
_real_eval = eval
# Answers that need no memory when there is none left.
_OUT_OF_MEMORY = json.dumps({"ok": False, "error": {"type": "MemoryError", "message": "out of memory"},
                             "cause": "memory"})
_OUT_OF_STACK = json.dumps({"ok": False, "error": {"type": "RecursionError",
                                                   "message": "maximum recursion depth exceeded"},
                            "cause": "recursion"})
_REFUSED = json.dumps({"ok": False, "error": {"type": "SecurityError",
                                              "message": "the script attempted something its policy forbids"}})
# What the guard's own accounting says ended a run ("cause" in the result):
# the reason it terminated with, by the class it raised (the guard's, never
# a script class of the same name). A script's exception of any name has no
# cause: the host reports it as the script's error.
_CAUSES = {TimeoutError: "time", MemoryError: "memory", RecursionError: "recursion",
           OutputLimitError: "output", HostCallLimitError: "calls"}
_RAISE_OPS = frozenset((opcode.opmap["RAISE_VARARGS"], opcode.opmap["RERAISE"]))


def check(code, config_json):
    """Static findings as a JSON list; never runs the code."""
    try:
        config = _config.load(config_json)
        caps = config.caps
        found = _check.findings(code, config)[: caps["findings"]]
        for f in found:
            f["detail"] = cut(f["detail"], caps["detail_bytes"])
        return json.dumps(found)
    except BaseException as e:
        return json.dumps([{"kind": "error", "detail": cut(f"{type(e).__name__}: {_safe_str(e)}", 1024)}])


def execute(code, config_json, host):
    """Run `code`; return the result JSON. Never raises."""
    try:
        return _execute(code, config_json, host)
    except MemoryError:
        return _OUT_OF_MEMORY
    except RecursionError:
        return _OUT_OF_STACK
    except BaseException as e:
        detail = f"{type(e).__name__}: {_safe_str(e)}"
        return json.dumps({"ok": False, "error": {"type": "GuardError", "message": cut(detail, 1000)},
                           "cause": "crash"})


class _Kept:
    """A session's guard and globals, between its scripts."""

    __slots__ = ("run", "globals", "builtins", "capture", "area")

    def __init__(self, run, g, d, capture, area):
        self.run, self.globals, self.builtins, self.capture, self.area = run, g, d, capture, area


# The session this interpreter serves, once its first script has set it up.
_kept = None


def _keep(kept):
    global _kept
    _kept = kept


def _execute(code, config_json, host):
    config = _config.load(config_json)
    if _kept is not None and config.session:
        run = _kept.run
        unwinder = run.unwinder
        sink = run.sink
        unwinder.renew()
        sink.renew(config.output_bytes, config.stream_output)
        run.renew(config)
        run.channel.renew(config)
        run.stack.restore()
        _web.reset_limit()
    else:
        unwinder = Unwinder()
        unwinder.install()
        sink = Sink(host, config.output_bytes, unwinder, config.caps["chunk_bytes"], config.stream_output)
        run = Run(config, host, unwinder, sink)
    try:
        try:
            result = _run(run, code, config, host)
        except BaseException:
            # A deadline or limit that hit the guard's own setup or teardown.
            reason = unwinder.reason
            if reason is None:
                raise
            result = _error(run, type(reason).__name__, str(reason), "", _CAUSES.get(type(reason)))
        finally:
            unwinder.finish()
            run.release()
            run.send_unsent()
            sink.close()
        return json.dumps(result)
    except MemoryError:
        # Out of memory even for the answer: what ended the run, prebuilt.
        reason = unwinder.reason
        if issubclass(type(reason), (SecurityError, ImportBlockedError)):
            return _REFUSED
        if issubclass(type(reason), RecursionError):
            return _OUT_OF_STACK
        return _OUT_OF_MEMORY


def _compile(run, code, config):
    """The script's code object, or the result that refuses it."""
    try:
        tree = transform.parse(code, config.code_bytes)
    except SyntaxError as e:
        return None, _error(run, "SyntaxError", _syntax_message(e), "")
    except (MemoryError, RecursionError) as e:
        return None, _error(run, type(e).__name__, "source too complex", "", _CAUSES.get(type(e)))
    if config.static_check:
        # A literal path open() refuses is left to the run, which refuses it
        # as a filesystem violation where it happens.
        found = [f for f in _check.findings_in(tree, code, config, probes=config.import_probe)
                 if f["kind"] != "filesystem"]
        if found and found[0]["kind"] == "syntax":
            return None, _error(run, "SyntaxError", _where(found[0]), "")
        if found:
            for f in found:
                run.report("static", f"{f['kind']}: {f['detail']}", f.get("line"))
            first = found[0]
            kind = "ImportBlockedError" if first["kind"] == "import" else "SecurityError"
            return None, _error(run, kind, first["detail"], "")
    else:
        problems = transform.check_tree(tree, config)
        if problems:
            p = problems[0]
            if p.kind == "syntax":
                return None, _error(run, "SyntaxError", f"{p.detail} (line {p.line})", "")
            is_import = p.kind == "import"
            run.report("import" if is_import else "static", p.detail, p.line)
            return None, _error(run, "ImportBlockedError" if is_import else "SecurityError", p.detail, "")
    tree, flags = transform.rewrite(capture_last(tree))
    # Functions only the script's own calls reach: text compiled later may not name them.
    run.called_only = prologue.add(tree, whole_script=True)
    # Top-level `await` makes the module's code a coroutine (run by aio.py).
    flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    return _real_compile(tree, SCRIPT_FILENAME, "exec", flags=flags, dont_inherit=True), None


def _run(run, code, config, host):
    if type(code) is not str:
        return _error(run, "TypeError", "code must be a str", "")
    compiled, refused = _compile(run, code, config)
    if refused is not None:
        return refused
    if _kept is not None and config.session:
        return _run_again(run, compiled, code, config, host)

    hide_host_modules(_config.ALWAYS_DENIED)
    registry = Registry(sys.modules)
    replacements = {}
    guard_modules = {}
    importer = Importer(run, guard_modules, replacements, registry)
    run.importer = importer
    guard = None

    def guarded_getattr(obj, name):
        return guard.getattr(obj, name)

    formatting = make_formatting(guarded_getattr, lambda name: guard.as_name(name), entry(run, "attribute"))
    guard = make_guard(run, importer, registry, formatting,
                       (ModuleProxy, CompiledCode, Pattern, Stream, AreaFile))
    run.guard = guard
    run.formatting = formatting
    replacements.update(make_replacements(config.recursion, formatting.Formatter, guard.getattr,
                                        guard.crossings.handed))
    replacements.update(aio.make_asyncio(run, host))
    channel = HostChannel(run, host)
    run.channel = channel
    guard_modules.update(web_modules(run, host, channel, replacements[("json", "loads")]))
    guard_modules.update(host_modules(guard_modules["pyfence"], channel, config.host_functions))

    script_module = types.ModuleType(SCRIPT_MODULE)
    g = script_module.__dict__
    run.script_globals = g
    area = Area(config) if config.writable else None
    open_ = make_open(run, area)
    d, dynamic = make_builtins(
        run, guard, importer, open_, make_build_class(run, registry), make_match_class(run, guard, registry),
        lambda d: Dynamic(run, d, g, guard.checked, importer.importing, guard.membrane),
    )
    g["__builtins__"] = d
    run.script_builtins = d
    capture = Capture()
    d[transform.VALUE] = capture.helper()
    _bind_inputs(g, d, config.inputs)
    library.harden(run, guard, importer, dynamic, open_, denied_builtin, script_module)

    def after_load():
        library.patch_loaded(run, guard, dynamic)
        library_returns.instrument_new()
        guard.membrane.refresh_modules()

    importer.after_load = after_load
    library_returns.instrument_new()
    guard.membrane.refresh_modules()

    stdout, stderr = streams(run.sink)
    guard_modules["sys"] = sys_module(stdout, stderr)
    # sys.stdout/stderr stay the capped sink's streams after the run too: a
    # script __str__/__del__ running late must not reach Pyodide's own stdout.
    sys.stdout, sys.stderr, sys.stdin = stdout, stderr, io.StringIO("")
    tripwire.install(run.tripped, importer.importing)
    if config.session:
        _keep(_Kept(run, g, d, capture, area))
    return _start(run, compiled, code, config, host, g, capture, area)


def _run_again(run, compiled, code, config, host):
    """A session's later script, in the globals its earlier ones left."""
    kept = _kept
    kept.capture.reset()
    _bind_inputs(kept.globals, kept.builtins, config.inputs)
    return _start(run, compiled, code, config, host, kept.globals, kept.capture, kept.area)


def _start(run, compiled, code, config, host, g, capture, area):
    is_async = compiled.co_flags & aio.CO_COROUTINE
    run.stack.set(coroutine=is_async)
    exc = value = None
    # Left on after the script: its __str__ and late finalizers are script code too.
    library_returns.activate(run.guard.membrane, run.guard.refuse, run.headroom)
    try:
        if is_async:
            aio.run_main(_real_eval(compiled, g))
        else:
            _real_exec(compiled, g)
        # Still the script's time: a repr() runs its code.
        value = capture.encoded(config.caps)
    except BaseException as e:
        exc = e
    return _outcome(run, config, code, exc, value, area, host)


def _bind_inputs(g, d, inputs):
    """The caller's inputs as globals (the host vetted them; this repeats the
    part the guard relies on: no dunder, no helper, no builtin shadowed)."""
    for name, value in inputs.items():
        if type(name) is not str or not name.isidentifier() or name[:2] == "__" or name in d \
                or keyword.iskeyword(name) or keyword.issoftkeyword(name):
            raise _config.ConfigError(f"input name {name!r} is not allowed")
        g[name] = value


def _outcome(run, config, code, exc, value=None, area=None, host=None):
    message = tb = None
    try:
        # Still under the deadline: str() of the script's exception runs its code.
        if exc is not None and run.unwinder.reason is None:
            message = _safe_str(exc)
            tb = _traceback(exc, code)
    except BaseException as e:
        exc = e
    finally:
        run.unwinder.finish()
        run.release()
        run.send_unsent()
        run.sink.close()

    reason = run.unwinder.reason
    if area is not None and area.files and not issubclass(type(reason), (SecurityError, ImportBlockedError)):
        # A violation that ended the run voids what it wrote (the host drops it too).
        area.send(host, config.caps["chunk_bytes"])
    if reason is not None:
        # The first raise of the reason carries the frames where it happened.
        where = reason if reason.__traceback__ is not None else exc
        return _error(run, type_name(type(reason)), str(reason),
                      _traceback(where, code, str(reason), type_name(type(reason))),
                      _CAUSES.get(type(reason)))
    code = exc.code if type(exc) is SystemExit else 1
    if exc is None or code is None or (type(code) is int and code == 0):
        return {"ok": True, "value": value} if value is not None else {"ok": True}
    if message is None:
        message = "<unprintable>"
    elif not message and issubclass(type(exc), MemoryError):
        message = "out of memory"
    if tb is None:
        # Out of memory (or a limit) while formatting it: the message alone.
        tb = ""
    room = config.output_bytes - run.sink.used
    if len(message.encode("utf-8", "surrogatepass")) + len(tb.encode("utf-8", "surrogatepass")) > max(room, 0):
        return _error(run, OutputLimitError.__name__,
                      f"the error report exceeds the output limit ({config.output_bytes} bytes)", "", "output")
    name = type_name(type(exc))
    if name != type(exc).__name__:
        message = f"[{cut(repr(type(exc).__name__), 200)}] {message}"
    cause = _script_cause(run, exc)
    if (issubclass(type(exc), OverflowError) and any(w in message for w in _SIZE_OVERFLOW)
            and not _raised_by_statement(exc)):
        # 32-bit wasm refuses huge sizes with OverflowError before allocating.
        name, cause = "MemoryError", "memory"
    return _error(run, name, message, tb, cause)


def _script_cause(run, exc):
    """A limit the script's exception stands for by the guard's facts, not its name."""
    if exc is not None and exc is _web.raised_limit:
        return "websocket" if type(exc) is _web.WebSocketLimitError else "response"
    if type(exc) is RecursionError and not _raised_by_statement(exc):
        # Raised by the interpreter's own depth check (Python or C), not by a
        # `raise` statement of the script's.
        return "recursion"
    return None


def _raised_by_statement(exc):
    """Whether `exc` left its innermost frame at a raise statement of code
    not the guard's (the guard raises a limit on purpose: its json stand-in's
    depth cap)."""
    tb = exc.__traceback__
    if tb is None:
        return True
    while tb.tb_next is not None:
        tb = tb.tb_next
    if tb.tb_frame.f_code.co_filename.startswith(_GUARD_DIR):
        return False
    code = tb.tb_frame.f_code.co_code
    return not 0 <= tb.tb_lasti < len(code) or code[tb.tb_lasti] in _RAISE_OPS


def _error(run, type_name_, message, traceback, cause=None):
    caps = run.config.caps
    result = {"ok": False, "error": {
        "type": type_name_,
        "message": cut(message, caps["message_bytes"]),
        "traceback": cut(traceback, caps["traceback_bytes"]),
    }}
    if cause is not None:
        result["cause"] = cause
    return result


def _where(finding):
    line = finding.get("line")
    return f"{finding['detail']} (line {line})" if line else finding["detail"]


def _syntax_message(e):
    msg = e.msg if type(e.msg) is str else str(e)
    return f"{msg} (line {e.lineno})" if e.lineno else msg


def _safe_str(e):
    try:
        s = str(e)
        return s if type(s) is str else "<unprintable>"
    except BaseException:
        return "<unprintable>"


def _traceback(exc, code, message=None, type_name_=None):
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
    out.append(f"{type_name_ or type_name(type(exc))}: {message}\n")
    return "".join(out)
