# What library code does with the script's input. Run on the real objects
# (guard off), for the modules in MODULES:
#
# 1. Sinks, found in the source of every loaded standard-library module:
#    code from text (exec/eval/compile), module tables (sys.modules),
#    frames, function globals, real builtins looked up by name, str.format
#    and format_map on a non-literal template, namespace copies
#    (__dict__.update, and a copy of a namespace made with dict(), .copy()
#    or {**...}: a copy of a module's globals is still that module's),
#    attribute writes by a computed name, and attribute reads by a computed
#    name (getattr(obj, name) with the real getattr reads what the guard
#    would refuse the script: dataclasses.replace read __traceback__).
# 2. Calls carry the sinks that reach namespaces and code (code, module
#    tables, globals, real builtins, namespace copies) to their callers, by
#    the callee's name where exactly one scanned function has that name.
# 3. Reachable functions: every public attribute (depth 3) of the modules'
#    public members, of the classes among them (their protocol methods
#    too), and of the objects a set of ordinary calls returns
#    (typing.get_args(List["x"]) hands out a ForwardRef, and so on).
#
# Prints {"findings": {qualname: [kinds]}, "paths": {qualname: path}}: each
# reachable function that reaches a sink. The test holds every one to a
# decision (tests/reachability_test.ts).
import ast
import importlib
import json
import sys
import types

for _m in MODULES:
    importlib.import_module(_m)

# Names too common to stand for one function when a call uses them.
_GENERIC = {
    "format", "format_map", "update", "get", "copy", "__init__", "__new__", "__call__", "__repr__",
    "__str__", "__eq__", "__hash__", "append", "extend", "pop", "items", "keys", "values", "join",
    "split", "replace", "write", "read", "close", "send", "throw", "_format", "add", "remove",
    "__getattr__", "__setattr__", "__getitem__", "__set_name__", "__init_subclass__", "setdefault",
}


# Expressions that are, by their spelling, a namespace (a module's globals,
# an object's __dict__, a namespace parameter).
_NAMESPACE_NAMES = {"__globals__", "__dict__", "globals", "globalns", "localns", "f_globals", "f_locals",
                    "namespace", "module_globals"}


def _namespace_expr(node):
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and n.attr in _NAMESPACE_NAMES:
            return True
        if isinstance(n, ast.Name) and n.id in _NAMESPACE_NAMES:
            return True
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("vars", "globals"):
            return True
    return False


def _sinks(fn):
    kinds = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in ("exec", "eval", "compile"):
                kinds.add("code")
            elif isinstance(f, ast.Attribute) and f.attr in ("format", "format_map") \
                    and not isinstance(f.value, ast.Constant):
                kinds.add("format")
            elif isinstance(f, ast.Name) and f.id in ("setattr", "delattr") and len(node.args) >= 2 \
                    and not isinstance(node.args[1], ast.Constant):
                kinds.add("attribute-by-name")
            elif isinstance(f, ast.Attribute) and f.attr == "update" and isinstance(f.value, ast.Attribute) \
                    and f.value.attr == "__dict__":
                kinds.add("namespace-copy")
            elif isinstance(f, ast.Name) and f.id == "getattr" and node.args \
                    and isinstance(node.args[0], ast.Name) and node.args[0].id in ("builtins", "_builtins"):
                kinds.add("builtins-by-name")
            elif isinstance(f, ast.Name) and f.id == "getattr" and len(node.args) >= 2 \
                    and not isinstance(node.args[1], ast.Constant):
                kinds.add("read-by-name")
            elif (isinstance(f, ast.Name) and f.id == "dict" and node.args and _namespace_expr(node.args[0])) \
                    or (isinstance(f, ast.Attribute) and f.attr == "copy" and _namespace_expr(f.value)):
                kinds.add("namespace-copy")
        elif isinstance(node, ast.Dict) and any(k is None and _namespace_expr(v)
                                                for k, v in zip(node.keys, node.values)):
            kinds.add("namespace-copy")
        elif isinstance(node, ast.Attribute):
            if node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id in ("sys", "_sys"):
                kinds.add("sys.modules")
            elif node.attr in ("_getframe", "_getframemodulename"):
                kinds.add("frames")
            elif node.attr == "__globals__":
                kinds.add("globals")
    return kinds


def _calls(fn):
    out = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                out.add(f.id)
            elif isinstance(f, ast.Attribute):
                out.add(f.attr)
    return out - _GENERIC


OWN = {}      # (filename, firstlineno, name) -> qualname
SINKS = {}    # qualname -> kinds
CALLS = {}    # qualname -> called names
BY_NAME = {}  # simple name -> qualnames
MODULE_OF = {}  # qualname -> module name


def _scan(mod_name, mod):
    try:
        src = mod.__loader__.get_source(mod_name)
    except Exception:
        return
    if not src:
        return
    filename = mod.__file__

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                q = f"{mod_name}.{prefix}{child.name}"
                first = child.decorator_list[0].lineno if child.decorator_list else child.lineno
                OWN[(filename, child.lineno, child.name)] = q
                OWN[(filename, first, child.name)] = q
                SINKS[q] = _sinks(child)
                MODULE_OF[q] = mod_name
                CALLS[q] = _calls(child)
                BY_NAME.setdefault(child.name, set()).add(q)
                visit(child, f"{prefix}{child.name}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)
    visit(ast.parse(src), "")


for _name, _mod in sorted(sys.modules.items()):
    _file = getattr(_mod, "__file__", None) or ""
    if _file.endswith(".py") and "site-packages" not in _file and not _name.startswith("_pyodide"):
        _scan(_name, _mod)

# Carry sinks to callers ("via <kind>") until nothing changes. A read by
# computed name is carried within its module only: the helpers that read
# by name are private, and a name shared across modules is not a call.
_CARRIED = {"code", "sys.modules", "globals", "builtins-by-name", "namespace-copy", "read-by-name"}
REACH = {q: set(k) for q, k in SINKS.items()}
changed = True
while changed:
    changed = False
    for q, names in CALLS.items():
        for n in names:
            targets = BY_NAME.get(n, ())
            if len(targets) != 1:
                # A name defined once in the caller's own module is that function.
                targets = [t for t in targets if MODULE_OF[t] == MODULE_OF[q]]
                if len(targets) != 1:
                    continue
            for t in targets:
                carried = {"via " + k.removeprefix("via ") for k in REACH[t]
                           if k.removeprefix("via ") in _CARRIED
                           and (k.removeprefix("via ") != "read-by-name" or MODULE_OF[t] == MODULE_OF[q])}
                if carried - REACH[q]:
                    REACH[q] |= carried
                    changed = True


def _qualname(fn):
    """The scanned function behind `fn`, if any."""
    for _ in range(4):
        t = type(fn)
        if t in (classmethod, staticmethod, types.MethodType):
            fn = fn.__func__
        elif t is property:
            fn = fn.fget
        elif t is types.FunctionType:
            code = fn.__code__
            return OWN.get((code.co_filename, code.co_firstlineno, code.co_name))
        else:
            return None
    return None


def _public(name):
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _probes():
    import collections, dataclasses, enum, functools, re, string, typing
    out = {}

    def add(label, make):
        try:
            out[label] = make()
        except Exception:
            pass
    add("typing.get_args(typing.List['x'])[0]", lambda: typing.get_args(typing.List["x"])[0])
    add("typing.TypeVar('T', bound='x')", lambda: typing.TypeVar("T", bound="x"))
    add("functools.singledispatch(f)", lambda: functools.singledispatch(lambda x: x))
    add("functools.lru_cache(f)", lambda: functools.lru_cache(lambda x: x))
    add("functools.partial(f)", lambda: functools.partial(print))
    add("dataclasses.fields(D)[0]", lambda: dataclasses.fields(dataclasses.make_dataclass("D", ["x"]))[0])
    add("enum.Enum('E', 'A')", lambda: enum.Enum("E", "A"))
    add("enum.Enum('E', 'A').A", lambda: enum.Enum("E", "A").A)
    add("collections.namedtuple('P', 'x')", lambda: collections.namedtuple("P", "x"))
    add("collections.UserString('x')", lambda: collections.UserString("x"))
    add("collections.UserDict()", lambda: collections.UserDict())
    add("collections.UserList()", lambda: collections.UserList())
    add("re.compile('x')", lambda: re.compile("x"))
    add("re.match('x', 'x')", lambda: re.match("x", "x"))
    add("string.Formatter()", lambda: string.Formatter())
    add("string.Template('x')", lambda: string.Template("x"))
    return out


ROOTS = []
for m in MODULES:
    mod = sys.modules[m]
    for n in dir(mod):
        if not n.startswith("_"):
            try:
                ROOTS.append((f"{m}.{n}", getattr(mod, n)))
            except Exception:
                pass
for label, value in _probes().items():
    ROOTS.append((label, value))

# Values with nothing of their own to walk into (functions are looked up,
# not entered; builtin types' members are C code).
_LEAVES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.MethodWrapperType,
           types.WrapperDescriptorType, types.MethodDescriptorType, types.GetSetDescriptorType,
           types.MemberDescriptorType, classmethod, staticmethod, property, types.ModuleType,
           int, float, complex, str, bytes, bool, type(None), tuple, list, dict, set, frozenset)

FINDINGS = {}
PATHS = {}
seen = set()
queue = [(p, v, 1) for p, v in ROOTS]
while queue:
    path, value, depth = queue.pop(0)
    key = id(value.__func__) if type(value) is types.MethodType else id(value)
    if key in seen:
        continue
    seen.add(key)
    q = _qualname(value)
    if q is not None and REACH.get(q):
        FINDINGS[q] = sorted(REACH[q])
        PATHS.setdefault(q, path)
    if depth >= 3:
        continue
    if type(value) is types.FunctionType:
        # A function's own attributes (singledispatch's register, ...).
        members = sorted(((n, v) for n, v in vars(value).items() if _public(n)), key=lambda kv: kv[0])
    elif isinstance(value, _LEAVES):
        continue
    elif isinstance(value, type):
        if value.__module__ == "builtins":
            continue
        # A class's own namespace, and its metaclass's: private names too,
        # since a private library function is what a namespace copy or a
        # metaclass lookup could hand out.
        items = {}
        for c in reversed(value.__mro__ + type(value).__mro__):
            if c.__module__ != "builtins":
                items.update(vars(c))
        members = sorted(items.items(), key=lambda kv: kv[0])
    else:
        members = []
        for n in dir(value):
            if _public(n):
                try:
                    members.append((n, getattr(value, n)))
                except Exception:
                    pass
    for n, v in members:
        queue.append((f"{path}.{n}", v, depth + 1))

print(json.dumps({"findings": FINDINGS, "paths": PATHS, "sinks": sum(1 for k in SINKS.values() if k)}))
