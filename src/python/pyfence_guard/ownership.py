"""What the script owns: the classes its own class statements created, their
instances, its functions (code compiled as the script's). Private names
are granted only where the class that supplies them is the script's."""

import types

from .names import NAMEDTUPLE_NAMES
from .namespaces import INSTANCE, is_type
from .provenance import is_script_function

_type_mro = type.__dict__["__mro__"].__get__
_type_dict = type.__dict__["__dict__"].__get__
_method_func = types.MethodType.__dict__["__func__"].__get__


class Ownership:
    """Ownership questions for one run (internal: never handed to the script)."""

    def __init__(self, registry, namespaces):
        self.registry = registry
        self.ns = namespaces

    def owns_function(self, obj):
        return is_script_function(obj)

    def owns_instance(self, obj):
        for c in _type_mro(type(obj)):
            if self.registry.has(c):
                return True
        return False

    def owns(self, obj):
        """Made by the script: its classes, their instances, its functions."""
        if is_type(obj):
            return self.registry.has(obj)
        if type(obj) is types.MethodType:
            return self.owns_function(_method_func(obj))
        return self.owns_function(obj) or self.owns_instance(obj)

    def private_ok(self, obj, name, generic=False):
        """`_x` only where the script defined it."""
        owner = self.ns.owner(obj, name, generic)
        if owner is None:
            return True
        if owner is INSTANCE:
            return self.owns_function(obj) or (not is_type(obj) and self.owns_instance(obj))
        if name in NAMEDTUPLE_NAMES and issubclass(owner, tuple) and "_fields" in _type_dict(owner):
            return True
        return self.registry.has(owner)

    def supplied_by_owner(self, obj, name, generic=False):
        """An owned dunder (__dict__, __subclasses__, ...) of an owned object
        is the object's own only when it is bound to it: found on its type
        or metaclass, or in its own dict. Read from a class's own MRO, the
        value is that class's unbound function or descriptor (a script
        metaclass reads type.__subclasses__, which works on any class): the
        class that supplies it must be the script's."""
        where, bound = self.ns.supplier(obj, name, generic)
        if bound or where is None or where is INSTANCE:
            return True
        return self.registry.has(where)
