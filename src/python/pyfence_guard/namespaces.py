"""Where Python would read a name from, decided on facts: the real dicts of
classes walked in their real MROs, the interpreter's own __dict__
descriptor, identity. Nothing here calls a method the script may have
defined (no isinstance() on script objects, no ==, no hashing of script
objects). Every check of the guard that asks "who supplies obj.name?"
asks here."""

import types

from .errors import SCRIPT_FILES
from .identity import identity
from .names import is_dunder
from .provenance import code_file

_type_mro = type.__dict__["__mro__"].__get__
_type_dict = type.__dict__["__dict__"].__get__
_type_name = type.__dict__["__name__"].__get__
_func_name = types.FunctionType.__dict__["__name__"].__get__
_builtin_name = types.BuiltinFunctionType.__dict__["__name__"].__get__
_method_func = types.MethodType.__dict__["__func__"].__get__
_cm_func = classmethod.__dict__["__func__"].__get__
_sm_func = staticmethod.__dict__["__func__"].__get__
_super_thisclass = super.__dict__["__thisclass__"].__get__
_super_self_class = super.__dict__["__self_class__"].__get__
_OBJECT_GETATTRIBUTE = object.__dict__["__getattribute__"]
_TYPE_GETATTRIBUTE = type.__dict__["__getattribute__"]
_missing = object()
# Where a name is read from, besides a class: the object's own instance dict.
INSTANCE = object()
_STR_ID = frozenset({identity(str)})


class Denied(Exception):
    """Internal: a lookup the policy refuses (becomes a violation or False)."""


def is_type(obj):
    return issubclass(type(obj), type)


def mro_of(cls):
    """cls's MRO, or () while it has none yet (a metaclass's mro() runs
    before the interpreter sets it, and Python finds no name on the class
    meanwhile)."""
    mro = _type_mro(cls)
    return () if mro is None else mro


def by_id(types_):
    return {identity(t): t for t in types_}


def plain_keys(mapping):
    """True when every key is an exact str: looking a str up in it then
    compares strings only, never a key's own __eq__. The keys' types are
    compared by id: a set of the types would hash each one, and a key's
    metaclass may define __hash__."""
    return set(map(identity, map(type, mapping))) <= _STR_ID


def library_private(value):
    """True for a library function (or a method or descriptor around one)
    whose own name is private: the internals a namespace copy could carry
    into a script object's dict (EnumType._convert_ and its kind)."""
    t = type(value)
    if t is classmethod:
        value = _cm_func(value)
    elif t is staticmethod:
        value = _sm_func(value)
    elif t is types.MethodType:
        value = _method_func(value)
    t = type(value)
    if t is types.FunctionType:
        name = _func_name(value)
        return code_file(value) not in SCRIPT_FILES and type(name) is str \
            and name[:1] == "_" and not is_dunder(name)
    if t is types.BuiltinFunctionType:
        name = _builtin_name(value)
        return name[:1] == "_" and not is_dunder(name)
    return False


class Namespaces:
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
                raise Denied(f"class '{_type_name(c)}' has non-string names")
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

    def supplier(self, obj, name, generic=False):
        """(where, bound) for obj.<name>: `where` is the class whose dict
        supplies the value, INSTANCE (the object's own dict) or None (the
        read raises AttributeError); `bound` is True when the value is
        found on the object's type (or metaclass) and so bound to obj, False
        when a class is read and the value comes from its own MRO as it
        stands there (a function or descriptor, unbound: it works on any
        object). A custom __getattribute__ supplies every name, unless
        `generic`: the lookup object.__getattribute__ itself makes."""
        if is_type(obj):
            meta_mro = _type_mro(type(obj))
            c, f = self.find(meta_mro, "__getattribute__")
            if f is not _TYPE_GETATTRIBUTE and not generic:
                return c, True
            mc, mv = self.find(meta_mro, name)
            if mc is not None and self.is_data(mv):
                return mc, True
            c, _ = self.find(mro_of(obj), name)
            if c is not None:
                return c, False
            if mc is not None:
                return mc, True
            return self.find(meta_mro, "__getattr__")[0], True
        if type(obj) is super:
            start = _super_self_class(obj)
            if start is None:
                return None, True
            mro = mro_of(start)
            this = _super_thisclass(obj)
            for i, c in enumerate(mro):
                if c is this:
                    return self.find(mro[i + 1:], name)[0], True
            return None, True
        mro = _type_mro(type(obj))
        c, f = self.find(mro, "__getattribute__")
        if f is not _OBJECT_GETATTRIBUTE and not generic:
            return c, True
        c, v = self.find(mro, name)
        if c is not None and self.is_data(v):
            return c, True
        d = self.instance_dict(obj, mro)
        if d is not None:
            if not plain_keys(d):
                raise Denied("an instance dict with non-string names")
            if name in d:
                return INSTANCE, True
        if c is not None:
            return c, True
        return self.find(mro, "__getattr__")[0], True

    def owner(self, obj, name, generic=False):
        """Where Python would read obj.<name> from (see supplier())."""
        return self.supplier(obj, name, generic)[0]
