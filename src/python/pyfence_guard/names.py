"""Attribute-name policy shared by the AST check and the runtime guard."""

# The module name every script class carries (library code picks
# sys.modules[cls.__module__]: it must be the script's own module).
SCRIPT_MODULE = "__main__"


def is_script_module(name):
    """`name` is exactly SCRIPT_MODULE, compared as a real str: a str
    subclass of the script's would answer == and != itself."""
    return type(name) is str and name == SCRIPT_MODULE


# Dunders a script may read on any object: identity, protocol methods, and
# the type graph that mro() shows anyway. Everything reaching namespaces,
# code, frames, bound selves or native attribute lookup is absent. (Values
# read are still checked: a module, frame or code object never passes.)
READ_DUNDERS = frozenset({
    "__name__", "__qualname__", "__doc__", "__module__", "__class__",
    "__init__", "__new__", "__call__", "__init_subclass__",
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
    "__mro__", "__bases__", "__base__", "__members__", "__wrapped__", "__abstractmethods__",
    "__required_keys__", "__optional_keys__", "__total__", "__dataclass_fields__",
    # typing's introspection: aliases, parameters, metadata (plain data and types).
    "__origin__", "__args__", "__parameters__", "__metadata__", "__orig_bases__",
    "__orig_class__", "__type_params__", "__value__",
    # Exception chaining: other exceptions; a traceback reads as its stand-in
    # (membrane.py), which leads to no frame.
    "__cause__", "__context__", "__suppress_context__", "__notes__", "__traceback__",
})

# Dunders the guard answers itself: reading them returns a guarded stand-in
# (object.__setattr__(self, ...) then passes the same write check).
GUARDED_DUNDERS = frozenset({"__setattr__", "__delattr__", "__getattribute__"})

# Dunders readable only on what the script provably owns (its classes, their
# instances, its functions): they are that object's own namespace.
OWNED_DUNDERS = frozenset({"__dict__", "__annotations__", "__subclasses__", "__defaults__",
                           "__kwdefaults__"})

# Names that choose namespaces or identity: never assigned in a class body,
# never written later.
NAMESPACE_DUNDERS = frozenset({
    "__module__", "__qualname__", "__annotations__", "__annotate__",
    "__dict__", "__class__", "__classcell__", "__classdictcell__", "__orig_bases__",
    "__type_params__", "__static_attributes__", "__firstlineno__", "__weakref__",
    "__builtins__", "__globals__", "__code__", "__closure__",
})

# Dunders a script class may define in its body besides the readable ones.
# Not here: __class__ (isinstance() believes it), __dict__/__mro__/__bases__
# (spoofing), and the names that choose namespaces: __module__,
# __qualname__, __annotations__, __annotate__ (library code picks
# sys.modules[cls.__module__] and evaluates annotations).
DEFINE_DUNDERS = (READ_DUNDERS - NAMESPACE_DUNDERS - {
    "__mro__", "__bases__", "__base__", "__members__", "__wrapped__", "__required_keys__",
    "__optional_keys__", "__total__", "__dataclass_fields__", "__origin__", "__args__",
    "__parameters__", "__metadata__", "__orig_class__", "__value__", "__abstractmethods__",
    "__traceback__",
}) | frozenset({
    "__getattr__", "__setattr__", "__delattr__", "__getattribute__",
    "__get__", "__set__", "__delete__", "__set_name__",
    "__class_getitem__", "__mro_entries__", "__del__", "__dir__", "__sizeof__",
    "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__",
    "__copy__", "__deepcopy__", "__getnewargs__", "__getnewargs_ex__",
    "__release_buffer__", "__buffer__", "__subclasshook__", "__replace__",
    # A metaclass's protocol: defined, never read (classes.py checks what a
    # script metaclass makes; type's own are unbound descriptors that work
    # on any class).
    "__prepare__", "__instancecheck__", "__subclasscheck__",
})

# Exception chaining a script may set on any exception (the interpreter
# checks the values: exceptions, None, a bool, a list of notes).
EXCEPTION_WRITE_DUNDERS = frozenset({"__cause__", "__context__", "__suppress_context__", "__notes__"})

# Dunders a script may assign on its own functions (a hand-written decorator)
# and classes.
WRITE_DUNDERS = frozenset({"__name__", "__doc__"})
FUNCTION_WRITE_DUNDERS = WRITE_DUNDERS | {"__qualname__", "__wrapped__"}

# Dunders a script may assign on its own classes after creation (a class
# decorator setting cls.__repr__): what the body could have defined, less
# what `match` and class creation rely on staying as the guard saw it.
CLASS_WRITE_DUNDERS = (DEFINE_DUNDERS | WRITE_DUNDERS) - {"__match_args__", "__slots__"}

# What a metaclass of the script's may not define, in its body (anywhere in
# its MRO outside the trusted library metaclasses) or later: how its classes
# hash and compare, for the guard looks classes up in dicts (membrane.py).
# Its other methods (__new__, __call__, __prepare__, mro, ...) may be
# defined or replaced: classes.py checks what they produce.
METACLASS_FORBIDDEN = frozenset({"__eq__", "__ne__", "__hash__"})

# Public names that are edges into frames, code and interpreter internals.
# (tb_next is not one: a traceback reaches the script only as its stand-in,
# whose tb_next is the next stand-in.)
FRAME_NAMES = frozenset({
    "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code",
    "f_back", "f_globals", "f_builtins", "f_locals", "f_code", "f_trace",
    "f_generator", "tb_frame", "func_globals", "func_code",
})

# namedtuple's public API is spelled with one underscore.
NAMEDTUPLE_NAMES = frozenset({"_replace", "_asdict", "_fields", "_make", "_field_defaults"})

# Interactive helpers reach pydoc, site and sys: never the real ones,
# whatever the policy says (calling them is a violation).
NEVER_BUILTINS = frozenset({
    "breakpoint", "help", "exit", "quit", "license", "credits", "copyright", "input",
})

# Public names the guard must look at by name (not only by value):
# frames, str.format's attribute walk, AttributeError.obj, raw buffers.
SLOW_PUBLIC = FRAME_NAMES | {"format", "format_map", "obj", "getbuffer"}


def is_dunder(name):
    return len(name) > 4 and name[:2] == "__" and name[-2:] == "__"


def static_attr_problem(name):
    """Why `x.<name>` can be rejected before running, or None."""
    if is_dunder(name) and name not in READ_DUNDERS and name not in GUARDED_DUNDERS \
            and name not in OWNED_DUNDERS:
        return "dunder attribute"
    return None


def match_attr_problem(name):
    if name[:1] == "_" and name not in READ_DUNDERS:
        return "private attribute in a class pattern"
    if name in SLOW_PUBLIC:
        # C code fetches a keyword pattern's attribute, never the guard.
        return "frame or interpreter attribute in a class pattern"
    return None
