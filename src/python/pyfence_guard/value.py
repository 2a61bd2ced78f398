"""`result.value`: the value of the script's last statement when it is an
expression, as in a notebook cell. Plain data travels as JSON; anything
else as its repr(), which runs the script's own `__repr__` under the guard
and the deadline (it may raise: that is the run's error, as at a REPL)."""

import ast
import json
import math

from .caps import cut
from .transform import VALUE

# JSON numbers are doubles on the host's side: larger ints would arrive changed.
_MAX_INT = 2 ** 53
_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_dumps_ascii = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode
_NONE = object()


class _NotPlain(Exception):
    pass


def capture_last(tree):
    """Hand the value of a final expression statement to the guard's helper."""
    body = tree.body
    if body and isinstance(body[-1], ast.Expr):
        last = body[-1]
        call = ast.Call(func=ast.Name(id=VALUE, ctx=ast.Load()), args=[last.value], keywords=[])
        body[-1] = ast.copy_location(ast.Expr(value=ast.copy_location(call, last.value)), last)
    return tree


class Capture:
    """The helper's recording: the value, once the final expression ran."""

    def __init__(self):
        self.value = _NONE

    def reset(self):
        """No value yet (a session's next script)."""
        self.value = _NONE

    def helper(self):
        def capture(value):
            self.value = value
        return capture

    def encoded(self, caps):
        """{"json": text} or {"repr": text}, or None when there is no value."""
        value = self.value
        if value is _NONE or value is None:
            return None
        limit = caps["value_bytes"]
        try:
            _check_plain(value, caps["value_depth"], limit)
            text = _dumps(value)
            try:
                size = len(text.encode("utf-8"))
            except UnicodeEncodeError:
                # A lone surrogate: JSON's own escapes carry it.
                text = _dumps_ascii(value)
                size = len(text)
            if size <= limit:
                return {"json": text}
        except _NotPlain:
            pass
        shown = repr(value)
        return {"repr": cut(str.__str__(shown), limit)}


def _check_plain(value, max_depth, limit):
    """Raise _NotPlain unless `value` is plain data of exact built-in types,
    without cycles, nested at most `max_depth` deep and apparently within
    `limit` bytes of JSON (every visit costs: shared parts count each time).
    No method of the script's runs: only exact types are walked."""
    budget = [limit]
    on_path = set()

    def walk(v, depth):
        t = type(v)
        if t is str:
            budget[0] -= len(v) + 2
        elif t is int:
            if not -_MAX_INT <= v <= _MAX_INT:
                raise _NotPlain()
            budget[0] -= 1
        elif t is float:
            if not math.isfinite(v):
                raise _NotPlain()
            budget[0] -= 1
        elif t is bool or v is None:
            budget[0] -= 4
        elif t is list or t is tuple or t is dict:
            if depth >= max_depth or id(v) in on_path:
                raise _NotPlain()
            on_path.add(id(v))
            budget[0] -= 2
            if t is dict:
                for k, item in dict.items(v):
                    if type(k) is not str:
                        raise _NotPlain()
                    budget[0] -= len(k) + 3
                    walk(item, depth + 1)
            else:
                for item in v:
                    walk(item, depth + 1)
            on_path.discard(id(v))
        else:
            raise _NotPlain()
        if budget[0] < 0:
            raise _NotPlain()

    walk(value, 0)
