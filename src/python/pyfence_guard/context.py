"""Per-run state, created by execute(); nothing here exists at import time.

Failing closed without allocating. A refusal under `terminate`, and a guard
check that runs out of stack or memory, arm termination first, with a
reason made before the script ran (no formatting, no allocation), and only
then build their message and record. A check that failed is decided again
with what the guard kept back (HEADROOM frames, a memory reserve): a
refusal is recorded as the violation it is, otherwise the run ends as that
limit. The recursion limit comes back on every path; a record the host
could not be sent is sent once the script is over."""

import sys

from .caps import cut, type_name
from .errors import SCRIPT_FILENAME, ImportBlockedError, OutputLimitError, SecurityError
from .unwind import Stack

_getframe = sys._getframe
# What a violation raises: already reported when it reaches a guard handler.
GUARD_RAISED = (SecurityError, ImportBlockedError, OutputLimitError)
# Guard frames below the script's own (execute, exec, the helpers it calls).
GUARD_FRAMES = 30
# asyncio's frames between the guard and a top-level coroutine's.
ASYNC_FRAMES = 20
# Memory kept back for a check that fails out of memory, and for the result.
RESERVE_BYTES = 1 << 20
# The first run's reserve, made with the guard (in the snapshot): made at
# the start of a run, it would grow a snapshot's heap, which costs more than
# the rest of the run's setup.
_reserve = [bytearray(RESERVE_BYTES)]
# The detail of a violation whose own could not be built.
UNBUILT = "a refused operation (its details could not be built: out of memory or stack)"


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
        self.channel = None
        self._reported = 0
        self.stack = Stack(config.recursion + GUARD_FRAMES, ASYNC_FRAMES)
        # A C callable: the first statement of every guard failure path.
        self.headroom = self.stack.give
        # Reasons made now, for when nothing can be made later.
        self._refused = SecurityError("the script attempted something its policy forbids")
        self._out_of_memory = MemoryError("out of memory in a guard check")
        self._out_of_stack = RecursionError("maximum recursion depth exceeded (in a guard check)")
        self._broken = SecurityError("a guard check failed; the run is ended")
        # The limit a failed check armed, while the check is decided again.
        self._provisional = None
        self._reserve = _reserve if _reserve else [bytearray(RESERVE_BYTES)]
        # The last record not yet delivered (kind, detail, line).
        self._unsent_kind = None
        self._unsent_detail = None
        self._unsent_line = None

    def renew(self, config):
        """A session's next script: the same guard and globals, with this
        script's config and everything counted per script reset (the caller
        renews the unwinder and sink)."""
        self.config = config
        self._reported = 0
        self._provisional = None
        self._reserve = [bytearray(RESERVE_BYTES)]
        self._unsent_kind = None
        self._unsent_detail = None
        self._unsent_line = None

    def release(self):
        """Give back the memory kept for failing closed (once)."""
        self._reserve.clear()

    def report(self, kind, detail, line, probe=False):
        """Send one violation to the host: cut to the protocol's caps, never
        dropped below them; past the count cap, one last notice says so. A
        record that cannot be sent now (out of memory) is sent later.
        `probe`: an import refused under `imports: probe` (the run goes on)."""
        self._unsent_kind, self._unsent_detail, self._unsent_line = kind, detail, line
        self._reported += 1
        limit = self.config.caps["violations"]
        if self._reported > limit + 1:
            self._unsent_kind = None
            return
        if self._reported == limit + 1:
            detail, line, probe = f"more than {limit} violations; later ones are not listed", None, False
        try:
            self.sink.flush()
        except (MemoryError, RecursionError):
            pass
        try:
            if probe:
                self._host.violation(kind, cut(detail, self.config.caps["detail_bytes"]), line, True)
            else:
                self._host.violation(kind, cut(detail, self.config.caps["detail_bytes"]), line)
        except (MemoryError, RecursionError):
            return
        except Exception:
            pass
        self._unsent_kind = None

    def send_unsent(self):
        """Deliver the record report() could not send (the script is over)."""
        kind = self._unsent_kind
        if kind is None:
            return
        self._unsent_kind = None
        detail = self._unsent_detail
        try:
            self._host.violation(kind, cut(detail if type(detail) is str else UNBUILT,
                                           self.config.caps["detail_bytes"]), self._unsent_line)
        except Exception:
            try:
                self._host.violation(kind, UNBUILT, None)
            except Exception:
                pass

    def _arm(self, reason):
        """Make `reason` the run's end unless one is set already (a reason
        standing in until a better one is built is replaced), and arm the
        unwinder. Arming instruments the code on the stack: out of memory,
        the reserve pays for it."""
        unwinder = self.unwinder
        current = unwinder.reason
        if current is None or current is self._refused or current is self._provisional:
            unwinder.reason = reason
        try:
            unwinder.terminate(reason)
        except MemoryError:
            self.release()
            unwinder.terminate(reason)

    def violation(self, kind, detail, exc_type=SecurityError, ends=False):
        """Record a refusal and raise it. Under `terminate` (while a failed
        check is decided again, and when `ends`) the run ends: termination is
        armed before the message is built, so nothing failing afterwards lets
        the script go on. Out of memory or stack while building, the refusal
        still ends the run as a violation, its record sent once the script is over."""
        ending = ends or self.config.terminate or self._provisional is not None
        self._unsent_kind, self._unsent_detail, self._unsent_line = kind, detail, None
        try:
            if ending:
                self._arm(self._refused)
            exc = exc_type(cut(detail, self.config.caps["detail_bytes"]))
            if ending:
                self._arm(exc)
            self.report(kind, detail, script_line())
        except (MemoryError, RecursionError):
            self.headroom()
            self._arm(self._refused)
            raise self._refused
        finally:
            self.stack.restore()
        raise exc

    def tripped(self, kind, detail):
        """The tripwire (tripwire.py) saw what only a way around the guard
        causes: the run ends as that violation, whatever on_violation says."""
        self.violation(kind, detail, ends=True)

    def import_violation(self, name, why, probe=False):
        """A refused import. One of the script's own import statements
        (`probe`) under `imports: probe` raises a catchable ImportBlockedError
        and the run goes on; anything else is a violation like any other."""
        detail = f"import of '{name}' is not allowed ({why})"
        if probe and self.config.import_probe:
            self.report("import", detail, script_line(), probe=True)
            raise ImportBlockedError(cut(detail, self.config.caps["detail_bytes"]), name=name)
        self.violation("import", detail, ImportBlockedError)

    def check_failed(self, exc, kind, denied, retry=None, args=()):
        """A guard check raised `exc` (its caller gave the guard its headroom
        first): a `denied` exception is the violation it describes, anything
        else ends the run (fail_closed), deciding again with `retry(*args)`."""
        try:
            if type(exc) is denied:
                try:
                    detail = str(exc)
                except (MemoryError, RecursionError):
                    detail = UNBUILT
                self.violation(kind, detail)
            self.fail_closed(exc, kind, retry, args, None, denied)
        finally:
            self.stack.restore()

    def fail_closed(self, exc, kind, retry=None, args=(), kwargs=None, denied=()):
        """A check of the guard itself failed (out of stack, out of memory, a
        bug): the run ends, whatever the script catches. Callers first give
        the guard its headroom (self.headroom()). The reason is preallocated
        and armed before anything else; then, with the reserve released, the
        check is decided again (`retry`): a refusal ends the run as that
        violation (a `denied` it raises is one), anything else as the limit."""
        unwinder = self.unwinder
        try:
            if unwinder.reason is not None:
                raise _error_of(unwinder)
            if issubclass(type(exc), GUARD_RAISED):
                raise exc
            if issubclass(type(exc), MemoryError):
                reason = self._out_of_memory
            elif issubclass(type(exc), RecursionError):
                reason = self._out_of_stack
            else:
                reason = self._broken
            self.release()
            self._provisional = reason
            self._arm(reason)
            if reason is self._broken:
                self.report(kind, f"the guard's {kind} check failed ({type_name(type(exc))}); "
                                  "the run is ended", script_line())
            elif retry is not None:
                try:
                    if kwargs:
                        retry(*args, **kwargs)
                    else:
                        retry(*args)
                except denied as d:
                    self.violation(kind, str(d))
                except GUARD_RAISED:
                    raise
                except BaseException:
                    pass
            raise reason
        finally:
            self._provisional = None
            self.stack.restore()


def _error_of(unwinder):
    try:
        return unwinder.error()
    except (MemoryError, RecursionError):
        return unwinder.reason


def entry(run, kind):
    """Decorate a guard entry point: out of stack or memory anywhere inside
    it (the guard's own code or what it calls), the run ends, as the
    violation the call was when deciding it again says so, else as that
    limit. The wrapper is the frame that was entered, so it has room to say so."""
    def wrap(fn):
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except (RecursionError, MemoryError) as e:
                run.headroom()
                run.fail_closed(e, kind, fn, args, kwargs)
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
