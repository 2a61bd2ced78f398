"""Attribute writes and deletes: STORE_ATTR/DELETE_ATTR in rewritten script
code, setattr()/delattr(), and the __setattr__/__delattr__ stand-ins. Plain
objects take public writes with no further look; classes, functions,
modules and objects whose class routes writes through a hook the script did
not write take the full check. The decision per type is cached and
forgotten when a class's hook changes."""

import types

from .identity import identity
from .modules import ModuleProxy
from .names import (
    CLASS_WRITE_DUNDERS, EXCEPTION_WRITE_DUNDERS, FRAME_NAMES, FUNCTION_WRITE_DUNDERS, METACLASS_FORBIDDEN,
    is_dunder,
)
from .namespaces import INSTANCE, Denied, by_id, is_type
from .reads import as_name

_real_setattr = setattr
_real_delattr = delattr
_type_mro = type.__dict__["__mro__"].__get__
_type_dict = type.__dict__["__dict__"].__get__
_subclasses = type.__dict__["__subclasses__"]
# The names whose value decides where a write lands.
HOOKS = frozenset({"__setattr__", "__delattr__"})
SETATTRS = (object.__dict__["__setattr__"], type.__dict__["__setattr__"])
DELATTRS = (object.__dict__["__delattr__"], type.__dict__["__delattr__"])
# Targets whose public attributes the script may always set.
_PLAIN_TARGETS = by_id({list, dict, set, tuple, str, int, float})
_GUARDED_TARGETS = by_id({
    ModuleProxy, types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.CellType,
})


def make_writes(run, own, namespaces, refuse, plain_write):
    """The write path of one run. `plain_write` is the dict the rewritten
    methods consult for writes to `self` (prologue.py): a script class whose
    instances take writes with no check maps to itself, any other class it
    has decided on maps to None, and a class it has not decided on is
    missing (the prologue then asks plain_self). `table[type(x)] is type(x)`
    is true only for the class itself: a metaclass's __eq__ cannot make
    another class look like it."""
    registry = own.registry
    ns = namespaces
    # The first statement of every failure path below: HEADROOM more frames
    # (a C callable, no frame, no allocation; context.py takes them back).
    headroom = run.headroom
    hooked_types = {}  # identity(type) -> (type, bool): kept alive, so ids stay unique
    full_check = {}  # identity(type) -> (type, bool), for write_public: kept alive, ids stay unique
    # Plain types whose metaclass is `type` itself: their hash and == are
    # type's own (identity), so a set finds them without running script code,
    # and faster than the id-keyed table (attribute writes are hot).
    plain_types = set(_PLAIN_TARGETS.values())
    switch = [None]  # set_fast_switch(): turns the rewritten methods' fast path off

    def hooked(t):
        """A __setattr__/__delattr__ the script did not write decides where
        writes to t's instances land: a library's, or a library function the
        script put into its own class (a C type's own slot writes to the
        object itself; a trusted metaclass's writes to the class)."""
        entry = hooked_types.get(identity(t))
        if entry is None or entry[0] is not t:
            mro = _type_mro(t)
            result = False
            for hook, default in (("__setattr__", SETATTRS[0]), ("__delattr__", DELATTRS[0])):
                c, f = ns.find(mro, hook)
                if f is not default and type(f) is not types.WrapperDescriptorType and not own.owns_function(f) \
                        and not registry.trusted(c):
                    result = True
            entry = hooked_types[identity(t)] = (t, result)
        return entry[1]

    def forget_write_decisions():
        """A script class's __setattr__/__delattr__ is about to change: every
        type that inherits it is decided again, and the rewritten methods'
        writes to `self` take the full check from now on (a method already
        running decided on the class as it was)."""
        hooked_types.clear()
        full_check.clear()
        plain_types.clear()
        plain_types.update(_PLAIN_TARGETS.values())
        plain_write.clear()
        if switch[0] is not None:
            switch[0]()

    def wrote(name):
        """After a write the guard made itself: code that ran between the
        check and the write (a finalizer the collector ran while the call's
        arguments were packed) may have decided on the class as it was."""
        if name in HOOKS:
            forget_write_decisions()

    def learn_plain_write(t):
        """t is the script's and so is every class it inherits from: writes
        to its instances, public or private, are the script's business."""
        if issubclass(t, type) or hooked(t):
            return
        for c in _type_mro(t):
            if c is not object and not registry.has(c):
                return
        plain_write[t] = t

    def plain_self(obj):
        """The prologue's lookup of type(obj) missed: is it plain? The answer
        is kept either way, but for a class whose metaclass may hash and
        compare it as it likes (a class made by calling such a metaclass
        directly): a key in the table must never run script code."""
        t = type(obj)
        try:
            if type(t) is type:
                learn_plain_write(t)
                if plain_write.get(t) is t:
                    return True
            if not _lies(type(t)):
                plain_write[t] = None
        except Exception:
            # Not knowing is "not plain": the writes take the full check.
            pass
        return False

    def needs_full_check(t):
        if _PLAIN_TARGETS.get(identity(t)) is t:
            result = False
        else:
            result = issubclass(t, type) or _GUARDED_TARGETS.get(identity(t)) is t or hooked(t)
        full_check[identity(t)] = (t, result)
        if not result and type(t) is type:
            plain_types.add(t)
            learn_plain_write(t)
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

    def _lies(meta):
        for c in _type_mro(meta):
            if c is not type and c is not object:
                d = _type_dict(c)
                for name in METACLASS_FORBIDDEN:
                    if name in d:
                        return True
        return False

    def shapes_a_metaclass(cls):
        """cls is a metaclass or a base of one: its __eq__/__ne__/__hash__
        would decide how classes hash and compare (names.METACLASS_FORBIDDEN)."""
        seen = {}
        todo = [cls]
        while todo:
            c = todo.pop()
            if seen.get(identity(c)) is c:
                continue
            seen[identity(c)] = c
            if issubclass(c, type):
                return True
            todo.extend(_subclasses(c))
        return False

    def write_ok(obj, name, also_read):
        if type(obj) is types.CellType:
            # A class statement's cell decides which class is being created
            # (classes.py); a metaclass's __init__ sees it in the namespace.
            return False
        if type(obj) is ModuleProxy or hooked(type(obj)):
            # A hook the script did not write decides where the write lands
            # (a typing alias forwards it to the class it stands for).
            return False
        if is_dunder(name):
            if is_type(obj):
                if not registry.has(obj) or name not in CLASS_WRITE_DUNDERS:
                    return False
                if name in HOOKS:
                    forget_write_decisions()
                return name not in METACLASS_FORBIDDEN or not shapes_a_metaclass(obj)
            if name in EXCEPTION_WRITE_DUNDERS and issubclass(type(obj), BaseException):
                return True
            return name in FUNCTION_WRITE_DUNDERS and own.owns_function(obj)
        if name[:1] == "_":
            if is_type(obj):
                return registry.has(obj) and (not also_read or own.private_ok(obj, name))
            owner = ns.owner(obj, name)
            if owner is None or owner is INSTANCE:
                return own.owns_function(obj) or own.owns_instance(obj)
            return registry.has(owner)
        if name in FRAME_NAMES:
            return own.owns(obj)
        if is_type(obj):
            return registry.has(obj)
        t = type(obj)
        if t is types.FunctionType:
            return own.owns_function(obj)
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

    def setattr_builtin(obj, name, value):
        name = as_name(name)
        _real_setattr(write_check(obj, name), name, value)
        wrote(name)

    def delattr_builtin(obj, name):
        name = as_name(name)
        _real_delattr(write_check(obj, name), name)
        wrote(name)

    def set_fast_switch(off):
        switch[0] = off

    return types.SimpleNamespace(
        write_public=write_public, write_check=write_check, wrote=wrote, setattr=setattr_builtin,
        delattr=delattr_builtin, set_fast_switch=set_fast_switch, plain_self=plain_self,
    )
