"""The runtime attribute guard: every attribute the script reads, writes or
deletes passes through here (the AST rewrite routes them), as do the
getattr/hasattr/setattr/delattr builtins and str.format field lookups."""

import _string
import string
import types

from .errors import SCRIPT_FILENAME
from .modules import ModuleProxy
from .names import SLOW_PUBLIC, FRAME_NAMES, NAMEDTUPLE_NAMES, READ_DUNDERS, WRITE_DUNDERS, is_dunder

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
_PLAIN = frozenset({
    int, float, str, bool, type(None), bytes, list, tuple, dict, set, frozenset,
    complex, types.FunctionType, types.MethodType, types.BuiltinFunctionType,
    types.MethodWrapperType, types.BuiltinMethodType, range, slice,
})

# Targets whose public attributes the script may always set.
_PLAIN_TARGETS = frozenset({list, dict, set, tuple, str, int, float})
_GUARDED_TARGETS = frozenset({
    ModuleProxy, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
})

# Public names that need the slow path.
_SLOW_PUBLIC = SLOW_PUBLIC

_real_getattr = getattr
_real_setattr = setattr
_real_delattr = delattr
_type_mro = type.__dict__["__mro__"].__get__
_type_dict = type.__dict__["__dict__"].__get__


def instance_dict(obj, classes):
    """The real instance dict: only the interpreter's own __dict__
    descriptor counts (a class made with type() may carry a fake one)."""
    for c in classes:
        desc = _type_dict(c).get("__dict__")
        if desc is not None:
            if type(desc) is not types.GetSetDescriptorType:
                return None
            d = desc.__get__(obj, c)
            return d if type(d) is dict else None
    return None


class Denied(Exception):
    """Internal: a lookup the policy refuses (becomes a violation or False)."""


def _is_type(obj):
    return issubclass(type(obj), type)


def make_guard(run, importer):
    """Build the guard functions for one run; they close over `run`."""
    is_script_class = run.is_script_class

    def script_owned(obj):
        """Made by the script: its classes, their instances, its functions."""
        if _is_type(obj):
            classes = _type_mro(obj)
        elif type(obj) is types.FunctionType:
            return obj.__code__.co_filename == SCRIPT_FILENAME
        elif type(obj) is types.MethodType:
            return script_owned(obj.__func__)
        else:
            classes = _type_mro(type(obj))
        for c in classes:
            if is_script_class(c):
                return True
        return False

    def private_ok(obj, name):
        """`_x` only where the script defined it: an instance dict or a
        script class's dict, never a library base class."""
        if name in NAMEDTUPLE_NAMES:
            cls = obj if _is_type(obj) else type(obj)
            if issubclass(cls, tuple) and "_fields" in _type_dict(cls):
                return True
        if not script_owned(obj):
            return False
        if _is_type(obj):
            classes = _type_mro(obj)
        else:
            classes = _type_mro(type(obj))
            d = instance_dict(obj, classes)
            if d is not None and name in d:
                return True
        for c in classes:
            if name in _type_dict(c):
                return is_script_class(c)
        return True

    def check_value(value, name):
        t = type(value)
        if t in _PLAIN:
            return value
        if isinstance(value, types.ModuleType):
            if importer.allowed(value.__name__):
                return importer.proxy(value)
            raise Denied(f"'{name}' is the module '{value.__name__}'")
        if isinstance(value, _DENIED_TYPES):
            raise Denied(f"'{name}' is a {t.__name__} object")
        return value

    def lookup(obj, name):
        """The slow path: everything but plain public names. Raises Denied."""
        if type(obj) is ModuleProxy:
            return _real_getattr(obj, name)
        if name[:1] == "_":
            if is_dunder(name):
                if name not in READ_DUNDERS:
                    raise Denied(f"attribute '{name}' is not allowed")
                if name == "__new__" and _is_type(obj) and issubclass(obj, type):
                    raise Denied("metaclass __new__ is not allowed")
            elif not private_ok(obj, name):
                raise Denied(f"private attribute '{name}' is not allowed here")
        elif name in FRAME_NAMES:
            if not script_owned(obj):
                raise Denied(f"attribute '{name}' is not allowed")
        elif name == "obj" or name == "name":
            if isinstance(obj, AttributeError) or (name == "name" and isinstance(obj, NameError)):
                raise Denied(f"exception attribute '{name}' is not allowed")
        elif name == "format" or name == "format_map":
            if isinstance(obj, str):
                return safe_format(obj) if name == "format" else safe_format_map(obj)
            if _is_type(obj) and issubclass(obj, str):
                return unbound_format if name == "format" else unbound_format_map
        return check_value(_real_getattr(obj, name), name)

    def deny(detail):
        run.violation("attribute", detail)

    def checked(value, name):
        try:
            return check_value(value, name)
        except Denied as e:
            deny(str(e))

    def ga(obj, name):
        """`obj.name` in rewritten script code (name is a str constant)."""
        if name[:1] != "_" and name not in _SLOW_PUBLIC:
            v = _real_getattr(obj, name)
            if type(v) in _PLAIN:
                return v
            try:
                return check_value(v, name)
            except Denied as e:
                deny(str(e))
        try:
            return lookup(obj, name)
        except Denied as e:
            deny(str(e))

    def write_public(obj, name):
        """Before a STORE/DELETE_ATTR of a public name: plain objects pass,
        classes, functions and modules take the full check."""
        t = type(obj)
        if t in _PLAIN_TARGETS or not (issubclass(t, type) or t in _GUARDED_TARGETS):
            return obj
        return write_check(obj, name)

    def write_check(obj, name, also_read=False):
        """Before a real STORE/DELETE_ATTR on `obj` (also `+=`)."""
        if type(obj) is ModuleProxy:
            deny("module attributes are read-only")
        if is_dunder(name):
            ok = name in WRITE_DUNDERS and (_is_type(obj) or type(obj) is types.FunctionType) and script_owned(obj)
        elif name[:1] == "_":
            ok = script_owned(obj) and (not also_read or private_ok(obj, name))
        elif name in FRAME_NAMES:
            ok = script_owned(obj)
        else:
            ok = script_owned(obj) or not (
                _is_type(obj) or isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)))
        if not ok:
            deny(f"setting attribute '{name}' is not allowed here")
        return obj

    def as_name(name):
        if type(name) is str:
            return name
        if isinstance(name, str):
            return str.__str__(name)
        raise TypeError(f"attribute name must be string, not '{type(name).__name__}'")

    _missing = object()

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
            if name[:1] != "_" and name not in _SLOW_PUBLIC:
                check_value(_real_getattr(obj, name), name)
            else:
                lookup(obj, name)
            return True
        except (AttributeError, Denied):
            return False

    def setattr_builtin(obj, name, value):
        name = as_name(name)
        _real_setattr(write_check(obj, name), name, value)

    def delattr_builtin(obj, name):
        name = as_name(name)
        _real_delattr(write_check(obj, name), name)

    def visible(obj, name):
        # Only the refusals: anything else (a deadline's TimeoutError above
        # all) must propagate, or this loop would outlive the run.
        try:
            if name[:1] == "_" or name in _SLOW_PUBLIC:
                lookup(obj, name)
            return True
        except (AttributeError, Denied):
            return False

    class SafeFormatter(string.Formatter):
        """str.format semantics, but fields are looked up through the guard."""

        def get_field(self, field_name, args, kwargs):
            first, rest = _string.formatter_field_name_split(field_name)
            obj = self.get_value(first, args, kwargs)
            for is_attr, key in rest:
                obj = ga(obj, as_name(key)) if is_attr else obj[key]
            return obj, first

    formatter = SafeFormatter()

    def safe_format(s):
        def format(*args, **kwargs):
            return formatter.vformat(s, args, kwargs)
        return format

    def safe_format_map(s):
        def format_map(mapping):
            return formatter.vformat(s, (), mapping)
        return format_map

    def unbound_format(s, *args, **kwargs):
        if not isinstance(s, str):
            raise TypeError("descriptor 'format' requires a 'str' object")
        return formatter.vformat(s, args, kwargs)

    def unbound_format_map(s, mapping):
        if not isinstance(s, str):
            raise TypeError("descriptor 'format_map' requires a 'str' object")
        return formatter.vformat(s, (), mapping)

    return types.SimpleNamespace(
        ga=ga, write_check=write_check, write_public=write_public, lookup=lookup, checked=checked,
        Denied=Denied, script_owned=script_owned, private_ok=private_ok,
        getattr=getattr_builtin, hasattr=hasattr_builtin, setattr=setattr_builtin,
        delattr=delattr_builtin, visible=visible, as_name=as_name,
        SafeFormatter=SafeFormatter,
    )
