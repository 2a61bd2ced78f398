# Generates class statements from combinations of metaclass, bases,
# __mro_entries__ and the dunders a script may define (__new__, __call__,
# __init_subclass__, __eq__, __hash__), runs each, and reports per variant
# whether the class statement produced a class the guard records as the
# script's (only those take a private attribute written on the class) and
# whether that class is new (not one of the objects that existed before the
# statement). Run under a policy with on_violation: raise, so refusals are
# catchable.
import json
import random

LIBRARY = random.Random
EXISTING = [LIBRARY, object, type, int, dict, str]


def plain_base():
    class Base:
        pass
    return Base


def base_with(method):
    def new(cls, *a, **k):
        return LIBRARY
    def call(cls, *a, **k):
        return LIBRARY
    def init_subclass(cls, **k):
        return LIBRARY
    def eq(a, b):
        return True
    def hsh(a):
        return hash(type)
    if method == "__new__":
        class Base:
            __new__ = new
    elif method == "__call__":
        class Base:
            __call__ = call
    elif method == "__init_subclass__":
        class Base:
            __init_subclass__ = classmethod(init_subclass)
    elif method == "__eq__":
        class Base:
            __eq__ = eq
            __hash__ = hsh
    else:
        Base = plain_base()
    return Base


def metaclass(kind, method):
    mixin = base_with(method)
    if kind == "none":
        return None
    if kind == "type":
        return type
    if kind == "script":
        class M(type):
            pass
        return M
    if kind == "script+mixin":
        try:
            class M(mixin, type):
                pass
        except Exception as e:
            return e
        return M
    if kind == "type3":
        return type("M", (type,), {method: (lambda *a, **k: LIBRARY)} if method != "plain" else {})
    if kind == "meta-meta":
        MM = type("MM", (type,), {"__eq__": lambda a, b: True, "__hash__": lambda a: hash(type),
                                   "__call__": lambda *a, **k: LIBRARY})
        return MM("M", (type,), {})
    raise ValueError(kind)


def bases(kind, method):
    if kind == "none":
        return ()
    if kind == "script":
        return (base_with(method),)
    if kind == "library":
        return (LIBRARY,)
    if kind == "mro_entries":
        evil = type("EvilMeta", (type,), {"__call__": lambda *a, **k: LIBRARY})
        target = type.__call__(evil, "Evil", (), {})

        class Swap:
            def __mro_entries__(self, b):
                return (target,)
        return (Swap(),)
    if kind == "mro_entries_stateful":
        evil = type("EvilMeta", (type,), {"__call__": lambda *a, **k: LIBRARY})
        target = type.__call__(evil, "Evil", (), {})
        calls = []

        class Swap:
            def __mro_entries__(self, b):
                calls.append(1)
                return (object,) if len(calls) == 1 else (target,)
        return (Swap(),)
    raise ValueError(kind)


results = []
for meta_kind in ("none", "type", "script", "script+mixin", "type3", "meta-meta"):
    for base_kind in ("none", "script", "library", "mro_entries", "mro_entries_stateful"):
        for method in ("plain", "__new__", "__call__", "__init_subclass__", "__eq__"):
            variant = f"{meta_kind}/{base_kind}/{method}"
            outcome = {"variant": variant}
            try:
                meta = metaclass(meta_kind, method)
                if isinstance(meta, Exception):
                    raise meta
                bs = bases(base_kind, method)
                kw = {} if meta is None else {"metaclass": meta}

                class X(*bs, **kw):
                    probe = 1
                outcome["made"] = True
                outcome["new"] = all(X is not e for e in EXISTING)
                try:
                    X._recorded = True
                    outcome["recorded"] = True
                except (SecurityError, TypeError, AttributeError):
                    outcome["recorded"] = False
            except SecurityError:
                outcome["made"] = False
                outcome["refused"] = True
            except Exception as e:
                outcome["made"] = False
                outcome["error"] = type(e).__name__
            results.append(outcome)
print(json.dumps(results))
