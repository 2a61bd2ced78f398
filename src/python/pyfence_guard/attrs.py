"""The runtime attribute guard: every attribute the script reads, writes or
deletes passes through here (the AST rewrite routes them), as do the
getattr/hasattr/setattr/delattr builtins, str.format fields, `match` class
patterns and library code that reads attributes by name for the script.

Decisions are made on facts: identity, the real type of an object, the
real dicts of classes walked in their real MRO. The guard never calls a
method the script may have defined while it decides (no isinstance() on
script objects, no ==, no `in` on lists, no hash of script objects).
Private names are denied unless the place Python would read them from is
provably the script's own namespace."""

import types

from .errors import SCRIPT_FILES
from .identity import identity
from .modules import ModuleProxy
from .names import (
    FRAME_NAMES, GUARDED_DUNDERS, NAMEDTUPLE_NAMES, OWNED_DUNDERS, READ_DUNDERS,
    SLOW_PUBLIC, CLASS_WRITE_DUNDERS, EXCEPTION_WRITE_DUNDERS, FUNCTION_WRITE_DUNDERS,
    is_dunder,
)
from .unwind import _GUARD_DIR


def _by_id(types_):
    return {identity(t): t for t in types_}


try:
    from pyodide.ffi import JsProxy
except ImportError:  # plain CPython (tests of the guard outside Pyodide)
    JsProxy = ()

# Values never handed to the script, whatever path produced them.
_DENIED_TYPES = tuple(t for t in (
    types.FrameType, types.CodeType, types.TracebackType, types.CellType,
    getattr(types, "CapsuleType", None), JsProxy,
) if isinstance(t, type))

# Results that need no further look (fast path of every attribute read).
# Sets of types are looked up by id: `t in {...}` would hash t and compare
# it with ==, which a metaclass of the script's may define.
_PLAIN = _by_id({
    int, float, str, bool, type(None), bytes, list, tuple, dict, set, frozenset,
    complex, types.FunctionType, types.MethodType, types.BuiltinFunctionType,
    types.MethodWrapperType, range, slice,
})

# Targets whose public attributes the script may always set.
_PLAIN_TARGETS = _by_id({list, dict, set, tuple, str, int, float})
_GUARDED_TARGETS = _by_id({
    ModuleProxy, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
})

_real_getattr = getattr
_real_setattr = setattr
_real_delattr = delattr
_type_mro = type.__dict__["__mro__"].__get__
_type_dict = type.__dict__["__dict__"].__get__
_func_code = types.FunctionType.__dict__["__code__"].__get__
_func_name = types.FunctionType.__dict__["__name__"].__get__
_builtin_name = types.BuiltinFunctionType.__dict__["__name__"].__get__
_builtin_self = types.BuiltinFunctionType.__dict__["__self__"].__get__
_wrapper_self = types.MethodWrapperType.__dict__["__self__"].__get__
_method_func = types.MethodType.__dict__["__func__"].__get__
_method_self = types.MethodType.__dict__["__self__"].__get__
_cm_func = classmethod.__dict__["__func__"].__get__
_sm_func = staticmethod.__dict__["__func__"].__get__
_super_thisclass = super.__dict__["__thisclass__"].__get__
_super_self_class = super.__dict__["__self_class__"].__get__
# The names whose value decides where a write lands.
_HOOKS = frozenset({"__setattr__", "__delattr__"})
_OBJECT_GETATTRIBUTE = object.__dict__["__getattribute__"]
_TYPE_GETATTRIBUTE = type.__dict__["__getattribute__"]
_STR_FORMAT = str.__dict__["format"]
_STR_FORMAT_MAP = str.__dict__["format_map"]
_SETATTRS = (object.__dict__["__setattr__"], type.__dict__["__setattr__"])
_DELATTRS = (object.__dict__["__delattr__"], type.__dict__["__delattr__"])
_GETATTRIBUTES = (_OBJECT_GETATTRIBUTE, _TYPE_GETATTRIBUTE)
_missing = object()
_INSTANCE = object()  # owner marker: the object's own instance dict
_VALUE = object()  # decision: read natively, then check the value
_STAND_IN = object()  # decision: answer with a guarded stand-in
_INHERITED = object()  # decision: a library method, bound to the script's own instance


class Denied(Exception):
    """Internal: a lookup the policy refuses (becomes a violation or False)."""


def _is_type(obj):
    return issubclass(type(obj), type)


_STR_ID = frozenset({identity(str)})


def plain_keys(mapping):
    """True when every key is an exact str: looking a str up in it then
    compares strings only, never a key's own __eq__. The keys' types are
    compared by id: a set of the types would hash each one, and a key's
    metaclass may define __hash__."""
    return set(map(identity, map(type, mapping))) <= _STR_ID


class _Namespaces:
    """Safe lookups in real class dicts, walked in real MROs."""

    def __init__(self):
        self._plain = {}  # identity(cls) -> (cls, ok): kept alive, so ids stay unique

    def plain(self, cls):
        entry = self._plain.get(identity(cls))
        if entry is None:
            entry = self._plain[identity(cls)] = (cls, plain_keys(_type_dict(cls)))
        return entry[1]

    def find(self, mro, name):
        """(defining class, value) of `name` in the first dict of `mro` that has it."""
        for c in mro:
            if not self.plain(c):
                raise Denied(f"class '{type.__dict__['__name__'].__get__(c)}' has non-string names")
            v = _type_dict(c).get(name, _missing)
            if v is not _missing:
                return c, v
        return None, _missing

    def is_data(self, value):
        mro = _type_mro(type(value))
        return self.find(mro, "__set__")[0] is not None or self.find(mro, "__delete__")[0] is not None

    def instance_dict(self, obj, mro):
        """The real instance dict: only the interpreter's own __dict__
        descriptor counts (a class made with type() may carry a fake one)."""
        for c in mro:
            desc = _type_dict(c).get("__dict__", _missing)
            if desc is not _missing:
                if type(desc) is not types.GetSetDescriptorType:
                    return None
                d = desc.__get__(obj, c)
                return d if type(d) is dict else None
        return None

    def owner(self, obj, name, generic=False):
        """Where Python would read obj.<name> from: a class, _INSTANCE (the
        object's own dict), or None (nowhere: the read raises
        AttributeError). A custom __getattribute__ owns every name, unless
        `generic`: the lookup object.__getattribute__ itself makes."""
        if _is_type(obj):
            meta_mro = _type_mro(type(obj))
            c, f = self.find(meta_mro, "__getattribute__")
            if f is not _TYPE_GETATTRIBUTE and not generic:
                return c
            mc, mv = self.find(meta_mro, name)
            if mc is not None and self.is_data(mv):
                return mc
            c, _ = self.find(_type_mro(obj), name)
            if c is not None:
                return c
            return mc if mc is not None else self.find(meta_mro, "__getattr__")[0]
        if type(obj) is super:
            start = _super_self_class(obj)
            if start is None:
                return None
            mro = _type_mro(start)
            this = _super_thisclass(obj)
            for i, c in enumerate(mro):
                if c is this:
                    return self.find(mro[i + 1:], name)[0]
            return None
        mro = _type_mro(type(obj))
        c, f = self.find(mro, "__getattribute__")
        if f is not _OBJECT_GETATTRIBUTE and not generic:
            return c
        c, v = self.find(mro, name)
        if c is not None and self.is_data(v):
            return c
        d = self.instance_dict(obj, mro)
        if d is not None:
            if not plain_keys(d):
                raise Denied("an instance dict with non-string names")
            if name in d:
                return _INSTANCE
        if c is not None:
            return c
        return self.find(mro, "__getattr__")[0]


def library_private(value):
    """True for a library function (or a method or descriptor around one)
    whose own name is private: the internals a namespace copy could carry
    into a script object's dict (EnumType._convert_ and its kind)."""
    t = type(value)
    if t is classmethod:
        value, t = _cm_func(value), None
    elif t is staticmethod:
        value, t = _sm_func(value), None
    elif t is types.MethodType:
        value, t = _method_func(value), None
    t = type(value)
    if t is types.FunctionType:
        name = _func_name(value)
        return _func_code(value).co_filename not in SCRIPT_FILES and type(name) is str \
            and name[:1] == "_" and not is_dunder(name)
    if t is types.BuiltinFunctionType:
        name = _builtin_name(value)
        return name[:1] == "_" and not is_dunder(name)
    return False


def make_guard(run, importer, registry, formatting):
    """Build the guard functions for one run; they close over `run`.
    `registry` knows the script's classes; `formatting` supplies the safe
    str.format stand-ins."""
    ns = _Namespaces()
    unwinder = run.unwinder
    # The first statement of every failure path below: HEADROOM more frames
    # (a C callable, no frame, no allocation; context.py takes them back).
    headroom = run.headroom
    memoryview_denied = "memoryview" in run.config.builtins_deny

    def owns_function(obj):
        return type(obj) is types.FunctionType and _func_code(obj).co_filename in SCRIPT_FILES

    def owns_instance(obj):
        for c in _type_mro(type(obj)):
            if registry.has(c):
                return True
        return False

    def owns(obj):
        """Made by the script: its classes, their instances, its functions."""
        if _is_type(obj):
            return registry.has(obj)
        if type(obj) is types.MethodType:
            return owns_function(_method_func(obj))
        return owns_function(obj) or owns_instance(obj)

    def private_ok(obj, name, generic=False):
        """`_x` only where the script defined it."""
        owner = ns.owner(obj, name, generic)
        if owner is None:
            return True
        if owner is _INSTANCE:
            return owns_function(obj) or (not _is_type(obj) and owns_instance(obj))
        if name in NAMEDTUPLE_NAMES and issubclass(owner, tuple) and "_fields" in _type_dict(owner):
            return True
        return registry.has(owner)

    def check_value(value, name):
        t = type(value)
        if _PLAIN.get(identity(t)) is t:
            return value
        if issubclass(t, types.ModuleType):
            if importer.allowed(value.__name__):
                return importer.proxy(value)
            raise Denied(f"'{name}' is the module '{value.__name__}'")
        if issubclass(t, _DENIED_TYPES):
            raise Denied(f"'{name}' is a {t.__name__} object")
        if value is _STR_FORMAT:
            return formatting.unbound_format
        if value is _STR_FORMAT_MAP:
            return formatting.unbound_format_map
        return value

    def slow_value(value, name):
        """check_value, plus what only some names can yield."""
        t = type(value)
        if t is types.BuiltinMethodType:
            self = _builtin_self(value)
            if issubclass(type(self), str) and _builtin_name(value) in ("format", "format_map"):
                return formatting.bound(self, _builtin_name(value))
        if library_private(value) and name not in NAMEDTUPLE_NAMES:
            raise Denied(f"'{name}' is a private library function")
        return check_value(value, name)

    def getattribute_stand_in(value):
        """What `x.__getattribute__` reads as: the default lookup (what a
        script's own __getattribute__ falls back to), behind the same checks
        as `x.name`, deciding as that lookup finds the name."""
        t = type(value)

        def read(target, name, real):
            name = as_name(name)
            if name[:1] == "_" or name in SLOW_PUBLIC:
                return slow(target, name, real, generic=True)
            return checked(real(name), name)

        if value is _OBJECT_GETATTRIBUTE or value is _TYPE_GETATTRIBUTE:
            def unbound(target, name):
                return read(target, name, lambda n: value(target, n))
            return unbound
        if t is types.MethodWrapperType:
            target = _wrapper_self(value)

            def bound(name):
                return read(target, name, value)
            return bound
        if owns(value) or (t is types.MethodType and owns_function(_method_func(value))):
            return value
        raise Denied("a library __getattribute__")

    def setattr_stand_in(obj, value, delete):
        """What `x.__setattr__` / `x.__delattr__` read as: the same
        operation, behind the same write check as `x.y = v`."""
        real = _DELATTRS if delete else _SETATTRS
        t = type(value)
        if value is real[0] or value is real[1]:
            def unbound(target, name, *rest):
                name = as_name(name)
                write_check(target, name)
                value(target, name, *rest)
                wrote(name)
            return unbound
        if t is types.MethodWrapperType:
            target = _wrapper_self(value)

            def bound(name, *rest):
                name = as_name(name)
                write_check(target, name)
                value(name, *rest)
                wrote(name)
            return bound
        if owns(value) or (t is types.MethodType and owns_function(_method_func(value))):
            return value
        raise Denied("a library __setattr__/__delattr__")

    def decide(obj, name, generic=False):
        """What reading obj.<name> may return: raises Denied, or says how
        the value must be looked at. Pure guard logic: no script code runs."""
        if name[:1] == "_":
            if is_dunder(name):
                if name in GUARDED_DUNDERS:
                    return _STAND_IN
                if name in OWNED_DUNDERS:
                    if not owns(obj):
                        raise Denied(f"attribute '{name}' of an object the script does not own")
                elif name not in READ_DUNDERS:
                    raise Denied(f"attribute '{name}' is not allowed")
            elif not private_ok(obj, name, generic):
                if inherited_method(obj, name, generic):
                    return _INHERITED
                raise Denied(f"private attribute '{name}' is not allowed here")
        elif name in FRAME_NAMES:
            raise Denied(f"attribute '{name}' is not allowed")
        elif name == "obj":
            if issubclass(type(obj), AttributeError):
                raise Denied("exception attribute 'obj' is not allowed")
        elif name == "getbuffer":
            if memoryview_denied:
                raise Denied("'getbuffer' hands out a memoryview, which the policy denies")
        return _VALUE

    def inherited_method(obj, name, generic):
        """obj.<name> is a method a library class defines (not the guard),
        read on an instance of the script's class: like a public method, it
        runs library code on the script's own object (a Counter subclass
        calling its inherited _keep_positive)."""
        if _is_type(obj) or not owns_instance(obj):
            return False
        owner = ns.owner(obj, name, generic)
        if owner is None or owner is _INSTANCE or registry.has(owner):
            return False
        value = _type_dict(owner).get(name, _missing)
        return type(value) is types.FunctionType and not _func_code(value).co_filename.startswith(_GUARD_DIR)

    def stand_in(obj, name, value):
        if name == "__getattribute__":
            return getattribute_stand_in(value)
        return setattr_stand_in(obj, value, name == "__delattr__")

    def judge(obj, name, value, how):
        """The value a read decided as `how` may hand the script."""
        if how is _STAND_IN:
            return stand_in(obj, name, value)
        if how is _INHERITED:
            if type(value) is types.MethodType and _method_self(value) is obj:
                return value
            raise Denied(f"private attribute '{name}' is not allowed here")
        return slow_value(value, name)

    def lookup(obj, name):
        """The slow path as one call that raises Denied (hasattr, dir)."""
        if type(obj) is ModuleProxy:
            return _real_getattr(obj, name)
        how = decide(obj, name)
        return judge(obj, name, _real_getattr(obj, name), how)

    def refuse(exc, retry, *args):
        """After a check raised (its caller has already given the guard stack
        headroom: this call needs a frame): Denied is a violation, anything
        else ends the run, as the violation `retry(*args)` finds on deciding
        again, else as the limit."""
        run.check_failed(exc, "attribute", Denied, retry, args)

    def checked(value, name):
        try:
            return check_value(value, name)
        except BaseException as e:
            headroom()
            refuse(e, check_value, value, name)

    def ga(obj, name):
        """`obj.name` in rewritten script code (name is a str constant)."""
        if name[:1] != "_" and name not in SLOW_PUBLIC:
            v = _real_getattr(obj, name)
            t = type(v)
            if _PLAIN.get(identity(t)) is t:
                return v
            return checked(v, name)
        return slow(obj, name)

    def slow(obj, name, fetch=None, generic=False):
        """A guarded read of a private, dunder or SLOW_PUBLIC name; `fetch`
        is the lookup the script called (a default __getattribute__), if not
        plain getattr."""
        if fetch is None and type(obj) is ModuleProxy:
            return _real_getattr(obj, name)
        try:
            how = decide(obj, name, generic)
        except BaseException as e:
            headroom()
            refuse(e, decide, obj, name, generic)
        # The read itself runs whatever the object defines; its errors are the script's.
        value = _real_getattr(obj, name) if fetch is None else fetch(name)
        try:
            return judge(obj, name, value, how)
        except BaseException as e:
            headroom()
            refuse(e, judge, obj, name, value, how)

    hooked_types = {}  # identity(type) -> (type, bool): kept alive, so ids stay unique

    def hooked(t):
        """A __setattr__/__delattr__ the script did not write decides where
        writes to t's instances land: a library's, or a library function the
        script put into its own class (a C type's own slot writes to the
        object itself; a trusted metaclass's writes to the class)."""
        entry = hooked_types.get(identity(t))
        if entry is None or entry[0] is not t:
            mro = _type_mro(t)
            result = False
            for hook, default in (("__setattr__", _SETATTRS[0]), ("__delattr__", _DELATTRS[0])):
                c, f = ns.find(mro, hook)
                if f is not default and type(f) is not types.WrapperDescriptorType and not owns_function(f) \
                        and not registry.trusted(c):
                    result = True
            entry = hooked_types[identity(t)] = (t, result)
        return entry[1]

    full_check = {}  # identity(type) -> (type, bool), for write_public: kept alive, ids stay unique
    # Plain types whose metaclass is `type` itself: their hash and == are
    # type's own (identity), so a set finds them without running script code,
    # and faster than the id-keyed table (attribute writes are hot).
    plain_types = set(_PLAIN_TARGETS.values())

    def forget_write_decisions():
        """A script class's __setattr__/__delattr__ is about to change: every
        type that inherits it is decided again."""
        hooked_types.clear()
        full_check.clear()
        plain_types.clear()
        plain_types.update(_PLAIN_TARGETS.values())

    def wrote(name):
        """After a write the guard made itself: code that ran between the
        check and the write (a finalizer the collector ran while the call's
        arguments were packed) may have decided on the class as it was."""
        if name in _HOOKS:
            forget_write_decisions()

    def needs_full_check(t):
        if _PLAIN_TARGETS.get(identity(t)) is t:
            result = False
        else:
            result = issubclass(t, type) or _GUARDED_TARGETS.get(identity(t)) is t or hooked(t)
        full_check[identity(t)] = (t, result)
        if not result and type(t) is type:
            plain_types.add(t)
        return result

    def write_public(obj, name):
        """Before a STORE/DELETE_ATTR of a public name: plain objects pass;
        classes, functions, modules and objects whose library class routes
        writes elsewhere take the full check (decided once per type)."""
        t = type(obj)
        if type(t) is type and t in plain_types:
            return obj
        entry = full_check.get(identity(t))
        if entry is not None and entry[0] is t:
            return write_check(obj, name) if entry[1] else obj
        try:
            full = needs_full_check(t)
        except BaseException as e:
            headroom()
            refuse(e, needs_full_check, t)
        return write_check(obj, name) if full else obj

    def write_ok(obj, name, also_read):
        if type(obj) is ModuleProxy or hooked(type(obj)):
            # A hook the script did not write decides where the write lands
            # (a typing alias forwards it to the class it stands for).
            return False
        if is_dunder(name):
            if _is_type(obj):
                if not registry.has(obj) or name not in CLASS_WRITE_DUNDERS:
                    return False
                if name in _HOOKS:
                    forget_write_decisions()
                return True
            if name in EXCEPTION_WRITE_DUNDERS and issubclass(type(obj), BaseException):
                return True
            return name in FUNCTION_WRITE_DUNDERS and owns_function(obj)
        if name[:1] == "_":
            if _is_type(obj):
                return registry.has(obj) and (not also_read or private_ok(obj, name))
            owner = ns.owner(obj, name)
            if owner is None or owner is _INSTANCE:
                return owns_function(obj) or owns_instance(obj)
            return registry.has(owner)
        if name in FRAME_NAMES:
            return owns(obj)
        if _is_type(obj):
            return registry.has(obj)
        t = type(obj)
        if t is types.FunctionType:
            return owns_function(obj)
        return not issubclass(t, (types.BuiltinFunctionType, types.MethodType))

    def write_decision(obj, name, also_read):
        if not write_ok(obj, name, also_read):
            raise Denied(f"setting attribute '{name}' is not allowed here")

    def write_check(obj, name, also_read=False):
        """Before a real STORE/DELETE_ATTR on `obj` (also `+=`)."""
        try:
            if not write_ok(obj, name, also_read):
                raise Denied(f"setting attribute '{name}' is not allowed here")
        except BaseException as e:
            headroom()
            refuse(e, write_decision, obj, name, also_read)
        return obj

    def as_name(name):
        if type(name) is str:
            return name
        if issubclass(type(name), str):
            return str.__str__(name)
        raise TypeError(f"attribute name must be string, not '{type(name).__name__}'")

    def getattr_builtin(obj, name, default=_missing):
        name = as_name(name)
        try:
            return ga(obj, name)
        except AttributeError:
            if default is _missing:
                raise
            return default

    def hasattr_builtin(obj, name):
        name = as_name(name)
        try:
            if name[:1] != "_" and name not in SLOW_PUBLIC:
                check_value(_real_getattr(obj, name), name)
            else:
                lookup(obj, name)
            return True
        except (AttributeError, Denied):
            return False

    def setattr_builtin(obj, name, value):
        name = as_name(name)
        _real_setattr(write_check(obj, name), name, value)
        wrote(name)

    def delattr_builtin(obj, name):
        name = as_name(name)
        _real_delattr(write_check(obj, name), name)
        wrote(name)

    def visible(obj, name):
        # Only the refusals: anything else (a deadline's TimeoutError above
        # all) must propagate, or this loop would outlive the run.
        try:
            if name[:1] == "_" or name in SLOW_PUBLIC:
                lookup(obj, name)
            return True
        except (AttributeError, Denied):
            return False

    return types.SimpleNamespace(
        ga=ga, write_check=write_check, write_public=write_public, lookup=lookup, checked=checked,
        Denied=Denied, owns=owns, owns_instance=owns_instance, owns_function=owns_function,
        private_ok=private_ok, instance_dict=ns.instance_dict, namespaces=ns,
        getattr=getattr_builtin, hasattr=hasattr_builtin, setattr=setattr_builtin,
        delattr=delattr_builtin, visible=visible, as_name=as_name,
    )
