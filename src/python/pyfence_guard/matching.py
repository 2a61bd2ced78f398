"""`match` class patterns. `case C(a, b)` makes C code read
`C.__match_args__` and then `subject.<name>` for each positional name,
natively. The rewrite hands each pattern's class to `match_class` first.
When every name the pattern will read is public and `__match_args__`
cannot change between now and the match (no metaclass of the script's in
the way), the class is used as it is: those reads are the same as the
script's own. Otherwise the pattern gets a stand-in class whose instance
check reads each name through the guard before C code does."""

from .identity import identity
from .names import GUARDED_DUNDERS, SLOW_PUBLIC

_type_mro = type.__dict__["__mro__"].__get__
_type_name = type.__dict__["__name__"].__get__
_type_flags = type.__dict__["__flags__"].__get__
_MATCH_SELF = 1 << 22  # Py_TPFLAGS_MATCH_SELF: `case int(x)` binds the subject itself
_missing = object()


class Pattern(type):
    """Metaclass of the stand-ins: the instance check runs the guarded reads."""

    def __instancecheck__(cls, subject):
        target, names, read = _STAND_INS[identity(cls)][1:]
        if not isinstance(subject, target):
            return False
        for name in names:
            try:
                read(subject, name)
            except AttributeError:
                return False
        return True


# identity(stand-in) -> (stand-in, target class, names, guarded read)
_STAND_INS = {}


def make_match_class(run, guard, registry):
    cache = {}  # (identity(cls), npos) -> (cls, stand-in or cls)

    def refuse(detail):
        run.violation("attribute", detail)

    def match_args(cls, scripted_meta):
        if scripted_meta:
            # A metaclass of the script's may compute __match_args__: read
            # it through the guard; the stand-in then fixes the value.
            try:
                return guard.ga(cls, "__match_args__")
            except AttributeError:
                return _missing
        owner, value = guard.namespaces.find(_type_mro(cls), "__match_args__")
        return _missing if owner is None else value

    def match_class(cls, npos):
        """`case cls(<npos positional sub-patterns>, ...)`; keyword names were vetted statically."""
        if not issubclass(type(cls), type):
            raise TypeError("called match pattern must be a class")
        key = (identity(cls), npos)
        hit = cache.get(key)
        if hit is not None and hit[0] is cls:
            return hit[1]
        scripted_meta = False
        for c in _type_mro(type(cls)):
            if registry.has(c) or not registry.trusted(c):
                scripted_meta = True
        result = cls
        if npos:
            margs = match_args(cls, scripted_meta)
            if margs is _missing:
                names = ()
            elif type(margs) is not tuple:
                raise TypeError(f"{_type_name(cls)}.__match_args__ must be a tuple (got {type(margs).__name__})")
            else:
                names = margs[:npos]
            self_match = _type_flags(cls) & _MATCH_SELF and npos == 1 and margs is _missing
            for n in names:
                if type(n) is not str:
                    raise TypeError(f"{_type_name(cls)}.__match_args__ elements must be strings")
                if n in SLOW_PUBLIC or n in GUARDED_DUNDERS:
                    refuse(f"class pattern fetches '{n}'")
            risky = scripted_meta or any(n[:1] == "_" for n in names)
            if risky and not self_match:
                stand_in = Pattern(_type_name(cls), (), {"__match_args__": margs if type(margs) is tuple else ()})
                _STAND_INS[identity(stand_in)] = (stand_in, cls, names, guard.getattr)
                result = stand_in
        cache[key] = (cls, result)
        return result

    return match_class

