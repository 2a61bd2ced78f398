"""What library code returns or yields into script code passes the membrane.

Python-level library code (every function, method and property of a loaded
module outside the guard) is instrumented with sys.monitoring PY_RETURN and
PY_YIELD events, local to its code objects: the script's own code and the
guard's carry none, so script code calling script code pays nothing. The
callback lets plain data through at once, and values of a type the membrane
passes without looking inside (Membrane.is_opaque: a compiled pattern, a
Fraction); for anything else it looks at the caller (a frame read: an audit
event), and when the value goes to script code, directly or through C code
the script called (map(), sorted(), a dict built from a library mapping),
the membrane checks it, deeply. A value that may not pass makes the library
call raise the refusal instead of returning.

This covers library calls, properties, operators, subscripts, iteration and
`with` targets whose code is Python; C code hands out plain data, and the C
functions and descriptors that reach the interpreter's internals are refused
as values wherever the script could get them (membrane.py).

Code objects are instrumented when the guard is imported and after every
import since (modules loaded for the snapshot included), and stay so: the
interpreter serves one run."""

import sys
import types

from .errors import SCRIPT_FILES
from .identity import identity
from .names import SCRIPT_MODULE

_MON = sys.monitoring
_EVENTS = _MON.events.PY_RETURN | _MON.events.PY_YIELD
_set_local_events = _MON.set_local_events
_getframe = sys._getframe
_modules = sys.modules
_GUARD_PACKAGE = __name__.rpartition(".")[0]
_GUARD_DIR = __file__.rpartition("/")[0] + "/"
_type_dict = type.__dict__["__dict__"].__get__
_type_mro = type.__dict__["__mro__"].__get__
_func_code = types.FunctionType.__dict__["__code__"].__get__
_module_dict = types.ModuleType.__dict__["__dict__"].__get__
_cm_func = classmethod.__dict__["__func__"].__get__
_sm_func = staticmethod.__dict__["__func__"].__get__

# The run's membrane while a script runs (None before and after).
_ACTIVE = [None]
_seen_modules = {}  # identity(module) -> module
_seen_classes = {}  # identity(class) -> class
_done = {}  # identity(code) -> code
_tool = [None]
_last_scan = [None]  # (len(sys.modules), its newest name) when last scanned
# How long a tuple or list of plain values _on_value passes at a glance.
_FEW = 8
# What a check decided again says the value was (its own name may not be buildable).
_HANDED = "what library code handed the script"


def _free_tool_id():
    for tool in (4, 3, 2, 1):
        if _MON.get_tool(tool) is None:
            return tool
    raise RuntimeError("no free sys.monitoring tool id")


def _on_value(code, offset, value):
    t = type(value)
    if t is int or t is str or t is bool or t is float or value is None:
        return
    if (t is tuple or t is list) and len(value) <= _FEW:
        # A few plain values (a pair of ints): they pass whoever receives
        # them, with no method call.
        for x in value:
            tx = type(x)
            if not (tx is int or tx is str or tx is bool or tx is float or x is None):
                break
        else:
            return
    active = _ACTIVE[0]
    if active is None or active[0].is_opaque(t) or active[0].plain_data(value):
        return
    caller = _getframe(1).f_back
    if caller is None or caller.f_code.co_filename not in SCRIPT_FILES:
        return
    membrane, refuse, headroom = active
    try:
        membrane.check_deep(value, f"what {code.co_qualname}() handed the script")
    except BaseException as e:
        headroom()
        refuse(e, membrane.check_deep, value, _HANDED)


def install():
    """Take a monitoring tool and instrument the modules loaded so far."""
    if _tool[0] is None:
        _tool[0] = _free_tool_id()
        _MON.use_tool_id(_tool[0], "pyfence-membrane")
        _MON.register_callback(_tool[0], _MON.events.PY_RETURN, _on_value)
        _MON.register_callback(_tool[0], _MON.events.PY_YIELD, _on_value)
    instrument_new()


def activate(membrane, refuse, headroom):
    """From now on, library returns into script code pass `membrane`; a
    failed check takes `headroom` (a C callable) first, then ends in
    refuse(exc, retry, *args)."""
    _ACTIVE[0] = (membrane, refuse, headroom)


def _code(c):
    if identity(c) in _done or c.co_filename.startswith(_GUARD_DIR) or c.co_filename in SCRIPT_FILES:
        return
    _done[identity(c)] = c
    _set_local_events(_tool[0], c, _EVENTS)
    for k in c.co_consts:
        if type(k) is types.CodeType:
            _code(k)


def _value(v):
    t = type(v)
    if t is classmethod:
        v = _cm_func(v)
    elif t is staticmethod:
        v = _sm_func(v)
    elif t is property:
        for f in (v.fget, v.fset, v.fdel):
            if type(f) is types.FunctionType:
                _code(_func_code(f))
        return
    if type(v) is types.FunctionType:
        _code(_func_code(v))
    elif issubclass(type(v), type):
        _class(v)


def _class(cls):
    if _seen_classes.get(identity(cls)) is cls:
        return
    _seen_classes[identity(cls)] = cls
    for v in list(_type_dict(cls).values()):
        _value(v)


def instrument_new():
    """Instrument the modules loaded since the last call (cheap when none is:
    a new module is the newest entry of sys.modules)."""
    mark = (len(_modules), next(reversed(_modules), None))
    if mark == _last_scan[0]:
        return
    _last_scan[0] = mark
    loaded = False
    for name, mod in list(_modules.items()):
        if _seen_modules.get(identity(mod)) is mod or not issubclass(type(mod), types.ModuleType):
            continue
        _seen_modules[identity(mod)] = mod
        if type(name) is str and name == SCRIPT_MODULE:
            # The script's own (each run's globals): no library code comes with it.
            continue
        loaded = True
        if type(name) is str and (name == _GUARD_PACKAGE or name.startswith(_GUARD_PACKAGE + ".")):
            continue
        try:
            items = list(_module_dict(mod).values())
        except Exception:
            continue
        for v in items:
            _value(v)
    if not loaded:
        # Modules dropped from sys.modules (each run hides the host's): no new code.
        return
    # Classes made at import time but kept nowhere a module names them.
    todo = [object]
    while todo:
        c = todo.pop()
        if _seen_classes.get(identity(c)) is not c:
            module = _type_dict(c).get("__module__")
            if not (type(module) is str and module.startswith(_GUARD_PACKAGE)) and module != "__main__":
                _class(c)
        try:
            todo.extend(type.__subclasses__(c))
        except TypeError:
            pass
