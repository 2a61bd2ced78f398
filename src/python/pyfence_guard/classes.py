"""Class statements, and which classes are the script's.

A class counts as the script's only when the script's own `class`
statement created it through a metaclass the guard has vetted: this
module runs the statement itself (`__build_class__`), calling each base's
`__mro_entries__` exactly once, deciding on the resolved bases and the
resolved metaclass's whole MRO by identity, and only then creating the
class. Nothing the script defines is asked anything while deciding."""

import types

from .caps import shown
from .errors import SCRIPT_FILES
from .modules import ModuleProxy
from .names import METACLASS_FORBIDDEN, is_script_module

_type_mro = type.__dict__["__mro__"].__get__
_type_dict = type.__dict__["__dict__"].__get__
_type_name = type.__dict__["__name__"].__get__
_func_code = types.FunctionType.__dict__["__code__"].__get__
_func_globals = types.FunctionType.__dict__["__globals__"].__get__
_func_closure = types.FunctionType.__dict__["__closure__"].__get__
_real_exec = exec
_missing = object()

# Library metaclasses whose __new__ creates a new class (through
# type.__new__) from what the class statement gives it: (module, name).
_TRUSTED = (
    ("abc", "ABCMeta"), ("enum", "EnumType"), ("typing", "_ProtocolMeta"),
    ("typing", "NamedTupleMeta"), ("typing", "_TypedDictMeta"),
)


def is_subtype(a, b):
    for c in _type_mro(a):
        if c is b:
            return True
    return False


class Registry:
    """The script's classes, by identity (kept alive, so ids stay unique)."""

    def __init__(self, modules):
        self._ids = {}
        self._live = {}  # id(mark) -> mark, while its class statement runs
        self._modules = modules
        self._trusted = {id(type): type, id(object): object}
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
                self._trusted[id(value)] = value

    def trusted(self, cls):
        return self._trusted.get(id(cls)) is cls

    def is_named_tuple_meta(self, meta):
        typing = self._modules.get("typing")
        return typing is not None and getattr(typing, "NamedTupleMeta", None) is meta

    def has(self, cls):
        if self._ids.get(id(cls)) is cls:
            return True
        # A class still being created: __init_subclass__, __set_name__ and a
        # metaclass's __init__ see it before the statement records it.
        # type.__new__ fills the statement's class cell before calling them.
        for cell in self._live.values():
            try:
                if cell.cell_contents is cls:
                    return True
            except ValueError:
                pass
        return False

    def add(self, cls):
        self._ids[id(cls)] = cls

    def begin(self, cell):
        self._live[id(cell)] = cell

    def end(self, cell):
        self._live.pop(id(cell), None)

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
    class as the script's when its metaclass is vetted."""

    def refuse(detail):
        run.violation("builtin", detail)

    def build_class(func, name, /, *bases, **kwds):
        if type(func) is not types.FunctionType or _func_code(func).co_filename not in SCRIPT_FILES:
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
        # Vetted: no script code answers these lookups.
        ns = meta.__prepare__(name, resolved, **kwds)
        if resolved is not bases:
            ns["__orig_bases__"] = bases
        _real_exec(_func_code(func), _func_globals(func), ns, closure=_func_closure(func))
        module = ns.get("__module__", None)
        if not is_script_module(module):
            refuse(f"class '{name}' names the module {shown(module)}")
        # The statement's class cell (the body's own when it uses super()).
        # typing.NamedTuple builds its class through namedtuple() and
        # refuses a cell: that class is recorded once it exists.
        cell = ns.get("__classcell__", None)
        if type(cell) is not types.CellType:
            cell = types.CellType()
            if not registry.is_named_tuple_meta(meta):
                ns["__classcell__"] = cell
        registry.begin(cell)
        try:
            cls = meta(name, resolved, ns, **kwds)
        finally:
            registry.end(cell)
        # A trusted metaclass's __new__ made it: new, from this statement.
        # (typing.NamedTuple's makes a plain class through namedtuple().)
        if type(cls) is meta or (type(cls) is type and registry.trusted(meta)):
            registry.add(cls)
        return cls

    return build_class
