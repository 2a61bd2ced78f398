"""Attribute reads: `obj.name` in rewritten script code (for private,
dunder and SLOW_PUBLIC names; other public names are read natively),
getattr/hasattr, and what dir() and vars() show. A read is decided by
name first (decide(): who supplies the name, and may the script have it),
then the value read is checked by the membrane."""

import types

from .modules import ModuleProxy, proxy_getattr
from .names import (
    FRAME_NAMES, GUARDED_DUNDERS, NAMEDTUPLE_NAMES, OWNED_DUNDERS, READ_DUNDERS, SLOW_PUBLIC, is_dunder,
)
from .namespaces import INSTANCE, Denied, is_type, library_private
from .provenance import code_file, is_script_callable
from .unwind import _GUARD_DIR

_real_getattr = getattr
_type_dict = type.__dict__["__dict__"].__get__
_method_self = types.MethodType.__dict__["__self__"].__get__
_missing = object()
_VALUE = object()  # decision: read natively, then check the value
_STAND_IN = object()  # decision: answer with a guarded stand-in
_INHERITED = object()  # decision: a library method, bound to the script's own instance


def as_name(name):
    """An attribute name as an exact str (a str subclass's own methods never run)."""
    if type(name) is str:
        return name
    if issubclass(type(name), str):
        return str.__str__(name)
    raise TypeError(f"attribute name must be string, not '{type(name).__name__}'")


def make_reads(run, own, membrane, refuse, stand_ins):
    """The read path of one run. `own` answers ownership, `membrane` checks
    values, `refuse(exc, retry, *args)` ends a failed check (a violation,
    or the run), `stand_ins` answers the guarded dunders."""
    # The first statement of every failure path below: HEADROOM more frames
    # (a C callable, no frame, no allocation; context.py takes them back).
    headroom = run.headroom
    memoryview_denied = "memoryview" in run.config.builtins_deny
    safe = membrane.safe
    check = membrane.check

    def decide(obj, name, generic=False):
        """What reading obj.<name> may return: raises Denied, or says how
        the value must be looked at. Pure guard logic: no script code runs."""
        if name[:1] == "_":
            if name in READ_DUNDERS:
                return _VALUE
            if is_dunder(name):
                if name in GUARDED_DUNDERS:
                    return _STAND_IN
                if name in OWNED_DUNDERS:
                    if not own.owns(obj) or not own.supplied_by_owner(obj, name, generic):
                        raise Denied(f"attribute '{name}' of an object the script does not own")
                else:
                    raise Denied(f"attribute '{name}' is not allowed")
            elif not own.private_ok(obj, name, generic):
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
        if is_type(obj) or not own.owns_instance(obj):
            return False
        owner = own.ns.owner(obj, name, generic)
        if owner is None or owner is INSTANCE or own.registry.has(owner):
            return False
        value = _type_dict(owner).get(name, _missing)
        return type(value) is types.FunctionType and not code_file(value).startswith(_GUARD_DIR)

    def slow_value(value, name):
        """The value of a private, dunder or SLOW_PUBLIC name: the membrane's
        answer; and a private library function never comes back under a
        name, whatever dict it was copied into (EnumType._convert_ copies
        module globals into a class the script owns)."""
        if is_script_callable(value):
            return value
        if library_private(value) and name not in NAMEDTUPLE_NAMES:
            raise Denied(f"'{name}' is a private library function")
        return check(value, f"attribute '{name}'")

    def stand_in(name, value):
        if name == "__getattribute__":
            return stand_ins.getattribute(value)
        return stand_ins.setattr(value, name == "__delattr__")

    def judge(obj, name, value, how):
        """The value a read decided as `how` may hand the script."""
        if how is _STAND_IN:
            return stand_in(name, value)
        if how is _INHERITED:
            # Only the method bound to the object read (an instance dict or a
            # __getattr__ answering instead hands out what it likes).
            if type(value) is types.MethodType and _method_self(value) is obj:
                return check(value, f"attribute '{name}'")
            raise Denied(f"private attribute '{name}' is not allowed here")
        return slow_value(value, name)

    def lookup(obj, name):
        """The slow path as one call that raises Denied (hasattr, dir)."""
        if type(obj) is ModuleProxy:
            return proxy_getattr(obj, name)
        how = decide(obj, name)
        return judge(obj, name, _real_getattr(obj, name), how)

    def check_named(value, name):
        return check(value, f"'{name}'")

    def checked(value, name):
        """A value read for the script by name (a public attribute through
        getattr(), a module member): the membrane's answer, or a refusal."""
        if safe.get(type(value)):
            return value
        try:
            return check_named(value, name)
        except BaseException as e:
            headroom()
            refuse(e, check_named, value, name)

    def ga(obj, name):
        """`obj.name` in rewritten script code (name is a str constant)."""
        if name[:1] != "_" and name not in SLOW_PUBLIC:
            v = _real_getattr(obj, name)
            if safe.get(type(v)):
                return v
            return checked(v, name)
        if name in READ_DUNDERS and type(obj) is not ModuleProxy:
            # What slow() would answer: decide() has nothing to say of these.
            return dunder_value(_real_getattr(obj, name), name)
        return slow(obj, name)

    def dunder_value(value, name):
        """`obj.<name>` for a readable dunder, read by the script's own code:
        what judge() says of the value (decide() has nothing to say)."""
        if safe.get(type(value)) or is_script_callable(value):
            return value
        try:
            return slow_value(value, name)
        except BaseException as e:
            headroom()
            refuse(e, slow_value, value, name)

    def slow(obj, name, fetch=None, generic=False):
        """A guarded read of a private, dunder or SLOW_PUBLIC name; `fetch`
        is the lookup the script called (a default __getattribute__), if not
        plain getattr. A module proxy answers through the importer
        whichever lookup the script called."""
        if type(obj) is ModuleProxy:
            return proxy_getattr(obj, name)
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
                check(_real_getattr(obj, name), name)
            else:
                lookup(obj, name)
            return True
        except (AttributeError, Denied):
            return False

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
        decide=decide, slow=slow, ga=ga, dunder_value=dunder_value, lookup=lookup, checked=checked,
        getattr=getattr_builtin, hasattr=hasattr_builtin, visible=visible,
    )
