"""The restricted builtins dict the script runs with."""

import builtins as _real
import sys
import types

from .caps import type_name
from .context import entry
from .errors import SCRIPT_FILES, ImportBlockedError, SecurityError
from .names import NEVER_BUILTINS
from . import prologue, transform

_SAFE = (
    "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "bytearray",
    "bytes", "callable", "chr", "classmethod", "complex", "dict", "divmod",
    "enumerate", "filter", "float", "format", "frozenset", "hash", "hex", "id",
    "int", "isinstance", "issubclass", "iter", "len", "list", "map", "max",
    "memoryview", "min", "next", "object", "oct", "ord", "pow", "print",
    "property", "range", "repr", "reversed", "round", "set", "slice", "sorted",
    "staticmethod", "str", "sum", "super", "tuple", "type", "zip",
    "NotImplemented", "Ellipsis", "None", "True", "False",
)
_type_dict = type.__dict__["__dict__"].__get__
_type_mro = type.__dict__["__mro__"].__get__
_getframe = sys._getframe
_GUARD_DIR = __file__.rpartition("/")[0] + "/"


def _caller_scope():
    """The locals of the script code that called a builtin (past the guard's
    own wrappers; C calls push no frame), or None when the caller is not
    the script's code."""
    f = _getframe(2)
    while f is not None and f.f_code.co_filename.startswith(_GUARD_DIR):
        f = f.f_back
    if f is None or f.f_code.co_filename not in SCRIPT_FILES:
        return None
    return dict(f.f_locals)


def _exceptions():
    out = {}
    for name in dir(_real):
        v = getattr(_real, name)
        if isinstance(v, type) and issubclass(v, BaseException):
            out[name] = v
    return out


_EXCEPTIONS = _exceptions()


def denied_builtin(run, name):
    @entry(run, "builtin")
    def stub(*args, **kwargs):
        run.violation("builtin", f"{name}() is not allowed")
    stub.__name__ = stub.__qualname__ = name
    return stub


def make_builtins(run, guard, importer, open_, build_class, match_class, dynamic_factory):
    """The script's builtins. `dynamic_factory(d)` builds the exec/eval/compile
    implementation once the dict exists (it runs code with these builtins)."""
    config = run.config
    d = {name: getattr(_real, name) for name in _SAFE}
    d.update(_EXCEPTIONS)
    d["SecurityError"] = SecurityError
    d["ImportBlockedError"] = ImportBlockedError

    def public(mapping):
        return {k: v for k, v in mapping.items() if not (type(k) is str and k[:1] == "_")}

    def globals_():
        return public(run.script_globals)

    def locals_():
        scope = _caller_scope()
        return {} if scope is None else public(scope)

    _missing = object()

    def vars_(obj=_missing):
        if obj is _missing:
            return locals_()
        if issubclass(type(obj), type) and not guard.owns(obj):
            # A library class: a copy of what the script could read by name,
            # as it would read it (never a raw descriptor or slot wrapper).
            out = {}
            for k in list(_type_dict(obj)):
                if type(k) is str and guard.visible(obj, k):
                    try:
                        out[k] = guard.getattr(obj, k)
                    except AttributeError:
                        pass
            return out
        if not guard.owns(obj) or type(obj) is types.FunctionType:
            run.violation("builtin", f"vars() of a {type_name(type(obj))} object is not allowed")
        if issubclass(type(obj), type):
            return _type_dict(obj)
        ns = guard.instance_dict(obj, _type_mro(type(obj)))
        if ns is None:
            raise TypeError("vars() argument must have __dict__ attribute")
        return ns

    def dir_(obj=_missing):
        if obj is _missing:
            return sorted(locals_())
        return sorted(n for n in dir(obj) if type(n) is str and guard.visible(obj, n))

    dynamic = dynamic_factory(d)
    if config.dynamic_code == "guarded":
        d.update(exec=entry(run, "builtin")(dynamic.script_exec), eval=entry(run, "builtin")(dynamic.script_eval),
                 compile=entry(run, "builtin")(dynamic.script_compile))
    else:
        for name in ("exec", "eval", "compile"):
            d[name] = denied_builtin(run, name)

    # Every guard function the script reaches by name is an entry point
    # that fails closed (the attribute helpers below do it inline, for speed).
    guarded = entry(run, "builtin")
    d.update({name: guarded(fn) for name, fn in dict(
        getattr=guard.getattr, hasattr=guard.hasattr, setattr=guard.setattr,
        delattr=guard.delattr, globals=globals_, locals=locals_, vars=vars_,
        dir=dir_, open=open_, __import__=importer.c_import, __build_class__=build_class,
    ).items()})
    d["__name__"] = "builtins"
    d[transform.GETATTR] = guard.ga
    d[transform.DUNDER_VALUE] = guard.dunder_value
    d[transform.WRITE] = guard.write_check
    d[transform.WRITE_PUBLIC] = guard.write_public
    # Where values cross into script code (prologue.py puts the calls in).
    crossings = guard.crossings
    d[prologue.PARAM] = crossings.param
    d[prologue.PARAMS] = crossings.params
    d[prologue.LAMBDA] = crossings.lambda_params
    d[prologue.SENT] = crossings.sent
    d[prologue.CAUGHT] = crossings.caught
    d[prologue.SAFE] = guard.membrane.safe
    d[prologue.PLAIN_WRITE] = guard.plain_write
    d[prologue.PLAIN_SELF] = guard.plain_self
    d[prologue.KEY_ERROR] = KeyError
    d[prologue.FAST_WRITES] = True
    d[prologue.TYPE] = type
    d[prologue.SUPER] = super
    guard.set_fast_switch(lambda: d.__setitem__(prologue.FAST_WRITES, False))
    d[transform.MATCHCLS] = entry(run, "attribute")(match_class)
    d[transform.NAMESPACE] = types.SimpleNamespace
    d[transform.IMPORT] = entry(run, "import")(importer.script_import)
    d[transform.IMPORT_FROM] = entry(run, "import")(importer.from_item)
    for name in NEVER_BUILTINS | config.builtins_deny:
        d[name] = denied_builtin(run, name)
    membrane = guard.membrane
    for value in d.values():
        if type(value) is types.FunctionType or type(value) is types.BuiltinFunctionType:
            membrane.publish(value)
    membrane.add_namespace(d)
    return d, dynamic

