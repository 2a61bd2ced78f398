"""check(): static analysis only, every finding at once, no execution.
It reports what the guard would refuse, so a clean program has no findings."""

import _string
import ast
import string

from . import transform
from .names import NEVER_BUILTINS, FRAME_NAMES, READ_DUNDERS, is_dunder

_FORMATTER = string.Formatter()
# The package of modules the guard provides itself (see MODULE_FACTORIES).
GUARD_PACKAGE = "pyfence"
_DYNAMIC = frozenset({"exec", "eval", "compile"})


class _Extra(ast.NodeVisitor):
    """What the compile-time check leaves to the runtime: imports outside the
    allow-list, denied builtins, private members of imported modules, frame
    attributes, and dunder names hidden in string constants."""

    def __init__(self, config, add):
        self.config = config
        self.add = add
        self.module_names = set()
        self.assigned = set()

    def allowed(self, name):
        return name.partition(".")[0] == GUARD_PACKAGE or self.config.import_allowed(name)

    def visit_Import(self, node):
        for a in node.names:
            if not self.allowed(a.name):
                self.add("import", f"import of '{a.name}' is not allowed", node)
            self.module_names.add(a.asname or a.name.partition(".")[0])

    def visit_ImportFrom(self, node):
        if node.module and not node.level and not self.allowed(node.module):
            self.add("import", f"import from '{node.module}' is not allowed", node)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id not in self.assigned:
            if node.id in _DYNAMIC and (node.id in self.config.builtins_deny or self.config.dynamic_code != "guarded"):
                self.add("dynamic", f"{node.id}() is not allowed", node)
            elif node.id in self.config.builtins_deny or node.id in NEVER_BUILTINS:
                self.add("builtin", f"{node.id}() is not allowed", node)

    def visit_Attribute(self, node):
        if isinstance(node.value, ast.Name) and node.value.id in self.module_names and node.attr.startswith("_") \
                and not is_dunder(node.attr):
            self.add("attribute", f"private module member '{node.value.id}.{node.attr}'", node)
        elif node.attr in FRAME_NAMES:
            self.add("attribute", f"frame attribute '.{node.attr}'", node)
        self.generic_visit(node)

    def visit_Call(self, node):
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr in ("format", "format_map") \
                and isinstance(f.value, ast.Constant) and isinstance(f.value.value, str):
            for attr in _format_attrs(f.value.value):
                if attr.startswith("_") or attr in FRAME_NAMES:
                    self.add("attribute", f"format field reads '.{attr}'", node)
        self.generic_visit(node)

    def visit_Constant(self, node):
        v = node.value
        if isinstance(v, str) and is_dunder(v) and v not in READ_DUNDERS and v != "__main__":
            self.add("suspicious", f"string names the attribute {v!r}", node)


def _format_attrs(template):
    """Attribute names a str.format template walks (nested specs included)."""
    out = []
    try:
        for _, field, spec, _ in _FORMATTER.parse(template):
            if field:
                _, rest = _string.formatter_field_name_split(field)
                out.extend(k for is_attr, k in rest if is_attr)
            if spec and "{" in spec:
                out.extend(_format_attrs(spec))
    except (ValueError, TypeError):
        pass
    return out


def _assigned_names(tree):
    out = set()
    for node in ast.walk(tree):
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
        return [{"kind": "syntax", "detail": str(e.msg if hasattr(e, "msg") else e), "line": e.lineno, "col": e.offset}]
    out = [f.as_dict() for f in transform.check_tree(tree, config)]
    seen = {(f["kind"], f["line"], f["col"], f["detail"]) for f in out}

    def add(kind, detail, node):
        f = transform.Finding(kind, detail, node).as_dict()
        key = (f["kind"], f["line"], f["col"], f["detail"])
        if key not in seen and not any(g["line"] == f["line"] and g["col"] == f["col"] and kind == "import" == g["kind"] for g in out):
            seen.add(key)
            out.append(f)

    extra = _Extra(config, add)
    extra.assigned = _assigned_names(tree)
    extra.visit(tree)
    out.sort(key=lambda f: (f["line"] or 0, f["col"] or 0))
    return out
