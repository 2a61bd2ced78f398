"""Safe stand-ins for standard-library members that would otherwise walk
attributes in C (str.format's cousins) or recurse in C deeper than the
JavaScript stack allows (json's C scanner crashes Pyodide at ~10^4 levels
instead of raising RecursionError)."""

import itertools
import json
import operator
import re

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = str.maketrans({"[": "\x02", "{": "\x02", "]": "\x00", "}": "\x00"})


def json_depth_ok(s, limit):
    """False when `s` nests JSON arrays/objects deeper than `limit`."""
    if isinstance(s, (bytes, bytearray)):
        s = bytes(s).decode("utf-8", "replace")
    if not isinstance(s, str) or s.count("[") + s.count("{") <= limit:
        return True
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", s)).translate(_STEP).encode("latin-1")
    # Each opener adds 2, each closer 0: depth after k brackets is prefix - k.
    deepest = max(map(operator.sub, itertools.accumulate(brackets), itertools.count(1)), default=0)
    return deepest <= limit


def make_replacements(limit, formatter_cls, guarded_getattr):
    def check(s):
        if not json_depth_ok(s, limit):
            raise RecursionError(f"JSON nested deeper than {limit} levels")

    class JSONDecoder(json.JSONDecoder):
        __doc__ = json.JSONDecoder.__doc__

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            scan = self.scan_once

            def scan_once(string, idx):
                check(string[idx:] if isinstance(string, str) else string)
                return scan(string, idx)
            self.scan_once = scan_once

        def raw_decode(self, s, idx=0):
            check(s[idx:] if isinstance(s, str) else s)
            return super().raw_decode(s, idx)

    default_decoder = JSONDecoder()

    def loads(s, *, cls=None, **kw):
        check(s)
        if cls is None and not kw:
            return default_decoder.decode(s.decode("utf-8") if isinstance(s, (bytes, bytearray)) else s)
        return json.loads(s, cls=cls or JSONDecoder, **kw)
    loads.__doc__ = json.loads.__doc__

    def load(fp, **kw):
        return loads(fp.read(), **kw)
    load.__doc__ = json.load.__doc__

    def attrgetter(*names):
        for n in names:
            if not isinstance(n, str):
                raise TypeError("attribute name must be a string")

        def get_one(obj, dotted):
            for part in dotted.split("."):
                obj = guarded_getattr(obj, part)
            return obj

        if len(names) == 1:
            return lambda obj: get_one(obj, names[0])
        return lambda obj: tuple(get_one(obj, n) for n in names)

    def methodcaller(name, *args, **kwargs):
        if not isinstance(name, str):
            raise TypeError("method name must be a string")
        return lambda obj: guarded_getattr(obj, name)(*args, **kwargs)

    hidden = None
    return {
        ("json", "loads"): loads, ("json", "load"): load,
        ("json", "JSONDecoder"): JSONDecoder, ("json.decoder", "JSONDecoder"): JSONDecoder,
        ("json", "scanner"): hidden, ("json.scanner", "make_scanner"): hidden,
        ("json.scanner", "c_make_scanner"): hidden, ("json.scanner", "py_make_scanner"): hidden,
        ("string", "Formatter"): formatter_cls,
        ("operator", "attrgetter"): attrgetter, ("operator", "methodcaller"): methodcaller,
    }
