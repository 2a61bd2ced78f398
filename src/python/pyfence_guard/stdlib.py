"""Safe stand-ins for standard-library members that would otherwise walk
attributes in C (str.format's cousins, operator's getters) or recurse in C
deeper than the JavaScript stack allows (json's C scanner crashes Pyodide
at ~10^4 levels instead of raising RecursionError). A stand-in shares no
class with what it replaces: nothing reflective on it leads back."""

import itertools
import json
import operator

from .identity import identity

# Outside JSON strings, brackets become the steps of the depth count (an
# opener 2, a closer 0); every other ASCII character is dropped.
_STEPS = {c: None for c in range(128)}
_STEPS.update({ord("["): 2, ord("{"): 2, ord("]"): 0, ord("}"): 0})
_RealDecoder = json.JSONDecoder
_real_loads = json.loads


def json_depth_ok(s, limit):
    """False when `s` nests JSON arrays/objects deeper than `limit`, counted
    as the scanner meets them (brackets inside strings do not count; past
    the first error, text may count that the scanner never reads)."""
    if type(s) is bytes or type(s) is bytearray:
        s = bytes(s).decode("utf-8", "replace")
    elif type(s) is not str and issubclass(type(s), str):
        # The scanner reads a subclass's characters, never its methods.
        s = str.__str__(s)
    if type(s) is not str or s.count("[") + s.count("{") <= limit:
        return True
    if "\\" in s:
        # Backslashes pair from the left, as the scanner reads escapes; one
        # left over escapes the next character, a quote included.
        s = s.replace("\\\\", "").replace('\\"', "")
    # The quotes left alternate: outside a string, inside, outside...
    steps = "".join(s.split('"')[::2]).translate(_STEPS).encode("ascii", "ignore")
    # Depth after k brackets is the sum of the first k steps, less k.
    deepest = max(map(operator.sub, itertools.accumulate(steps), itertools.count(1)), default=0)
    return deepest <= limit


def make_json(limit, handed):
    """json.loads / json.load / JSONDecoder with a nesting limit. What the
    real decoder returns is plain data unless a hook or another decoder
    class made it: then it passes `handed` (crossings.py) first."""

    def check(s):
        if not json_depth_ok(s, limit):
            raise RecursionError(f"JSON nested deeper than {limit} levels")

    decoders = {}  # identity(stand-in) -> (stand-in, real decoder): out of the script's reach

    class JSONDecoder:
        __doc__ = _RealDecoder.__doc__

        def __init__(self, *, object_hook=None, parse_float=None, parse_int=None, parse_constant=None,
                      strict=True, object_pairs_hook=None):
            self.object_hook = object_hook
            self.parse_float = parse_float
            self.parse_int = parse_int
            self.parse_constant = parse_constant
            self.strict = strict
            self.object_pairs_hook = object_pairs_hook
            decoders[identity(self)] = (self, _RealDecoder(
                object_hook=object_hook, parse_float=parse_float, parse_int=parse_int,
                parse_constant=parse_constant, strict=strict, object_pairs_hook=object_pairs_hook))

        def _real(self):
            entry = decoders.get(identity(self))
            if entry is None or entry[0] is not self:
                raise TypeError("JSONDecoder.__init__() was not called")
            return entry[1]

        def _hooked(self):
            return self.object_hook is not None or self.parse_float is not None or self.parse_int is not None \
                or self.parse_constant is not None or self.object_pairs_hook is not None

        def decode(self, s):
            check(s)
            value = self._real().decode(s)
            return handed(value, "what json's hooks made") if self._hooked() else value

        def raw_decode(self, s, idx=0):
            # One int: what is checked is where the scanner starts (an
            # __index__ may answer differently each time it is asked).
            idx = operator.index(idx)
            check(str.__str__(s)[idx:] if issubclass(type(s), str) else s)
            value = self._real().raw_decode(s, idx)
            return handed(value, "what json's hooks made") if self._hooked() else value

    JSONDecoder.__module__ = "json.decoder"
    # Checked already: loads() decodes with the real decoder.
    real_default = JSONDecoder()._real()

    def loads(s, *, cls=None, **kw):
        check(s)
        if cls is None and not kw:
            if type(s) is bytes or type(s) is bytearray:
                s = bytes(s).decode(json.detect_encoding(s), "surrogatepass")
            return real_default.decode(s)
        if type(s) is bytes or type(s) is bytearray:
            s = bytes(s).decode(json.detect_encoding(s), "surrogatepass")
        return handed((cls or JSONDecoder)(**kw).decode(s), "what json's hooks or decoder class made")
    loads.__doc__ = _real_loads.__doc__

    def load(fp, **kw):
        return loads(fp.read(), **kw)
    load.__doc__ = json.load.__doc__
    return loads, load, JSONDecoder


def make_replacements(limit, formatter_cls, guarded_getattr, handed):
    loads, load, decoder = make_json(limit, handed)

    def attrgetter(*names):
        for n in names:
            if type(n) is not str:
                raise TypeError("attribute name must be a string")

        def get_one(obj, dotted):
            for part in dotted.split("."):
                obj = guarded_getattr(obj, part)
            return obj

        if len(names) == 1:
            return lambda obj: get_one(obj, names[0])
        return lambda obj: tuple(get_one(obj, n) for n in names)

    def methodcaller(name, *args, **kwargs):
        if type(name) is not str:
            raise TypeError("method name must be a string")
        return lambda obj: guarded_getattr(obj, name)(*args, **kwargs)

    hidden = None
    return {
        ("json", "loads"): loads, ("json", "load"): load,
        ("json", "JSONDecoder"): decoder, ("json.decoder", "JSONDecoder"): decoder,
        ("json", "scanner"): hidden, ("json.scanner", "make_scanner"): hidden,
        ("json.scanner", "c_make_scanner"): hidden, ("json.scanner", "py_make_scanner"): hidden,
        ("json.decoder", "scanner"): hidden, ("json.decoder", "scanstring"): hidden,
        ("json.decoder", "py_scanstring"): hidden, ("json.decoder", "c_scanstring"): hidden,
        ("string", "Formatter"): formatter_cls,
        ("operator", "attrgetter"): attrgetter, ("operator", "methodcaller"): methodcaller,
    }
