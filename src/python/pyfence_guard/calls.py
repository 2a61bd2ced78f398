"""Host calls, the script's side: the one channel through which a script
reaches its host (`pyfence.host`; per-origin storage and cookies later).
See src/protocol/host_call.ts for the rules both sides keep.

A value crosses only as JSON text of plain data, built here from a copy in
exact built-in types: subclasses of dict, list, tuple, str, int and float
are read through the built-in types' own C methods, so no method of the
script's runs while a value is converted, and no Python object reaches
JavaScript. Answers come back as JSON text and are parsed into new objects.

What the script sends over the caps (one call's size, the run's calls and
bytes) ends the run as a limit (`HostCallLimitError`); what the host does
wrong (it raised, or answered with something that cannot cross) raises
`HostError`, which the script may catch.
"""

import json
import math
import types

# Taken at import time, before the guard removes `pyodide` from sys.modules.
from pyodide.ffi import run_sync

from .caps import cut, type_name

_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_dumps_ascii = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode
_loads = json.loads
# JSON numbers are doubles on the host's side: larger ints would arrive changed.
_MAX_INT = 2 ** 53 - 1
_CALLABLE_TYPES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                   types.BuiltinMethodType, types.LambdaType, type)
_PLAIN = "only plain data crosses to the host: None, bool, int, float, str, and lists, tuples and dicts with str keys of them"


class HostError(Exception):
    """A host function failed: it raised (its message is all that crosses), or
    answered with something that is not plain data or is too large."""


class HostCallLimitError(Exception):
    """The run's budget of host calls or bytes is spent: the run ends."""


# Shown where the script finds them.
HostError.__module__ = HostCallLimitError.__module__ = "pyfence.host"


class _NotPlain(Exception):
    def __init__(self, problem):
        super().__init__(problem)
        self.problem = problem
        self.path = []


def _describe(value):
    t = type(value)
    if issubclass(t, _CALLABLE_TYPES):
        return "a class" if issubclass(t, type) else "a function"
    name = type_name(t)
    return f"{'an' if name[:1] in 'aeiouAEIOU' else 'a'} {name} object"


def plain_copy(value, max_depth):
    """A copy of `value` in exact built-in types, or _NotPlain saying what
    is not plain data and where. Never calls a method of the script's."""
    ancestors = set()

    def walk(v, depth):
        t = type(v)
        if t is str or t is bool or v is None:
            return v
        if t is int or (issubclass(t, int) and not issubclass(t, bool)):
            n = v if t is int else int.__int__(v)
            if -_MAX_INT <= n <= _MAX_INT:
                return n
            raise _NotPlain("an int beyond 2**53 (JSON numbers are doubles; pass it as a str)")
        if t is float or issubclass(t, float):
            f = v if t is float else float.__float__(v)
            if math.isfinite(f):
                return f
            raise _NotPlain(f"the float {f!r} (JSON has no such number)")
        if issubclass(t, str):
            return str.__str__(v)
        if issubclass(t, (list, tuple, dict)):
            key = id(v)
            if key in ancestors:
                raise _NotPlain("a cycle (a value that contains itself)")
            if depth >= max_depth:
                raise _NotPlain(f"nesting deeper than {max_depth} levels")
            ancestors.add(key)
            try:
                if issubclass(t, dict):
                    out = {}
                    for k, item in dict.items(v):
                        kt = type(k)
                        if kt is not str:
                            if not issubclass(kt, str):
                                raise _NotPlain(f"a dict key that is {_describe(k)}, not a str")
                            k = str.__str__(k)
                        try:
                            out[k] = walk(item, depth + 1)
                        except _NotPlain as e:
                            e.path.append(f"[{cut(repr(k), 60)}]")
                            raise
                    return out
                items = list.__iter__(v) if issubclass(t, list) else tuple.__iter__(v)
                out = []
                for i, item in enumerate(items):
                    try:
                        out.append(walk(item, depth + 1))
                    except _NotPlain as e:
                        e.path.append(f"[{i}]")
                        raise
                return out
            finally:
                ancestors.discard(key)
        raise _NotPlain(_describe(v))

    return walk(value, 0)


class HostChannel:
    """Calls to the host for one run: converts, budgets, and turns answers
    into values or exceptions. `host.call(service, name, data)` is the
    worker's function; it returns a promise of the answer's JSON text."""

    def __init__(self, run, host):
        self._run = run
        self._host = host
        config = run.config
        self._max_calls = config.host_calls
        self._max_bytes = config.host_call_bytes
        self._data_bytes = config.caps["host_data_bytes"]
        self._depth = config.caps["host_data_depth"]
        self.calls = 0
        self.bytes = 0

    def _limit(self, message):
        exc = HostCallLimitError(message)
        self._run.unwinder.terminate(exc)
        raise exc

    def encode(self, args, label):
        """JSON text of the argument list `args`, or TypeError naming what cannot cross."""
        try:
            copy = plain_copy(list(args), self._depth)
        except _NotPlain as e:
            # The list itself always crosses: the path starts at an argument's index.
            index, *inner = e.path[::-1]
            what = f"{label} argument {int(index[1:-1]) + 1}{''.join(inner)}"
            raise TypeError(f"{what}: {e.problem} cannot cross; {_PLAIN}") from None
        try:
            text = _dumps(copy)
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            # A lone surrogate: JSON's own escapes carry it.
            text = _dumps_ascii(copy)
            size = len(text)
        return text, size

    def call(self, service, name, args, label):
        """Call `name` of `service` with the list `args`; its answer as a new value."""
        data, size = self.encode(args, label)
        if size > self._data_bytes:
            self._limit(f"the arguments of {label} are {size} bytes of JSON; "
                        f"one call may carry at most {self._data_bytes}")
        if self.calls >= self._max_calls:
            self._limit(f"more than {self._max_calls} host calls in one run")
        if self.bytes + size > self._max_bytes:
            self._limit(f"host calls of this run would carry more than {self._max_bytes} bytes")
        self.calls += 1
        self.bytes += size
        # What the script printed so far reaches the caller before the host is asked.
        self._run.sink.flush()
        try:
            text = str(run_sync(self._host.call(service, name, data)))
        except Exception as e:
            raise HostError(f"{label} could not be called here ({type_name(type(e))})") from None
        answer = _loads(text)
        if answer["ok"]:
            return answer["data"]
        error = answer["error"]
        kind, message = error["type"], str(error["message"])
        if kind == "TimeoutError":
            exc = TimeoutError("time limit exceeded")
            self._run.unwinder.terminate(exc)
            raise exc
        if kind == "HostCallLimitError":
            self._limit(message)
        raise HostError(message)
