"""Stand-ins for the descriptors the guard answers itself: what
`x.__getattribute__`, `x.__setattr__` and `x.__delattr__` read as. Each
does what the real one does, behind the same checks as `x.name`,
`x.name = v` and `del x.name`. They are closures, never bound methods: a
bound method's __self__ would lead back to the guard. (The str.format
stand-ins are formatter.py's; the traceback stand-in is the membrane's.)"""

import types

from .names import SLOW_PUBLIC
from .namespaces import Denied
from .reads import as_name
from .writes import DELATTRS, SETATTRS

_OBJECT_GETATTRIBUTE = object.__dict__["__getattribute__"]
_TYPE_GETATTRIBUTE = type.__dict__["__getattribute__"]
_wrapper_self = types.MethodWrapperType.__dict__["__self__"].__get__
_method_func = types.MethodType.__dict__["__func__"].__get__


def make_stand_ins(own, membrane, guard):
    """`guard` is the run's guard namespace (its reads and writes are looked
    up when a stand-in is called, so they may be made after this)."""

    def getattribute(value):
        """The default lookup (what a script's own __getattribute__ falls
        back to), deciding as that lookup finds the name."""
        t = type(value)

        def read(target, name, real):
            name = as_name(name)
            if name[:1] == "_" or name in SLOW_PUBLIC:
                return guard.slow(target, name, real, generic=True)
            return guard.checked(real(name), name)

        if value is _OBJECT_GETATTRIBUTE or value is _TYPE_GETATTRIBUTE:
            def unbound(target, name):
                return read(target, name, lambda n: value(target, n))
            return membrane.publish_code(unbound)
        if t is types.MethodWrapperType:
            target = _wrapper_self(value)

            def bound(name):
                return read(target, name, value)
            return membrane.publish_code(bound)
        if own.owns(value) or (t is types.MethodType and own.owns_function(_method_func(value))):
            return value
        raise Denied("a library __getattribute__")

    def setattr_(value, delete):
        """The same write or delete, behind the write check of `x.y = v`."""
        real = DELATTRS if delete else SETATTRS
        t = type(value)
        if value is real[0] or value is real[1]:
            def unbound(target, name, *rest):
                name = as_name(name)
                guard.write_check(target, name)
                value(target, name, *rest)
                guard.wrote(name)
            return membrane.publish_code(unbound)
        if t is types.MethodWrapperType:
            target = _wrapper_self(value)

            def bound(name, *rest):
                name = as_name(name)
                guard.write_check(target, name)
                value(name, *rest)
                guard.wrote(name)
            return membrane.publish_code(bound)
        if own.owns(value) or (t is types.MethodType and own.owns_function(_method_func(value))):
            return value
        raise Denied("a library __setattr__/__delattr__")

    return types.SimpleNamespace(getattribute=getattribute, setattr=setattr_)
