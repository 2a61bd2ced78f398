# Runs GUARDED (compute, on_violation: raise, no static check) and tries the
# standard routes by which a dangerous value could reach script code, for
# every kind of dangerous value at once: names read on script subclasses of
# type, of builtins and of library classes (and on those classes and their
# instances); every public callable of every module in MODULES called with
# script-made arguments or given to json as a hook; the attributes of
# exceptions library code raises; what C protocols and library callbacks
# hand to the script's functions; iteration over what library calls
# return; `match` bindings. Every value
# that reaches the script is looked at by danger() below. Prints
# {"tried": n, "got": n, "refused": n, "escaped": [...]}.
import collections
import dataclasses
import enum
import fractions
import functools
import json
import random
import re
import typing

_dunder = "__"
STATS = {"tried": 0, "got": 0, "refused": 0}
ESCAPED = []


def _standin_type():
    try:
        1 / 0
    except ZeroDivisionError as e:
        return type(e.__traceback__)


STANDIN = _standin_type()
# Names the guard refuses (or answers with a stand-in); a descriptor or C
# method carrying one of them must never reach the script.
REFUSED_NAMES = {
    "__subclasses__", "__reduce_ex__", "__reduce__", "__globals__", "__code__", "__closure__",
    "__dict__", "__self__", "__func__", "__builtins__", "__getattribute__", "__setattr__", "__delattr__",
    "__get__", "__set__", "__delete__", "__objclass__", "__getstate__", "__setstate__", "__dir__",
    "__sizeof__", "__init_subclass__x", "__class_getitem__x", "__prepare__", "__instancecheck__",
    "__subclasscheck__", "__annotate__", "__kwdefaults__", "__defaults__",
    "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code", "f_back", "f_globals",
    "f_builtins", "f_locals", "f_code", "tb_frame",
}
REAL_BUILTINS = {"getattr", "setattr", "delattr", "__import__", "open", "exec", "eval", "compile", "vars",
                 "globals", "locals", "dir", "breakpoint", "input", "help", "exit", "quit"}
DANGER_TYPES = {"module", "frame", "code", "cell", "PyCapsule", "JsProxy", "JsException", "SimpleNamespace",
                "Run", "Importer", "Unwinder", "Sink", "Stream", "Dynamic", "Registry", "Namespaces",
                "Ownership", "Membrane", "Config", "WriteTable"}
DESCRIPTORS = {"method_descriptor", "wrapper_descriptor", "getset_descriptor", "member_descriptor",
               "classmethod_descriptor", "method-wrapper", "builtin_function_or_method"}
# The script's own classes (below): their descriptors and bound C methods are its own.
SCRIPT_CLASSES = {"M", "S", "P", "L", "R", "F", "Color", "D", "X", "Obj", "Probe", "Sub", "T"}
# The guard's functions the script is handed on purpose: its builtins, the
# stand-ins for __getattribute__/__setattr__/str.format, the json, operator
# and string stand-ins, pyfence.web.
PUBLISHED_FAMILIES = ("entry.", "denied_builtin.", "make_stand_ins.", "make_formatting.", "make_json.",
                      "make_replacements.", "make_web.", "make_crossings.", "ModuleProxy.", "_patch_", "_host_function.")


def danger(v, where):
    t = type(v)
    name = t.__name__
    why = None
    if name in DANGER_TYPES:
        why = name
    elif name == "traceback" and t is not STANDIN:
        why = "a real traceback"
    elif name in DESCRIPTORS:
        n = getattr(v, "__name__", None)
        owner = getattr(v, "__qualname__", "") or ""
        if n in REFUSED_NAMES and owner.partition(".")[0] not in SCRIPT_CLASSES:
            why = f"{name} {owner}"
        elif name == "builtin_function_or_method" and n in REAL_BUILTINS and v is not BUILTINS.get(n):
            why = f"the real {n}"
        elif name == "builtin_function_or_method" and getattr(v, "__module__", None) in (
                "sys", "gc", "_imp", "posix", "marshal", "_io", "_thread", "_pyodide_core"):
            why = f"{v.__module__}.{n}"
    elif name == "function":
        module = getattr(v, "__module__", "") or ""
        if module.startswith("pyfence_guard") and v not in PUBLISHED \
                and not v.__qualname__.startswith(PUBLISHED_FAMILIES):
            why = f"the guard's function {v.__qualname__}"
        elif module.startswith(("pyodide", "_pyodide")):
            why = f"Pyodide's function {v.__qualname__}"
    elif name == "dict" and ("__builtins__" in v or "__pf_ga__" in v or "__loader__" in v):
        why = "a namespace"
    if why is not None:
        ESCAPED.append(f"{where}: {why}")
    return why


BUILTINS = {"getattr": getattr, "setattr": setattr, "delattr": delattr, "vars": vars, "dir": dir,
            "open": open}
PUBLISHED = [getattr, setattr, delattr, hasattr, vars, dir, open]


def look(v, where, depth=1):
    """A value the script holds: it, and what is in it."""
    STATS["got"] += 1
    danger(v, where)
    if depth <= 0:
        return
    if type(v) in (list, tuple, set, frozenset):
        for i, x in enumerate(list(v)[:50]):
            look(x, f"{where}[{i}]", depth - 1)
    elif type(v) is dict:
        for k, x in list(v.items())[:50]:
            look(k, f"{where} key", depth - 1)
            look(x, f"{where}[{k!r}]", depth - 1)


def attempt(fn, where):
    STATS["tried"] += 1
    try:
        v = fn()
    except (SecurityError, ImportBlockedError):
        STATS["refused"] += 1
        return None
    except BaseException as e:
        if type(e).__name__ in ("TimeoutError", "MemoryError"):
            raise
        look_exception(e, where)
        return None
    look(v, where)
    return v


def look_exception(e, where):
    look(e, f"{where} raised")
    look(getattr(e, "args", ()), f"{where} raised .args")
    for n in ("__traceback__", "__context__", "__cause__", "value", "name", "path", "filename"):
        try:
            look(getattr(e, n, None), f"{where} raised .{n}", 0)
        except (SecurityError, ImportBlockedError):
            STATS["refused"] += 1


# A. Names read on script subclasses of type, of builtins and of library classes.
class M(type):
    pass


class S(int):
    pass


class P:
    pass


class L(collections.OrderedDict):
    pass


class R(random.Random):
    pass


class F(fractions.Fraction):
    pass


class Color(enum.Enum):
    RED = 1


@dataclasses.dataclass
class D:
    x: int = 0


NAMES = sorted(REFUSED_NAMES | {
    "__class__", "__mro__", "__bases__", "__base__", "__name__", "__qualname__", "__module__", "__doc__",
    "__init__", "__new__", "__call__", "__repr__", "__str__", "__hash__", "__eq__", "__format__",
    "__annotations__", "__wrapped__", "__members__", "__dataclass_fields__", "__match_args__", "__slots__",
    "__traceback__", "__context__", "__cause__", "mro", "__weakref__", "__text_signature__",
    "__orig_bases__", "__parameters__", "__args__", "__origin__", "__type_params__", "__value__",
    "_value_", "_name_", "_member_map_", "_fields", "_asdict", "_randbelow", "_inst", "_os", "_sha512",
})
TARGETS = [M, S, P, L, R, F, Color, D, int, str, type, object, dict, list, random.Random, json.JSONDecoder,
           collections.Counter, collections.OrderedDict, fractions.Fraction, enum.Enum, typing.Generic,
           typing.List[int], functools.partial, re.compile("x"), re.match("x", "x"), S(1), P(), L(), R(1),
           F(1, 2), Color.RED, D(), random.Random(1), json.JSONDecoder(), collections.Counter("ab"),
           functools.partial(print), (lambda: 0), print, len, json.dumps, int.__add__, object.__init__,
           str.join, "x".join, (i for i in ()), iter([]), {}.keys(), M("X", (), {})]
for target in TARGETS:
    for name in NAMES:
        attempt(lambda: getattr(target, name), f"{type(target).__name__}.{name}")
    for name in dir(target):
        attempt(lambda: getattr(target, name), f"{type(target).__name__}.{name} (dir)")
    if type(target) is type:
        try:
            for k, v in vars(target).items():
                look(v, f"vars({target.__name__})[{k!r}]", 0)
        except (SecurityError, TypeError):
            STATS["refused"] += 1

# B. Every public callable of every allowed module, called with script-made arguments
# and given to json as a hook.


class Obj:
    """Answers everything, as a script object may."""

    def __init__(self):
        self.name = "x"
        self.value = 1

    def __call__(self, *a, **k):
        return self

    def __getattr__(self, name):
        if name[:2] == _dunder:
            raise AttributeError(name)
        return self

    def __iter__(self):
        return iter([1, 2])

    def __len__(self):
        return 2

    def __getitem__(self, k):
        if type(k) is int and k > 1:
            raise IndexError(k)
        return 1


def script_fn(*a, **k):
    return a


ARGS = [(), (Obj(),), (Obj(), Obj()), ("x",), ("x", "y"), (1,), (1, 2), (None,), (P,), (script_fn,),
        ([1, 2],), ({"a": 1},), (b"x",), (D(),), (Color.RED,), (print,), ("__globals__",),
        (Obj(), "__globals__"), (Obj(), "__traceback__"), (script_fn, "__code__")]
SKIP = {"itertools.repeat", "itertools.count", "itertools.cycle"}
HOOKS = ("object_hook", "object_pairs_hook", "parse_float", "parse_int", "parse_constant")
for modname, mod in MODS.items():
    for name in dir(mod):
        try:
            member = getattr(mod, name)
        except (SecurityError, AttributeError, ImportBlockedError):
            continue
        if not callable(member) or f"{modname}.{name}" in SKIP:
            continue
        for args in ARGS:
            v = attempt(lambda: member(*args), f"{modname}.{name}{tuple(type(a).__name__ for a in args)}")
            if v is not None and type(v).__module__ not in ("builtins", "__main__"):
                # One level into what came back: its public attributes.
                for n in dir(v)[:60]:
                    if n[:1] != "_":
                        attempt(lambda: getattr(v, n), f"{modname}.{name}(...).{n}")
        # ... and as each of json's hooks: the decoder hands the script what they return.
        for hook in HOOKS:
            attempt(lambda: MODS["json"].loads('{"a": [0.0, 0, NaN]}', **{hook: member}),
                    f"json.loads({hook}={modname}.{name})")

# C. Exception attributes: errors raised inside library code.
for fn, where in [
    (lambda: json.loads("{"), "json.loads"), (lambda: int("x"), "int"), (lambda: {}["k"], "dict"),
    (lambda: getattr(Obj(), "__nope__"), "getattr"), (lambda: next(iter([])), "next"),
    (lambda: re.compile("("), "re.compile"), (lambda: fractions.Fraction("x"), "Fraction"),
    (lambda: dataclasses.replace(P()), "replace"), (lambda: typing.get_type_hints(1), "get_type_hints"),
    (lambda: Color(5), "Enum"), (lambda: functools.reduce(script_fn, []), "reduce"),
    (lambda: collections.namedtuple("N", "1x"), "namedtuple"),
]:
    try:
        fn()
    except BaseException as e:
        look_exception(e, where)


for where, g in [("generator return", (x for x in [1])), ("re.finditer", re.finditer("x", "xx"))]:
    try:
        while True:
            look(next(g), where)
    except StopIteration as e:
        look(e.value, f"{where} StopIteration.value")

# D. What C protocols and library callbacks hand to the script's functions.
GOT = []


def keep(*a, **k):
    GOT.extend(a)
    GOT.extend(k.values())
    return 0


class Probe:
    def __exit__(self, *a):
        keep(*a)
        return True

    def __enter__(self):
        return self

    def __eq__(self, other):
        keep(other)
        return False

    def __hash__(self):
        return 1

    def __set_name__(self, owner, name):
        keep(owner, name)

    def __getattr__(self, name):
        keep(name)
        raise AttributeError(name)

    def __release_buffer__(self, view):
        keep(view)

    def __index__(self):
        return 0

    def update(self, *a, **k):
        keep(*a, **k)

    def keys(self):
        return ["k"]

    def __getitem__(self, k):
        keep(k)
        if type(k) is int:
            raise IndexError(k)
        return 1

    def __missing__(self, k):
        keep(k)


class Sub(Probe):
    def __init_subclass__(cls, **kw):
        keep(cls, *kw.values())

    def __class_getitem__(cls, item):
        keep(item)
        return cls


with Probe():
    1 / 0
attempt(lambda: [Probe() == x for x in (int, str.join, object.__init__, json.dumps, re.compile("x"))], "eq")
attempt(lambda: Probe() in [int.__add__, json, typing.List], "in")
attempt(lambda: type("T", (), {"d": Probe()}), "set_name")
attempt(lambda: Sub[int], "class_getitem")
attempt(lambda: sorted([3, 1], key=keep), "sorted key")
attempt(lambda: list(map(keep, re.finditer("x", "xx"))), "map")
attempt(lambda: functools.reduce(keep, [1, 2, 3]), "reduce")
attempt(lambda: json.loads('{"a": 1}', object_hook=keep), "object_hook")
attempt(lambda: re.sub("x", keep, "xx"), "re.sub")
attempt(lambda: collections.defaultdict(keep)["k"], "defaultdict")
attempt(lambda: dict(Probe()), "dict(mapping)")
attempt(lambda: collections.Counter().update(Probe()), "Counter.update")
attempt(lambda: dataclasses.replace(D(), x=Probe()), "replace")
attempt(lambda: collections.OrderedDict(Probe()), "OrderedDict")
attempt(lambda: [1, 2][Probe()], "index")
attempt(lambda: format(Probe(), "x"), "format")
for i, v in enumerate(GOT):
    look(v, f"a callback got argument {i}")

# E. What library calls return, iterated; and match bindings.
for where, it in [("Counter.elements", collections.Counter("ab").elements()), ("enum", Color),
                  ("re.finditer", re.finditer("x", "xx")), ("typing.get_args", typing.get_args(typing.List[int])),
                  ("dataclasses.fields", dataclasses.fields(D)), ("vars", vars(Color).values())]:
    try:
        for x in it:
            look(x, f"iterating {where}")
    except (SecurityError, TypeError):
        STATS["refused"] += 1
for subject in [re.match("x", "x"), fractions.Fraction(1, 2), D(), Color.RED, typing.List[int],
                functools.partial(print, 1)]:
    try:
        match subject:
            case object(__class__=c, __doc__=d):
                look(c, "match __class__")
                look(d, "match __doc__")
    except SecurityError:
        STATS["refused"] += 1
    try:
        match subject:
            case fractions.Fraction(numerator=n, denominator=m):
                look(n, "match numerator")
                look(m, "match denominator")
            case functools.partial(func=f, args=a):
                look(f, "match func")
                look(a, "match args")
    except SecurityError:
        STATS["refused"] += 1

print(json.dumps({**STATS, "escaped": ESCAPED[:50]}))
