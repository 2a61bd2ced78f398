"""Attribute-name policy shared by the AST check and the runtime guard."""

# Dunders a script may read on any object: identity and protocol methods.
# Everything reaching namespaces, code, frames or the type graph is absent.
READ_DUNDERS = frozenset({
    "__name__", "__qualname__", "__doc__", "__module__", "__class__",
    "__init__", "__new__", "__call__",
    "__repr__", "__str__", "__format__", "__bytes__", "__hash__", "__bool__",
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
    "__add__", "__sub__", "__mul__", "__matmul__", "__truediv__", "__floordiv__",
    "__mod__", "__divmod__", "__pow__", "__lshift__", "__rshift__", "__and__",
    "__xor__", "__or__",
    "__radd__", "__rsub__", "__rmul__", "__rmatmul__", "__rtruediv__",
    "__rfloordiv__", "__rmod__", "__rdivmod__", "__rpow__", "__rlshift__",
    "__rrshift__", "__rand__", "__rxor__", "__ror__",
    "__iadd__", "__isub__", "__imul__", "__imatmul__", "__itruediv__",
    "__ifloordiv__", "__imod__", "__ipow__", "__ilshift__", "__irshift__",
    "__iand__", "__ixor__", "__ior__",
    "__neg__", "__pos__", "__abs__", "__invert__", "__complex__", "__int__",
    "__float__", "__index__", "__round__", "__trunc__", "__floor__", "__ceil__",
    "__len__", "__length_hint__", "__getitem__", "__setitem__", "__delitem__",
    "__missing__", "__iter__", "__reversed__", "__contains__", "__next__",
    "__aiter__", "__anext__", "__await__",
    "__enter__", "__exit__", "__aenter__", "__aexit__",
    "__match_args__", "__slots__", "__post_init__",
    # Exception chaining: other exceptions, not their tracebacks.
    "__cause__", "__context__", "__suppress_context__", "__notes__",
})

# Dunders a script class may define in its body besides the readable ones.
# Not here: __class__ (isinstance() believes it), __instancecheck__/__subclasscheck__/__subclasshook__ (they would
# let a class claim foreign objects in `match` class patterns), __prepare__
# (class namespaces must stay plain dicts), __dict__/__mro__ (spoofing).
DEFINE_DUNDERS = (READ_DUNDERS - {"__class__"}) | frozenset({
    "__getattr__", "__setattr__", "__delattr__", "__getattribute__",
    "__get__", "__set__", "__delete__", "__set_name__", "__init_subclass__",
    "__class_getitem__", "__mro_entries__", "__del__", "__dir__", "__sizeof__",
    "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__",
    "__copy__", "__deepcopy__", "__getnewargs__", "__getnewargs_ex__",
    "__release_buffer__", "__buffer__", "__annotations__",
})

# Names a script may assign as a dunder on its own functions and classes.
WRITE_DUNDERS = frozenset({"__name__", "__qualname__", "__doc__"})

# Public names that are edges into frames, code and interpreter internals.
FRAME_NAMES = frozenset({
    "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code",
    "f_back", "f_globals", "f_builtins", "f_locals", "f_code", "f_trace",
    "f_generator", "tb_frame", "tb_next", "func_globals", "func_code",
})

# namedtuple's public API is spelled with one underscore.
NAMEDTUPLE_NAMES = frozenset({"_replace", "_asdict", "_fields", "_make", "_field_defaults"})


# Interactive helpers reach pydoc, site and sys: never the real ones,
# whatever the policy says (calling them is a violation).
NEVER_BUILTINS = frozenset({
    "breakpoint", "help", "exit", "quit", "license", "credits", "copyright", "input",
})

# Public names the guard must look at by name (not only by value).
SLOW_PUBLIC = FRAME_NAMES | {"format", "format_map", "obj", "name"}

# Attribute names a `match` class pattern may not fetch: C code fetches them
# without the runtime guard.
MATCH_DENIED = FRAME_NAMES | {"obj", "format", "format_map"}


def is_dunder(name):
    return len(name) > 4 and name[:2] == "__" and name[-2:] == "__"


def static_attr_problem(name):
    """Why `x.<name>` can be rejected before running, or None."""
    if is_dunder(name):
        return None if name in READ_DUNDERS else "dunder attribute"
    return None


def match_attr_problem(name):
    if name.startswith("_") and name not in READ_DUNDERS:
        return "private attribute in a class pattern"
    if name in MATCH_DENIED:
        return "frame or interpreter attribute in a class pattern"
    return None
