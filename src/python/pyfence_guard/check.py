"""check(): static analysis only, every finding at once, no execution.
It reports what the guard would refuse, so a clean program has no findings,
plus constructs that only make sense as attacks."""

import _string
import ast
import builtins

from . import transform, walk
import types

from .names import (
    FRAME_NAMES, GUARDED_DUNDERS, NAMEDTUPLE_NAMES, NEVER_BUILTINS, OWNED_DUNDERS, READ_DUNDERS, is_dunder,
)

_DYNAMIC = frozenset({"exec", "eval", "compile"})
_BUILTIN_NAMES = frozenset(dir(builtins))
# The interpreter's own dunder attributes the script may not read: a string
# that names one (getattr(x, "__globals__")) only makes sense as an attack.
# Other dunder-shaped strings ("__type__" in a JSON codec) are data.
_INTERNAL = frozenset(
    n for t in (object, type, types.FunctionType, types.CodeType, types.FrameType, types.ModuleType,
                types.BuiltinFunctionType, types.MethodType, types.GeneratorType, types.CoroutineType,
                types.TracebackType, types.CellType, BaseException, property, classmethod, super)
    for n in dir(t) if is_dunder(n)
) - READ_DUNDERS - OWNED_DUNDERS - GUARDED_DUNDERS | {
    "__builtins__", "__import__", "__loader__", "__spec__", "__globals__", "__code__", "__closure__",
    "__subclasses__", "__self__", "__func__", "__reduce__", "__reduce_ex__", "__getattribute__",
}
# str.format nests at most this deep (format specs inside format specs).
_FORMAT_DEPTH = 2
# Attributes that lead only to interpreter internals: reported wherever they
# are read, whatever the guard's runtime rules make of them.
_NEVER_READ = frozenset({"__globals__", "__builtins__", "__code__", "__closure__"})
# Expressions whose value the script did not make itself: literals and
# displays (a dunder chain from them walks the interpreter's type graph).
_LITERALS = (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.JoinedStr,
             ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Extra(walk.Visitor):
    """What the compile-time check leaves to the runtime: imports outside the
    allow-list, denied builtins, private members of imported modules, frame
    attributes, literal paths open() refuses, and dunder names hidden in
    string constants."""

    def __init__(self, config, add, probes=False):
        self.config = config
        self.add = add
        # imports: probe, before a run: a refused import is the run's to raise.
        self.probes = probes
        self.module_names = set()
        self.assigned = set()
        # Attribute nodes already reported as part of a longer chain.
        self._in_chain = set()

    def visit_Import(self, node):
        for a in node.names:
            why = self.config.import_refusal(a.name)
            if why is not None and not self.probes:
                self.add("import", f"import of '{a.name}' is not allowed ({why})", node)
            self.module_names.add(a.asname or a.name.partition(".")[0])

    def visit_ImportFrom(self, node):
        if node.module and not node.level and node.module != "__future__":
            why = self.config.import_refusal(node.module)
            if why is not None and not self.probes:
                self.add("import", f"import from '{node.module}' is not allowed ({why})", node)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id not in self.assigned:
            if node.id in _DYNAMIC and (node.id in self.config.builtins_deny or self.config.dynamic_code != "guarded"):
                self.add("dynamic", f"{node.id}() is not allowed", node)
            elif node.id in self.config.builtins_deny or node.id in NEVER_BUILTINS:
                self.add("builtin", f"{node.id}() is not allowed", node)

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name) and node.value.id in self.module_names and node.attr[:1] == "_" \
                and not is_dunder(node.attr):
            self.add("attribute", f"private module member '{node.value.id}.{node.attr}'", node)
        elif node.attr in OWNED_DUNDERS and isinstance(node.value, ast.Name) \
                and node.value.id in _BUILTIN_NAMES and node.value.id not in self.assigned:
            # object.__subclasses__, type.__dict__: never the script's own.
            self.add("attribute", f"'{node.value.id}.{node.attr}' of a built-in", node)
        elif node.attr in FRAME_NAMES:
            self.add("attribute", f"frame attribute '.{node.attr}'", node)
        elif node.attr in _NEVER_READ:
            self.add("attribute", f"interpreter internal '.{node.attr}'", node)
        elif is_dunder(node.attr) and id(node) not in self._in_chain:
            root, dunders = self._chain(node)
            if root is not None and len(dunders) > 1:
                self.add("attribute", f"dunder chain {''.join('.' + d for d in reversed(dunders))} "
                                      f"from {root}", node)
        self.generic_visit(node)

    def _chain(self, node):
        """The root an attribute chain starts from, when it is a literal or a
        built-in (else None), and the dunder names read along it. Method
        calls and subscripts are part of the chain (`.mro()[1]`); a call of
        a plain name is a root of its own (`type(x)` is x's class), a
        literal's when it is type() of a literal."""
        dunders = []
        while True:
            if isinstance(node, ast.Attribute):
                if is_dunder(node.attr):
                    dunders.append(node.attr)
                    self._in_chain.add(id(node))
                node = node.value
            elif isinstance(node, ast.Subscript):
                node = node.value
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                node = node.func
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type" \
                    and "type" not in self.assigned and len(node.args) == 1:
                node = node.args[0]
            else:
                break
        if isinstance(node, _LITERALS):
            return "a literal", dunders
        if isinstance(node, ast.Name) and node.id in _BUILTIN_NAMES and node.id not in self.assigned:
            return f"the built-in '{node.id}'", dunders
        return None, dunders

    def visit_Call(self, node):
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr in ("format", "format_map") \
                and isinstance(f.value, ast.Constant) and isinstance(f.value.value, str):
            for attr in _format_attrs(f.value.value):
                if (attr[:1] == "_" and attr not in NAMEDTUPLE_NAMES) or attr in FRAME_NAMES:
                    self.add("attribute", f"format field reads '.{attr}'", node)
        if isinstance(f, ast.Name) and f.id == "open" and "open" not in self.assigned and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            problem = self.config.file_name_problem(node.args[0].value)
            if problem:
                self.add("filesystem", f"open({node.args[0].value[:200]!r}): the name {problem}", node)
        self.generic_visit(node)

    def visit_Constant(self, node):
        v = node.value
        if isinstance(v, str) and v in _INTERNAL:
            self.add("suspicious", f"string names the attribute {v!r}", node)


def _format_attrs(template):
    """Attribute names a str.format template walks (nested specs included)."""
    out = []
    pending = [(template, _FORMAT_DEPTH)]
    while pending:
        text, depth = pending.pop()
        try:
            for _, field, spec, _ in _string.formatter_parser(text):
                if field:
                    _, rest = _string.formatter_field_name_split(field)
                    out.extend(k for is_attr, k in rest if is_attr)
                if spec and "{" in spec and depth > 0:
                    pending.append((spec, depth - 1))
        except (ValueError, TypeError):
            pass
    return out


def _assigned_names(tree):
    out = set()
    for node in walk.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.alias):
            out.add(node.asname or node.name.partition(".")[0])
    return out


def findings(code, config):
    try:
        tree = transform.parse(code, config.code_bytes)
    except SyntaxError as e:
        f = {"kind": "syntax", "detail": str(e.msg if type(getattr(e, "msg", None)) is str else e)}
        if type(e.lineno) is int:
            f["line"] = e.lineno
        if type(e.offset) is int:
            f["col"] = e.offset
        return [f]
    return findings_in(tree, code, config)


def findings_in(tree, code, config, probes=False):
    """The findings of `code`, already parsed as `tree`; `probes`: leave
    refused imports to the run (imports: probe)."""
    out = [f.as_dict() for f in transform.check_tree(tree, config)]
    seen = {(f["kind"], f.get("line"), f.get("col"), f["detail"]) for f in out}
    import_at = {(f.get("line"), f.get("col")) for f in out if f["kind"] == "import"}

    attribute_at = {(f.get("line"), f.get("col")) for f in out if f["kind"] == "attribute"}

    def add(kind, detail, node):
        f = transform.Finding(kind, detail, node).as_dict()
        key = (f["kind"], f.get("line"), f.get("col"), f["detail"])
        where = (f.get("line"), f.get("col"))
        if key in seen or (kind == "import" and where in import_at) \
                or (kind == "attribute" and where in attribute_at):
            return
        if kind == "attribute":
            attribute_at.add(where)
        seen.add(key)
        out.append(f)

    extra = _Extra(config, add, probes)
    extra.assigned = _assigned_names(tree)
    extra.visit(tree)
    lines = code.splitlines()
    for f in out:
        if "col" in f:
            f["col"] = _char_column(lines, f.get("line"), f["col"])
    out.sort(key=lambda f: (f.get("line") or 0, f.get("col") or 0))
    return out


def _char_column(lines, line, offset):
    """A 1-based character column from the AST's 0-based UTF-8 byte offset."""
    text = lines[line - 1] if type(line) is int and 0 < line <= len(lines) else ""
    return len(text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "ignore")) + 1
