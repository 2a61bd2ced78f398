"""Class statements, and which classes are the script's.

A class counts as the script's only when the script's own `class`
statement created it through a metaclass whose whole MRO is the script's
or a trusted library metaclass: this module runs the statement itself
(`__build_class__`), calling each base's `__mro_entries__` exactly once and
deciding on the resolved bases and metaclass by identity. Nothing the
script defines is asked anything while the guard decides.

A script's metaclass may define what metaclasses define, but for how its
classes hash and compare (`__eq__`, `__ne__`, `__hash__`: the guard looks
classes up in dicts, membrane.py), in its body or later
(names.METACLASS_FORBIDDEN). Its methods run; what they produce is checked,
never believed, at every class statement a script metaclass runs, whether
or not it defined them when the statement began (its code may set them
meanwhile):

- `__prepare__` hands the body a namespace the script holds. It must be a
  dict and no module's namespace; the body finds the guard's helpers as
  globals, never in it (transform.py), so no `__getitem__`/`__missing__`
  answers for them; after the body, its real storage (read with dict's own
  methods) may hold only what a class body may define.
- `__new__` decides what the statement returns: a class is the script's
  only if the vetted metaclass made it and its namespace holds only what a
  class body may define (a library class, or a class made elsewhere or
  from a rewritten namespace, is not).
- `mro` decides the MRO the guard walks to find where a name is defined:
  it must be the one type.mro computes from the real bases.
- `__call__`, `__instancecheck__` and `__subclasscheck__` answer the
  script's own questions about its classes; the guard never calls them
  and never believes them (it decides by identity and real types)."""

import types

from .caps import shown, type_name
from .dynamic import Dynamic
from .identity import identity
from .modules import ModuleProxy
from .names import DEFINE_DUNDERS, METACLASS_FORBIDDEN, is_dunder, is_script_module
from .provenance import is_script_function

_type_mro = type.__dict__["__mro__"].__get__
_type_dict = type.__dict__["__dict__"].__get__
_type_name = type.__dict__["__name__"].__get__
_c3_mro = type.__dict__["mro"]
_func_code = types.FunctionType.__dict__["__code__"].__get__
_func_globals = types.FunctionType.__dict__["__globals__"].__get__
_func_closure = types.FunctionType.__dict__["__closure__"].__get__
# dict's own methods: a dict subclass's overrides never answer for its storage.
_dict_items = dict.items
_dict_get = dict.get
_real_exec = exec
_missing = object()

# Library metaclasses whose __new__ creates a new class (through
# type.__new__) from what the class statement gives it: (module, name).
_TRUSTED = (
    ("abc", "ABCMeta"), ("enum", "EnumType"), ("typing", "_ProtocolMeta"),
    ("typing", "NamedTupleMeta"), ("typing", "_TypedDictMeta"),
)


def _is(*kinds):
    """A check that a value's type is exactly one of `kinds` (compared by
    identity: `in` would ask a script metaclass's __eq__)."""
    def check(value):
        t = type(value)
        for k in kinds:
            if t is k:
                return True
        return False
    return check


def _script_function_or_none(value):
    return value is None or is_script_function(value)


def _names(value):
    if type(value) is not tuple:
        return False
    for v in value:
        if type(v) is not str:
            return False
    return True


# Dunders no class body may define that the compiler, type.__new__ and the
# trusted library hooks (ABCMeta, typing's Generic and Protocol) put into
# a class namespace themselves, each with the only values they put there.
_MANAGED = {
    "__module__": is_script_module,
    "__qualname__": _is(str),
    "__firstlineno__": _is(int),
    "__static_attributes__": _names,
    "__annotate_func__": _script_function_or_none,
    "__annotations_cache__": _is(dict),
    "__classcell__": _is(types.CellType),
    "__classdictcell__": _is(types.CellType),
    "__orig_bases__": _is(tuple),
    "__type_params__": _is(tuple),
    "__parameters__": _is(tuple),
    "__dict__": _is(types.GetSetDescriptorType),
    "__weakref__": _is(types.GetSetDescriptorType),
    "__abstractmethods__": _is(frozenset),
    "__protocol_attrs__": _is(set, frozenset),
    "__non_callable_proto_members__": _is(set, frozenset),
}


def namespace_problem(items):
    """What in a class namespace ((name, value) pairs) no class statement
    of the script's could have put there, or None."""
    for key, value in items:
        if type(key) is not str:
            return "a name that is not a str"
        if not is_dunder(key) or key in DEFINE_DUNDERS:
            continue
        ok = _MANAGED.get(key)
        if ok is None:
            return f"'{key}'"
        if not ok(value):
            return f"'{key}' = {shown(value)}"
    return None


def _class_items(cls):
    # A class's namespace is an exact dict behind the mappingproxy.
    return list(_type_dict(cls).items())


def is_subtype(a, b):
    for c in _type_mro(a):
        if c is b:
            return True
    return False


def has_c3_mro(cls):
    """The MRO the interpreter uses is the one type.mro computes."""
    real = _type_mro(cls)
    c3 = _c3_mro(cls)
    if len(real) != len(c3):
        return False
    for a, b in zip(real, c3):
        if a is not b:
            return False
    return True


class Registry:
    """The script's classes, by identity (kept alive, so ids stay unique)."""

    def __init__(self, modules):
        self._ids = {}
        self._live = {}  # identity(cell) -> (cell, vet), while its class statement runs
        # The namespaces of the class bodies the guard is running (innermost
        # last): the body stores its cells (__classcell__, still empty, and
        # __classdictcell__, holding the namespace) through the namespace's
        # own __setitem__, a script's under a script __prepare__ (membrane.py).
        self.bodies = []
        self._modules = modules
        self._trusted = {identity(type): type, identity(object): object}
        self._learned = set()
        self.refresh()

    def refresh(self):
        """Learn the trusted metaclasses of modules loaded since the last
        call. Each is read once, right after its module was imported (before
        any script code runs again): what a module's namespace says later
        does not change what is trusted."""
        for mod_name, attr in _TRUSTED:
            if (mod_name, attr) in self._learned:
                continue
            mod = self._modules.get(mod_name)
            if mod is None:
                continue
            self._learned.add((mod_name, attr))
            value = getattr(mod, attr, None)
            if type(value) is type:
                self._trusted[identity(value)] = value

    def trusted(self, cls):
        return self._trusted.get(identity(cls)) is cls

    def is_named_tuple_meta(self, meta):
        typing = self._modules.get("typing")
        return typing is not None and getattr(typing, "NamedTupleMeta", None) is meta

    def has(self, cls):
        if self._ids.get(identity(cls)) is cls:
            return True
        # A class still being created: __init_subclass__, __set_name__ and a
        # metaclass's __init__ see it before the statement records it.
        # type.__new__ fills the statement's class cell before calling them;
        # when a script __new__ chose what to create, only from a namespace
        # a class body could have written.
        for cell, vet in self._live.values():
            try:
                if cell.cell_contents is cls:
                    return not vet or namespace_problem(_class_items(cls)) is None
            except ValueError:
                pass
        return False

    def add(self, cls):
        self._ids[identity(cls)] = cls

    def begin(self, cell, vet):
        self._live[identity(cell)] = (cell, vet)

    def end(self, cell):
        self._live.pop(identity(cell), None)

    def metaclass_problem(self, meta):
        """Why `meta` may not run a class statement, or None."""
        name = _type_name(meta)
        if type(meta) is not type:
            return f"metaclass '{name}' has a metaclass of its own"
        for c in _type_mro(meta):
            if self.trusted(c):
                continue
            if not self.has(c):
                return f"metaclass '{name}' inherits from '{_type_name(c)}', which the script did not define"
            d = _type_dict(c)
            for forbidden in METACLASS_FORBIDDEN:
                if forbidden in d:
                    return f"metaclass '{name}' defines '{forbidden}' (in '{_type_name(c)}')"
        return None

    def scripted(self, meta):
        """`meta` (vetted by metaclass_problem) is the script's: its
        __prepare__, __new__ and mro may be the script's code, now or by the
        time they run."""
        return not self.trusted(meta)

    def adopt(self, new, old):
        """`new`, rebuilt by library code from the script's class `old`
        (dataclass slots=True), is the script's when old's metaclass made it
        and, where a script __new__ or mro could change it, it holds old's
        namespace (besides the slots) and the real MRO."""
        meta = type(old)
        if type(new) is not meta or not self.has(old):
            return
        scripted = self.scripted(meta)
        if scripted:
            old_ns = _type_dict(old)
            for key, value in _class_items(new):
                if type(key) is not str:
                    return
                if is_dunder(key) and key not in DEFINE_DUNDERS and old_ns.get(key, _missing) is not value \
                        and not (key in ("__dict__", "__weakref__") and type(value) is types.GetSetDescriptorType):
                    return
        if scripted and not has_c3_mro(new):
            return
        self.add(new)


def _resolve_bases(bases):
    """PEP 560: each non-class base's __mro_entries__, called once."""
    out = []
    changed = False
    for b in bases:
        if issubclass(type(b), type):
            out.append(b)
            continue
        entries = getattr(b, "__mro_entries__", None)
        if entries is None:
            out.append(b)
            continue
        r = entries(bases)
        if type(r) is not tuple:
            raise TypeError("__mro_entries__ must return a tuple")
        out.extend(r)
        changed = True
    return tuple(out) if changed else bases


def _most_derived(meta, bases):
    winner = meta
    for b in bases:
        t = type(b)
        if is_subtype(winner, t):
            continue
        if is_subtype(t, winner):
            winner = t
            continue
        raise TypeError("metaclass conflict: the metaclass of a derived class must be a "
                        "(non-strict) subclass of the metaclasses of all its bases")
    return winner


def make_build_class(run, registry):
    """The script's __build_class__: runs a class statement, records the
    class as the script's when its metaclass is vetted and what the
    metaclass's own methods did checks out."""

    def refuse(detail):
        run.violation("builtin", detail)

    def prepared(ns, name):
        """The namespace a script __prepare__ returned, if the body may run in it."""
        if not issubclass(type(ns), dict):
            refuse(f"class '{name}': __prepare__ returned a {type_name(type(ns))}, not a dict")
        if ns is run.script_globals or Dynamic.is_module_dict(ns):
            refuse(f"class '{name}': __prepare__ returned the namespace of a module")
        return ns

    def build_class(func, name, /, *bases, **kwds):
        if not is_script_function(func):
            raise TypeError("__build_class__: func must be a function")
        if type(name) is not str:
            raise TypeError("__build_class__: name is not a string")
        meta = kwds.pop("metaclass", _missing)
        for b in bases:
            if type(b) is ModuleProxy:
                raise TypeError("a module is not a class")
        resolved = _resolve_bases(bases)
        for b in resolved:
            if not issubclass(type(b), type):
                raise TypeError(f"bases must be classes, not '{type(b).__name__}'")
        if meta is _missing:
            meta = type(resolved[0]) if resolved else type
        elif not issubclass(type(meta), type):
            refuse("a metaclass must be a class")
        meta = _most_derived(meta, resolved)
        problem = registry.metaclass_problem(meta)
        if problem:
            refuse(problem)
        # Where the script's own metaclass methods may run, what they produce is checked.
        scripted = registry.scripted(meta)
        ns = meta.__prepare__(name, resolved, **kwds)
        if scripted:
            ns = prepared(ns, name)
        # Written through the mapping's own __setitem__, as CPython does (an
        # OrderedDict keeps its order only so); decisions read its storage.
        if resolved is not bases:
            ns["__orig_bases__"] = bases
        registry.bodies.append(ns)
        try:
            _real_exec(_func_code(func), _func_globals(func), ns, closure=_func_closure(func))
        finally:
            registry.bodies.pop()
        if scripted:
            problem = namespace_problem(list(_dict_items(ns)))
            if problem:
                refuse(f"class '{name}': its namespace holds {problem}")
        module = _dict_get(ns, "__module__", None)
        if not is_script_module(module):
            refuse(f"class '{name}' names the module {shown(module)}")
        # The statement's class cell (the body's own when it uses super()).
        # typing.NamedTuple builds its class through namedtuple() and
        # refuses a cell: that class is recorded once it exists.
        cell = _dict_get(ns, "__classcell__", None)
        if type(cell) is not types.CellType:
            cell = types.CellType()
            if not registry.is_named_tuple_meta(meta):
                registry.bodies.append(ns)
                try:
                    ns["__classcell__"] = cell
                finally:
                    registry.bodies.pop()
        registry.begin(cell, scripted)
        try:
            cls = meta(name, resolved, ns, **kwds)
        finally:
            registry.end(cell)
        # Made by the vetted metaclass (or, for typing.NamedTuple, through
        # namedtuple() by its trusted one); anything else the statement
        # returns is not the script's.
        if not (type(cls) is meta or (type(cls) is type and registry.trusted(meta))):
            return cls
        if scripted:
            problem = namespace_problem(_class_items(cls))
            if problem:
                refuse(f"metaclass '{_type_name(meta)}' made class '{name}' holding {problem}")
        if scripted and not has_c3_mro(cls):
            refuse(f"metaclass '{_type_name(meta)}' gave class '{name}' an MRO of its own")
        registry.add(cls)
        return cls

    return build_class
