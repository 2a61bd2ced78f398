"""Per-run state, created by execute(); nothing here exists at import time."""

import sys

from .caps import cut, type_name
from .errors import SCRIPT_FILENAME, ImportBlockedError, OutputLimitError, SecurityError
from .unwind import HEADROOM, _getrecursionlimit, _setrecursionlimit

_getframe = sys._getframe
# What a violation raises: already reported when it reaches a guard handler.
GUARD_RAISED = (SecurityError, ImportBlockedError, OutputLimitError)


class Run:
    """What the guard's closures share for one script run."""

    def __init__(self, config, host, unwinder, sink):
        self.config = config
        self._host = host
        self.unwinder = unwinder
        self.sink = sink
        self.script_globals = None
        self.guard = None
        self.importer = None
        self._reported = 0

    def report(self, kind, detail, line, probe=False):
        """Send one violation to the host: cut to the protocol's caps, never
        dropped below them; past the count cap, one last notice says so.
        `probe`: an import refused under `imports: probe` (the run goes on)."""
        self._reported += 1
        limit = self.config.caps["violations"]
        if self._reported > limit + 1:
            return
        if self._reported == limit + 1:
            kind, detail, line, probe = kind, f"more than {limit} violations; later ones are not listed", None, False
        self.sink.flush()
        try:
            if probe:
                self._host.violation(kind, cut(detail, self.config.caps["detail_bytes"]), line, True)
            else:
                self._host.violation(kind, cut(detail, self.config.caps["detail_bytes"]), line)
        except Exception:
            pass

    def violation(self, kind, detail, exc_type=SecurityError):
        """Report, then raise; under `terminate` the script cannot go on."""
        exc = exc_type(cut(detail, self.config.caps["detail_bytes"]))
        # Terminate before reporting, so nothing that can fail (a recursion
        # limit in reach, a failing host call) lets the script go on.
        if self.config.terminate:
            self.unwinder.terminate(exc)
        self.report(kind, detail, script_line())
        raise exc

    def import_violation(self, name, why, probe=False):
        """A refused import. One of the script's own import statements
        (`probe`) under `imports: probe` raises a catchable ImportBlockedError
        and the run goes on; anything else is a violation like any other."""
        detail = f"import of '{name}' is not allowed ({why})"
        if probe and self.config.import_probe:
            self.report("import", detail, script_line(), probe=True)
            raise ImportBlockedError(cut(detail, self.config.caps["detail_bytes"]), name=name)
        self.violation("import", detail, ImportBlockedError)

    def fail_closed(self, exc, kind):
        """A check of the guard itself failed (out of stack, out of memory,
        a bug): the run ends as that limit or as a violation, whatever the
        script catches. Callers first give the guard stack to do this."""
        if self.unwinder.reason is not None:
            raise self.unwinder.error()
        if issubclass(type(exc), GUARD_RAISED):
            raise exc
        if issubclass(type(exc), RecursionError):
            reason = RecursionError(f"maximum recursion depth exceeded (in the guard's {kind} check)")
        elif issubclass(type(exc), MemoryError):
            reason = MemoryError(f"out of memory in the guard's {kind} check")
        else:
            reason = SecurityError(f"the guard's {kind} check failed ({type_name(type(exc))}); the run is ended")
            self.unwinder.terminate(reason)
            self.report(kind, str(reason), script_line())
            raise reason
        self.unwinder.terminate(reason)
        raise reason


def entry(run, kind):
    """Decorate a guard entry point: out of stack or memory anywhere inside
    it (the guard's own code or what it calls), the run ends as that limit.
    The wrapper is the frame that was entered, so it has room to say so."""
    def wrap(fn):
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except (RecursionError, MemoryError) as e:
                _setrecursionlimit(_getrecursionlimit() + HEADROOM)
                run.fail_closed(e, kind)
        guarded.__name__ = fn.__name__
        guarded.__qualname__ = fn.__qualname__
        guarded.__doc__ = fn.__doc__
        return guarded
    return wrap


def script_line():
    f = _getframe(1)
    while f is not None:
        if f.f_code.co_filename == SCRIPT_FILENAME:
            return f.f_lineno
        f = f.f_back
    return None
