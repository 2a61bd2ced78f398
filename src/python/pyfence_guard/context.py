"""Per-run state, created by execute(); nothing here exists at import time."""

import sys

from .errors import SCRIPT_FILENAME, ImportBlockedError, SecurityError


class Run:
    """What the guard's closures share for one script run."""

    def __init__(self, config, host, unwinder, sink):
        self.config = config
        self._host = host
        self.unwinder = unwinder
        self.sink = sink
        # Identity sets (ids, with the objects kept alive) so that a script
        # metaclass cannot answer `in` through a custom __eq__/__hash__.
        self._script_class_ids = set()
        self._script_classes = []
        self.imported = set()
        self.script_globals = None
        self.guard = None

    def add_script_class(self, cls):
        self._script_class_ids.add(id(cls))
        self._script_classes.append(cls)

    def is_script_class(self, cls):
        return id(cls) in self._script_class_ids

    def report(self, kind, detail, line):
        self.sink.flush()
        try:
            self._host.violation(kind, detail, line)
        except Exception:
            pass

    def violation(self, kind, detail, exc_type=SecurityError):
        """Report, then raise; under `terminate` the script cannot go on."""
        exc = exc_type(detail)
        # Terminate before reporting, so nothing that can fail (a recursion
        # limit in reach, a failing host call) lets the script go on.
        if self.config.terminate:
            self.sink.flush()
            self.unwinder.terminate(exc)
        self.report(kind, detail, script_line())
        raise exc

    def import_violation(self, name):
        self.violation("import", f"import of '{name}' is not allowed", ImportBlockedError)


def script_line():
    f = sys._getframe(1)
    while f is not None:
        if f.f_code.co_filename == SCRIPT_FILENAME:
            return f.f_lineno
        f = f.f_back
    return None
