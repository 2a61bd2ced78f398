"""Uncatchable termination: after terminate(), every line, jump, call, resume
and return in non-guard code raises again, so `except BaseException` and
`finally` cannot keep the script alive. sys.monitoring events stay off until
then, so a normal run pays nothing. (A raising sys.settrace tracer is removed
by CPython, which is why this is not built on settrace.)"""

import os
import signal
import sys
from functools import partial

_MON = sys.monitoring
_E = _MON.events
_EVENT_LIST = (
    _E.LINE, _E.JUMP, _E.BRANCH_LEFT, _E.BRANCH_RIGHT, _E.PY_START,
    _E.PY_RESUME, _E.PY_RETURN, _E.PY_YIELD, _E.CALL,
)
_EVENTS = 0
for _ev in _EVENT_LIST:
    _EVENTS |= _ev
_GUARD_DIR = os.path.dirname(__file__) + os.sep
_set_events = _MON.set_events
_setrecursionlimit = sys.setrecursionlimit
# Stack the guard may add to finish its own work when a check ran out of it
# (Stack.give); it is taken back on every path (Stack.restore).
HEADROOM = 64


def _free_tool_id():
    for tool in (4, 3, 2, 1):
        if _MON.get_tool(tool) is None:
            return tool
    raise RuntimeError("no free sys.monitoring tool id")


class Stack:
    """The run's recursion limit, and the headroom a failing guard check
    takes to finish: `give` is a C callable (a partial of
    sys.setrecursionlimit with a preallocated int), so calling it needs no
    Python frame and allocates nothing; `restore` puts the limit back."""

    def __init__(self, limit, coroutine_frames=0):
        self._base = limit
        self.limit = limit
        self._coroutine_frames = coroutine_frames
        # Above the limit of either kind of run (set() decides which).
        self.give = partial(_setrecursionlimit, limit + coroutine_frames + HEADROOM)
        # A frame at the limit cannot lower it to the limit (CPython refuses
        # a limit at or below the current depth): its caller is below, so
        # one frame above it does.
        self._near = limit + 2

    def set(self, coroutine=False):
        """Start the script: a coroutine (top-level `await`) runs below
        asyncio's frames, which get `coroutine_frames` more."""
        # From the base each time: a session's interpreter starts many scripts.
        self.limit = self._base + (self._coroutine_frames if coroutine else 0)
        self._near = self.limit + 2
        _setrecursionlimit(self.limit)

    def restore(self):
        """Back to the run's limit (out of stack or memory, as near as it can)."""
        try:
            _setrecursionlimit(self.limit)
        except (RecursionError, MemoryError):
            try:
                _setrecursionlimit(self._near)
            except (RecursionError, MemoryError):
                pass


class Unwinder:
    def __init__(self):
        self.reason = None
        self._finished = False
        self._tool = None
        # Preallocated: a deadline may arrive with no memory left.
        self._timeout = TimeoutError("time limit exceeded")

    def install(self):
        self._tool = _free_tool_id()
        _MON.use_tool_id(self._tool, "pyfence")
        for ev in _EVENT_LIST:
            _MON.register_callback(self._tool, ev, self._event)
        signal.signal(signal.SIGINT, self._on_interrupt)

    def terminate(self, exc):
        """Record why the run ends (the first reason wins), then arm the
        events. Allocates nothing itself; arming instruments the code on
        the stack, which can fail out of memory (the reason is set by then)."""
        if self.reason is None:
            self.reason = exc
        if not self._finished:
            _set_events(self._tool, _EVENTS)

    def renew(self):
        """A session's next script: no reason yet, raising armed again on terminate()."""
        self.reason = None
        self._finished = False
        self._timeout = TimeoutError("time limit exceeded")

    def finish(self):
        """The script is over: stop raising, ignore late interrupts."""
        self._finished = True
        if self._tool is not None:
            _set_events(self._tool, 0)

    def error(self):
        return type(self.reason)(*self.reason.args)

    def _on_interrupt(self, signum, frame):
        if self._finished:
            return
        self.terminate(self._timeout)
        raise self._timeout

    def _event(self, code, *args):
        if code.co_filename.startswith(_GUARD_DIR):
            return _MON.DISABLE
        raise self.error()
