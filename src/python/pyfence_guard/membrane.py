"""The membrane: which values script code may hold.

Every value that reaches script code from code that is not the script's
is looked at here before the script holds it (see the package docstring
for where: attribute reads the guard makes, module members, what library
code returns or yields into script code, parameters of script functions,
exceptions the script catches, `match` bindings). Decisions are by the
real type and by identity, never by asking the value.

DANGEROUS below is the one table of what never passes, why, and what the
script gets instead: a refusal (a violation) or a stand-in. Everything else
passes; a container passes when everything in it passes (where the
crossing allows looking inside: see check()).

The fast path is a dict of types known to pass (`SAFE`, shared with the
prologues the rewrite puts into script functions): ints, strings, the
script's own classes' instances, library types seen to pass. It is keyed by
type, so a lookup hashes and compares classes with their metaclass's
__hash__ and __eq__. Those are type's own for every class but the ones the
script makes by calling a metaclass of its own directly (a class statement
refuses a metaclass defining them, and they cannot be set on one later:
names.METACLASS_FORBIDDEN), and typing's deprecated
_UnionGenericAliasMeta. Such a class can lie its way into a lookup, but its
instances are the script's own making, never a dangerous type (modules,
frames, code, tracebacks, cells cannot be subclassed by the script or are
never in its hands), so the lie gains nothing. Where a lie would matter (the
write fast path, writes.make_writes) the lookup is by identity."""

import builtins as _builtins
import sys
import types
from functools import partial as _partial

from .caps import type_name
from .errors import SCRIPT_FILENAME, SCRIPT_FILES
from .identity import identity
from .names import GUARDED_DUNDERS, OWNED_DUNDERS, READ_DUNDERS, FRAME_NAMES, is_dunder
from .namespaces import Denied, by_id, is_type, mro_of
from .provenance import code_file, is_script_callable

try:
    from pyodide.ffi import JsProxy
except ImportError:  # plain CPython (the guard outside Pyodide)
    JsProxy = None

REFUSE = "refusal"
STAND_IN = "stand-in"

_CapsuleType = getattr(types, "CapsuleType", None)


def _frame_locals_type():
    """The type of a function frame's f_locals (a write-through view of the
    frame's variables since 3.13), or None where it is a plain dict."""
    def probe():
        return sys._getframe().f_locals
    t = type(probe())
    return None if t is dict else t


_FrameLocalsProxy = _frame_locals_type()
_GUARD_DIR = __file__.rpartition("/")[0] + "/"
# The guard's modules whose functions and classes exist to be handed to the
# script: the str.format stand-ins, the standard-library stand-ins (json,
# operator, string), pyfence.web and pyfence.host, asyncio's and time's
# replacements (aio.py) and the sys stand-in.
_SCRIPT_FACING = frozenset(_GUARD_DIR + f for f in (
    "formatter.py", "stdlib.py", "web.py", "host.py", "aio.py", "sysmod.py"))

# The one table: (kind of value, what the script gets, why). The first
# matching row decides; rows name a type (its subclasses too) or a kind of
# value told apart by identity (classify() below says how each is tested).
DANGEROUS = (
    ("module", STAND_IN,
     "a module's namespace holds the real builtins and other modules: the script gets the module's "
     "member-filtered proxy when it imported that module itself, a refusal otherwise"),
    ("frame", REFUSE,
     "a frame (or the view of its variables, f_locals) leads to its globals, builtins, locals and every caller"),
    ("code", REFUSE, "a code object runs as anything through code.replace(), FunctionType or exec"),
    ("traceback", STAND_IN,
     "a traceback leads to frames: the script gets a stand-in with tb_lineno and tb_next (its own "
     "frames only) that formats, and nothing else"),
    ("cell", REFUSE, "a closure cell is the private state of a library or guard function"),
    ("capsule", REFUSE, "a capsule is a raw C pointer"),
    ("JavaScript object", REFUSE, "a JsProxy reaches the worker's JavaScript realm"),
    ("Pyodide's own", REFUSE, "pyodide and _pyodide code bridges to JavaScript"),
    ("namespace", REFUSE,
     "a module's namespace dict, sys.modules, or a builtins dict (the real one or the script's, which "
     "holds the guard's helpers)"),
    ("real builtin", REFUSE,
     "a C function of a module the script may not import (the real getattr, __import__, open, exec, "
     "eval, compile, vars; sys, gc, _imp, posix): only the script's builtins and members of allowed "
     "modules pass"),
    ("refused descriptor", REFUSE,
     "a slot, method or member descriptor (or a C method bound to an object the script does not own) "
     "whose name the guard refuses: type.__subclasses__, object.__reduce_ex__, __globals__, gi_frame"),
    ("guarded descriptor", STAND_IN,
     "__getattribute__, __setattr__, __delattr__, str.format and str.format_map: the script gets the "
     "guard's stand-in, which reads and writes through the same checks"),
    ("guard's own", REFUSE,
     "the guard's own functions, classes and objects (its run state, importer, namespaces), other than "
     "those it hands the script"),
    ("memoryview", REFUSE, "a raw buffer, when the policy denies memoryview"),
)
_ROWS = {row[0]: row for row in DANGEROUS}

# Types whose values pass without a look (the fast path), before any run.
_ALWAYS_SAFE = (
    int, float, complex, str, bytes, bool, type(None), tuple, list, set, frozenset, range, slice,
    bytearray, type(Ellipsis), type(NotImplemented),
)
_CONTAINERS = by_id((tuple, list, set, frozenset))
# How much plain data a library return may hold to pass without a look at
# who receives it (Membrane.plain_data).
_PLAIN_ITEMS = 64
# What needs no look even inside a library's return value.
# (A slice holds any three objects: check_deep() looks at them.)
_SCALARS = by_id(t for t in _ALWAYS_SAFE if t not in (tuple, list, set, frozenset, slice))
# Types whose values differ in danger by identity (a dict may be a module's
# namespace, a function the guard's): never cached as safe.
_BY_IDENTITY = by_id((
    dict, types.MappingProxyType, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
    types.MethodWrapperType, types.WrapperDescriptorType, types.MethodDescriptorType,
    types.ClassMethodDescriptorType, types.GetSetDescriptorType, types.MemberDescriptorType,
    types.SimpleNamespace, classmethod, staticmethod, property, memoryview,
))
_DESCRIPTORS = by_id((
    types.WrapperDescriptorType, types.MethodDescriptorType, types.ClassMethodDescriptorType,
    types.GetSetDescriptorType, types.MemberDescriptorType, types.MethodWrapperType,
    types.BuiltinFunctionType,
))
_real_builtins = _builtins.__dict__
_builtins_module = _builtins
_type_mro = type.__dict__["__mro__"].__get__
_type_dict = type.__dict__["__dict__"].__get__
_type_module = type.__dict__["__module__"].__get__
_func_code = types.FunctionType.__dict__["__code__"].__get__
_func_globals = types.FunctionType.__dict__["__globals__"].__get__
_method_func = types.MethodType.__dict__["__func__"].__get__
_builtin_self = types.BuiltinFunctionType.__dict__["__self__"].__get__
_builtin_name = types.BuiltinFunctionType.__dict__["__name__"].__get__
_wrapper_self = types.MethodWrapperType.__dict__["__self__"].__get__
_cm_func = classmethod.__dict__["__func__"].__get__
_sm_func = staticmethod.__dict__["__func__"].__get__
_module_dict = types.ModuleType.__dict__["__dict__"].__get__
_exc_args = BaseException.__dict__["args"].__get__
_tb_next = types.TracebackType.__dict__["tb_next"].__get__
_tb_frame = types.TracebackType.__dict__["tb_frame"].__get__
_tb_lineno = types.TracebackType.__dict__["tb_lineno"].__get__
_tb_lasti = types.TracebackType.__dict__["tb_lasti"].__get__
_frame_code = types.FrameType.__dict__["f_code"].__get__
_cell_contents = types.CellType.__dict__["cell_contents"].__get__
_STR_FORMAT = str.__dict__["format"]
_STR_FORMAT_MAP = str.__dict__["format_map"]
_GETATTRIBUTES = (object.__dict__["__getattribute__"], type.__dict__["__getattribute__"])
_SETATTRS = (object.__dict__["__setattr__"], type.__dict__["__setattr__"])
_DELATTRS = (object.__dict__["__delattr__"], type.__dict__["__delattr__"])
_modules = sys.modules
_missing = object()
# C-level members of built-in exceptions that hold values (checked when the
# script catches one, with args and the instance dict).
_EXCEPTION_MEMBERS = ("value", "name", "path", "name_from", "filename", "filename2", "object",
                      "exceptions", "msg", "text", "reason", "code")


def _is_subtype(t, base):
    for c in _type_mro(t):
        if c is base:
            return True
    return False


def _hash_is_type_s(t):
    """True when hashing or comparing the class t runs no Python code: no
    class in its metaclass's MRO but type and object defines them."""
    for c in _type_mro(type(t)):
        if c is type or c is object:
            continue
        d = _type_dict(c)
        if "__hash__" in d or "__eq__" in d or "__ne__" in d:
            return False
    return True


def refused_name(name, owned=False):
    """True when the guard refuses reading `name` from an object it does not
    own (or, `owned`, from one it does): the names a descriptor or bound C
    method may not carry into the script."""
    if type(name) is not str:
        return True
    if name in GUARDED_DUNDERS:
        return False
    if is_dunder(name):
        if name in OWNED_DUNDERS:
            return not owned
        return name not in READ_DUNDERS
    return name in FRAME_NAMES


class Traceback:
    """What the script sees of a traceback: the lines of its own frames, and
    the next stand-in; nothing that leads to a frame."""

    __slots__ = ("tb_lineno", "tb_lasti", "tb_next")

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create traceback stand-ins")

    def __init_subclass__(cls, **kwargs):
        raise TypeError("cannot subclass traceback stand-ins")

    def __repr__(self):
        return f"<traceback line {self.tb_lineno}>"


Traceback.__module__ = "builtins"
Traceback.__qualname__ = Traceback.__name__ = "traceback"


def traceback_stand_in(tb):
    """The stand-in for a real traceback: one link per frame of the script's
    own source, in order (None when none is the script's)."""
    lines = []
    while tb is not None:
        if _frame_code(_tb_frame(tb)).co_filename == SCRIPT_FILENAME:
            lines.append((_tb_lineno(tb), _tb_lasti(tb)))
        tb = _tb_next(tb)
    out = None
    for lineno, lasti in reversed(lines):
        link = object.__new__(Traceback)
        link.tb_lineno = lineno
        link.tb_lasti = lasti
        link.tb_next = out
        out = link
    return out


class Membrane:
    """The checks of one run. `importer` hands out module proxies, `registry`
    knows the script's classes, `stand_ins` gives the guarded descriptors'
    stand-ins and `formatting` the str.format ones."""

    def __init__(self, run, importer, registry):
        self._run = run
        self._importer = importer
        self._registry = registry
        self._memoryview_denied = "memoryview" in run.config.builtins_deny
        self.stand_ins = None  # (getattribute_stand_in, setattr_stand_in), set by make_guard
        self.formatting = None
        # The fast path: type -> True, for types whose values pass without a
        # look. Exposed to the script's prologues (builtins `__pf_D__`).
        self.safe = {t: True for t in _ALWAYS_SAFE}
        # Of those, the types whose values check_deep() passes without a look
        # inside (no container, wrapper, exception or instance dict): what
        # library code returns of them needs no look at who receives it.
        self.opaque = {t: True for t in _SCALARS.values()}
        self._types = {}        # identity(type) -> (type, row or None, by identity?)
        self._classes = {}      # identity(class) -> (class, the guard's own?)
        self._namespaces = {}   # identity(dict) -> dict: module namespaces, builtins dicts, sys.modules
        self._published = {}    # identity(function) -> function: guard functions the script is handed
        self._published_code = {}  # identity(code) -> code: stand-ins made per read (closures)
        self._published_types = {}  # identity(class) -> class: guard classes the script may hold
        self._guard_objects = {}    # identity(obj) -> obj: guard objects never handed out
        self._allowed_c = {}        # identity(C function) -> (function, allowed?)
        self.add_namespace(_real_builtins)
        self.add_namespace(_modules)
        self.publish_type(Traceback)
        self.refresh_modules()

    # What the guard hands out or keeps.

    def add_namespace(self, d):
        self._namespaces[identity(d)] = d

    def refresh_modules(self):
        """Learn the namespaces of modules loaded since the last call."""
        for m in list(_modules.values()):
            if issubclass(type(m), types.ModuleType):
                d = _module_dict(m)
                self._namespaces[identity(d)] = d

    def publish(self, fn):
        """`fn` (a guard function) is the script's to hold."""
        self._published[identity(fn)] = fn
        return fn

    def publish_code(self, fn):
        """Every function made from `fn`'s code (a stand-in made per read) is
        the script's to hold."""
        code = _func_code(fn)
        self._published_code[identity(code)] = code
        return fn

    def publish_type(self, cls):
        """Instances of the guard's class `cls` are the script's to hold (a
        module proxy, a code handle, a stand-in), and so are its methods."""
        self._published_types[identity(cls)] = cls
        self._classes.pop(identity(cls), None)
        for v in list(_type_dict(cls).values()):
            if type(v) is types.FunctionType:
                self.publish(v)
        return cls

    def keep(self, obj):
        """`obj` is the guard's and never passes."""
        self._guard_objects[identity(obj)] = obj

    # Classification.

    def _learn(self, t):
        row = None
        if _is_subtype(t, types.ModuleType):
            row = _ROWS["module"]
        elif t is types.FrameType or (_FrameLocalsProxy is not None and t is _FrameLocalsProxy):
            row = _ROWS["frame"]
        elif t is types.CodeType:
            row = _ROWS["code"]
        elif t is types.TracebackType:
            row = _ROWS["traceback"]
        elif t is types.CellType:
            row = _ROWS["cell"]
        elif _CapsuleType is not None and t is _CapsuleType:
            row = _ROWS["capsule"]
        elif JsProxy is not None and _is_subtype(t, JsProxy):
            row = _ROWS["JavaScript object"]
        elif self._guard_type(t):
            row = _ROWS["guard's own"]
        elif self._pyodide_type(t):
            row = _ROWS["Pyodide's own"]
        by_identity = _BY_IDENTITY.get(identity(t)) is t or is_type_type(t)
        entry = self._types[identity(t)] = (t, row, by_identity)
        if row is None and not by_identity and _hash_is_type_s(t):
            self.safe[t] = True
            if _opaque(t):
                self.opaque[t] = True
        return entry

    def is_opaque(self, t):
        """Values of type t pass check_deep() as they are (see `opaque`);
        a type not seen before is learned first."""
        if self.opaque.get(t):
            return True
        entry = self._types.get(identity(t))
        if entry is None or entry[0] is not t:
            self._learn(t)
            return self.opaque.get(t, False)
        return False

    def _guard_type(self, t):
        """A class the guard defined (a function of its body is the guard's
        code), other than those it hands the script. Decided once per class
        (a class whose statement has not given it an MRO yet, each time)."""
        entry = self._classes.get(identity(t))
        if entry is None or entry[0] is not t:
            if _type_mro(t) is None:
                return self._defined_by_guard(t)
            entry = self._classes[identity(t)] = (t, self._defined_by_guard(t))
        return entry[1]

    def _defined_by_guard(self, t):
        if self._published_types.get(identity(t)) is t:
            return False
        for c in mro_of(t) or (t,):
            if self._published_types.get(identity(c)) is c or self._registry.has(c):
                return False
            for v in list(_type_dict(c).values()):
                if type(v) is classmethod:
                    v = _cm_func(v)
                elif type(v) is staticmethod:
                    v = _sm_func(v)
                if type(v) is types.FunctionType and code_file(v).startswith(_GUARD_DIR) \
                        and code_file(v) not in _SCRIPT_FACING and self._published.get(identity(v)) is not v:
                    return True
        return False

    def _pyodide_type(self, t):
        module = _type_dict(t).get("__module__")
        return type(module) is str and (module.partition(".")[0] in ("pyodide", "pyodide_js", "js")
                                        or module.startswith("_pyodide"))

    def classify(self, value):
        """The row of DANGEROUS that `value` falls under, or None."""
        t = type(value)
        entry = self._types.get(identity(t))
        if entry is None or entry[0] is not t:
            entry = self._learn(t)
        if entry[1] is not None or not entry[2]:
            return entry[1]
        return self._by_identity(value, t)

    def _by_identity(self, value, t):
        if t is dict or t is types.MappingProxyType:
            return _ROWS["namespace"] if self._namespaces.get(identity(value)) is value else None
        if t is types.SimpleNamespace:
            return _ROWS["guard's own"] if self._guard_objects.get(identity(value)) is value else None
        if t is types.FunctionType:
            return self._function(value)
        if t is types.MethodType:
            return self.classify(_method_func(value))
        if t is classmethod:
            return self.classify(_cm_func(value))
        if t is staticmethod:
            return self.classify(_sm_func(value))
        if t is property:
            for f in (value.fget, value.fset, value.fdel):
                row = self.classify(f) if f is not None else None
                if row is not None:
                    return row
            return None
        if t is memoryview:
            return _ROWS["memoryview"] if self._memoryview_denied else None
        if is_type_type(t):
            return _ROWS["guard's own"] if self._guard_type(value) else None
        return self._descriptor(value, t)

    def _function(self, fn):
        filename = code_file(fn)
        if filename.startswith(_GUARD_DIR):
            if filename in _SCRIPT_FACING or self._published.get(identity(fn)) is fn:
                return None
            code = _func_code(fn)
            if self._published_code.get(identity(code)) is code:
                return None
            return _ROWS["guard's own"]
        if filename in SCRIPT_FILES:
            return None
        module = _func_globals(fn).get("__name__")
        if type(module) is str and (module.partition(".")[0] in ("pyodide", "pyodide_js")
                                    or module.startswith("_pyodide")):
            return _ROWS["Pyodide's own"]
        return None

    def _descriptor(self, value, t):
        """Slot wrappers, method and member descriptors, bound C methods."""
        if value is _STR_FORMAT or value is _STR_FORMAT_MAP:
            return _ROWS["guarded descriptor"]
        for g in _GETATTRIBUTES + _SETATTRS + _DELATTRS:
            if value is g:
                return _ROWS["guarded descriptor"]
        if t is types.BuiltinFunctionType:
            owner = _builtin_self(value)
            name = _builtin_name(value)
            if issubclass(type(owner), types.ModuleType):
                return None if self._c_function_allowed(value, owner) else _ROWS["real builtin"]
            if issubclass(type(owner), str) and (name == "format" or name == "format_map"):
                return _ROWS["guarded descriptor"]
            if owner is None:
                return None
            return _ROWS["refused descriptor"] if refused_name(name, self._owns(owner)) else None
        if t is types.MethodWrapperType:
            name = value.__name__
            if name in GUARDED_DUNDERS:
                return _ROWS["guarded descriptor"]
            return _ROWS["refused descriptor"] if refused_name(name, self._owns(_wrapper_self(value))) else None
        name = value.__name__
        if name in GUARDED_DUNDERS:
            return _ROWS["guarded descriptor"]
        # Unbound, it works on any instance of the class it belongs to: the
        # script's own class's descriptors (vars(C) holds __dict__'s) are its own.
        objclass = value.__objclass__
        if is_type(objclass) and self._registry.has(objclass):
            return None
        return _ROWS["refused descriptor"] if refused_name(name) else None

    def _owns(self, obj):
        if is_type(obj):
            return self._registry.has(obj)
        for c in _type_mro(type(obj)):
            if self._registry.has(c):
                return True
        return False

    def _c_function_allowed(self, fn, module):
        """A C function of a module passes when the script's builtins hold it
        or an allowed module the script imported has it as a member."""
        entry = self._allowed_c.get(identity(fn))
        if entry is not None and entry[0] is fn:
            return entry[1]
        ok = self._published.get(identity(fn)) is fn
        if not ok and module is not _builtins_module:
            name = _builtin_name(fn)
            for modname in list(self._importer.imported):
                mod = _modules.get(modname)
                if mod is not None and self._importer.allowed(modname) \
                        and _module_dict(mod).get(name, _missing) is fn:
                    ok = True
                    break
        if ok:
            self._allowed_c[identity(fn)] = (fn, True)
        return ok

    # Acting on a row.

    def _stand_in(self, row, value):
        kind = row[0]
        if kind == "traceback":
            return traceback_stand_in(value)
        if kind == "module":
            ns = _module_dict(value)
            name = ns.get("__name__") if type(ns) is dict else None
            importer = self._importer
            if type(name) is str and _modules.get(name) is value and name in importer.imported \
                    and importer.allowed(name):
                return importer.proxy(value)
            raise Denied(f"a value is the module {name!r}" if type(name) is str else "a value is a module")
        # guarded descriptor
        if value is _STR_FORMAT:
            return self.formatting.unbound_format
        if value is _STR_FORMAT_MAP:
            return self.formatting.unbound_format_map
        if type(value) is types.BuiltinFunctionType:
            return self.formatting.bound(_builtin_self(value), _builtin_name(value))
        getattribute_stand_in, setattr_stand_in = self.stand_ins
        name = value.__name__
        if name == "__getattribute__":
            return getattribute_stand_in(value)
        return setattr_stand_in(value, name == "__delattr__")

    def check(self, value, where="a value"):
        """`value`, or its stand-in; raises Denied when it may not pass.
        Containers are not looked into (see check_deep)."""
        t = type(value)
        if self.safe.get(t) or is_script_callable(value):
            return value
        row = self.classify(value)
        if row is None:
            return value
        if row[1] == STAND_IN:
            return self._stand_in(row, value)
        if row[0] == "cell" and self._body_cell(value):
            return value
        raise Denied(f"{where} is {_described(row, value)}")

    def plain_data(self, value):
        """Whether `value` is a little plain data: values that need no look
        inside, in exact lists, tuples and dicts (no namespace), at most
        _PLAIN_ITEMS items in all. check_deep() passes such a value as it is,
        whoever receives it, so what library code returns of it needs no
        look at the caller (a frame read: an audit event the tripwire's hook
        sees, the dearest part of a library call's return)."""
        budget = _PLAIN_ITEMS
        todo = [value]
        while todo:
            v = todo.pop()
            t = type(v)
            if _SCALARS.get(identity(t)) is t:
                continue
            if t is tuple or t is list:
                budget -= len(v)
                if budget < 0:
                    return False
                todo.extend(tuple.__iter__(v) if t is tuple else list.__iter__(v))
            elif t is dict:
                budget -= 2 * len(v)
                if budget < 0 or self._namespaces.get(identity(v)) is v:
                    return False
                for k, x in list(dict.items(v)):
                    todo.append(k)
                    todo.append(x)
            else:
                return False
        return True

    def check_deep(self, value, where="a value"):
        """Like check(), and everything in containers, in the instance dicts
        of objects, and in wrappers (partial, property) passes too: what
        library code returns or yields. Nothing inside can be replaced, so
        a stand-in inside is a refusal."""
        seen = {}
        todo = [value]
        top = True
        while todo:
            v = todo.pop()
            t = type(v)
            if _SCALARS.get(identity(t)) is t:
                top = False
                continue
            if identity(v) in seen:
                continue
            seen[identity(v)] = v
            row = self.classify(v)
            if row is not None:
                if row[1] == STAND_IN and row[0] == "module":
                    self._stand_in(row, v)  # raises unless it would be proxied
                raise Denied(f"{where} {'is' if top else 'holds'} {_described(row, v)}")
            top = False
            # Subclasses too (a namedtuple is a tuple), read through the
            # base type's own methods so no method of theirs runs.
            if _CONTAINERS.get(identity(t)) is t or _is_subtype(t, tuple) or _is_subtype(t, list):
                todo.extend(list.__iter__(v) if _is_subtype(t, list) else tuple.__iter__(v))
            elif _is_subtype(t, set) or _is_subtype(t, frozenset):
                todo.extend(set.__iter__(v) if _is_subtype(t, set) else frozenset.__iter__(v))
            elif _is_subtype(t, dict):
                for k, x in list(dict.items(v)):
                    todo.append(k)
                    todo.append(x)
            elif t is slice:
                todo.extend((v.start, v.stop, v.step))
            elif t is types.MappingProxyType:
                # Over anything with __getitem__ (a str, an object of the
                # script's): values() is then that object's to answer, or fail.
                try:
                    todo.extend(list(v.values()))
                except Exception:
                    raise Denied(f"{where} {'is' if v is value else 'holds'} a mapping proxy over no mapping")
            if _CONTAINERS.get(identity(t)) is not t and t is not dict and t is not types.MappingProxyType:
                self._contents(v, t, todo)
        return value

    def _contents(self, v, t, todo):
        if t is types.MethodType:
            todo.append(_method_func(v))
            return
        if t is _partial:
            todo.append(v.func)
            todo.extend(v.args)
            todo.extend(v.keywords.values())
            return
        if _BY_IDENTITY.get(identity(t)) is t or is_type_type(t) or self._owns(v):
            return
        if issubclass(t, BaseException):
            todo.extend(_exc_args(v))
        d = _instance_dict(v)
        if d is not None:
            # One level: what library code stored on the object it hands over.
            for x in list(d.values()):
                row = self.classify(x) if not self.safe.get(type(x)) else None
                if row is not None and not (row[1] == STAND_IN and row[0] == "module"):
                    raise Denied(f"a value holds {_described(row, x)}")

    def _body_cell(self, cell):
        """A cell a class body the guard runs stores through its namespace's
        own __setitem__: __classcell__, still empty (the class it will hold
        is the script's), or __classdictcell__, holding that namespace (the
        script's own object). No cell takes writes from the script (writes.py)."""
        bodies = self._registry.bodies
        if not bodies:
            return False
        try:
            contents = _cell_contents(cell)
        except ValueError:
            return True
        return contents is bodies[-1]

    # The crossings.

    def exception(self, exc):
        """What the script catches (`except E as e`): the exception, its args,
        its instance dict and the values built-in exceptions carry."""
        self.check(exc, "the exception caught")
        if not issubclass(type(exc), BaseException):
            return exc
        self.check_deep(_exc_args(exc), "the exception's args")
        d = _instance_dict(exc)
        if d is not None:
            self.check_deep(d, "the exception's attributes")
        for name in _EXCEPTION_MEMBERS:
            for c in _type_mro(type(exc)):
                desc = _type_dict(c).get(name, _missing)
                if desc is not _missing:
                    if type(desc) is types.MemberDescriptorType or type(desc) is types.GetSetDescriptorType:
                        try:
                            v = desc.__get__(exc, c)
                        except AttributeError:
                            break
                        self.check_deep(v, f"the exception's {name}")
                    break
        return exc


def is_type_type(t):
    """t is a metaclass: its values are classes."""
    for c in _type_mro(t):
        if c is type:
            return True
    return False


def _opaque(t):
    """check_deep() looks at nothing inside a value of type t (one whose
    own row passed): not a container, slice, partial or exception, and no
    instance dict anywhere in its MRO."""
    if t is _partial or t is slice or _is_subtype(t, BaseException):
        return False
    for c in _type_mro(t):
        if c is tuple or c is list or c is set or c is frozenset or c is dict or "__dict__" in _type_dict(c):
            return False
    return True


def _instance_dict(obj):
    for c in _type_mro(type(obj)):
        desc = _type_dict(c).get("__dict__", _missing)
        if desc is not _missing:
            if type(desc) is not types.GetSetDescriptorType:
                return None
            try:
                d = desc.__get__(obj, c)
            except (AttributeError, TypeError):
                return None
            return d if type(d) is dict else None
    return None




def _described(row, value):
    return f"{_article(row[0])} {row[0]} ({type_name(type(value))})"


def _article(word):
    return "an" if word[:1] in "aeiou" else "a"
