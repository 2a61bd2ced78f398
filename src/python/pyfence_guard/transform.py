"""Decide on the AST, then rewrite it: attribute access goes through the
guard, `match` class patterns are pre-checked. Names of the injected helpers
are dunders, which script code can never spell."""

import ast

from .errors import SCRIPT_FILENAME
from .names import SLOW_PUBLIC, DEFINE_DUNDERS, WRITE_DUNDERS, is_dunder, match_attr_problem, static_attr_problem

GETATTR = "__pf_ga__"
WRITE = "__pf_wr__"
WRITE_PUBLIC = "__pf_wp__"
MATCHCLS = "__pf_mc__"
NAMESPACE = "__pf_ns__"
MAX_DEPTH = 100


class Finding:
    __slots__ = ("kind", "detail", "line", "col")

    def __init__(self, kind, detail, node):
        self.kind = kind
        self.detail = detail
        self.line = getattr(node, "lineno", None)
        self.col = getattr(node, "col_offset", None)

    def as_dict(self):
        return {"kind": self.kind, "detail": self.detail, "line": self.line, "col": self.col}


def parse(code, code_bytes, mode="exec"):
    """ast.parse of a str (so coding cookies mean nothing), size and depth capped."""
    if len(code) > code_bytes or len(code.encode("utf-8", "surrogatepass")) > code_bytes:
        raise SyntaxError(f"source exceeds {code_bytes} bytes")
    try:
        tree = ast.parse(code, SCRIPT_FILENAME, mode)
    except (RecursionError, MemoryError) as e:
        raise SyntaxError(f"source too complex to parse: {type(e).__name__}") from None
    if depth(tree) > MAX_DEPTH:
        raise SyntaxError(f"source nested deeper than {MAX_DEPTH} levels")
    return tree


def depth(tree):
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        if d > deepest:
            deepest = d
            if d > MAX_DEPTH:
                break
        for child in ast.iter_child_nodes(node):
            stack.append((child, d + 1))
    return deepest


class Checker(ast.NodeVisitor):
    """Collects every reason to refuse the code (it does not stop at the first)."""

    def __init__(self, config):
        self.config = config
        self.findings = []
        self._class_body = [False]

    def add(self, kind, detail, node):
        self.findings.append(Finding(kind, detail, node))

    def ident(self, name, node, what, class_level=False):
        if name and is_dunder(name) and not (class_level and self._class_body[-1] and name in DEFINE_DUNDERS):
            self.add("name", f"{what} '{name}' is not allowed", node)

    def visit_Name(self, node):
        if not (node.id in ("__name__", "__doc__") and isinstance(node.ctx, ast.Load)):
            self.ident(node.id, node, "name", class_level=True)

    def visit_Attribute(self, node):
        if isinstance(node.ctx, ast.Load):
            problem = static_attr_problem(node.attr)
        elif is_dunder(node.attr) and node.attr not in WRITE_DUNDERS:
            problem = "assigning a dunder attribute"
        else:
            problem = None
        if problem:
            self.add("attribute", f"{problem}: '.{node.attr}'", node)
        self.generic_visit(node)

    def _function(self, node):
        self.ident(node.name, node, "function name", class_level=True)
        for d in node.decorator_list:
            self.visit(d)
        self.visit(node.args)
        if node.returns:
            self.visit(node.returns)
        for p in getattr(node, "type_params", ()):
            self.visit(p)
        self._class_body.append(False)
        for stmt in node.body:
            self.visit(stmt)
        self._class_body.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Lambda(self, node):
        self._class_body.append(False)
        self.generic_visit(node)
        self._class_body.pop()

    def visit_ClassDef(self, node):
        self.ident(node.name, node, "class name")
        for n in node.bases + node.keywords + node.decorator_list + list(getattr(node, "type_params", ())):
            self.visit(n)
        self._class_body.append(True)
        for stmt in node.body:
            self.visit(stmt)
        self._class_body.pop()

    def _comprehension_scope(self, node):
        self._class_body.append(False)
        self.generic_visit(node)
        self._class_body.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension_scope

    def visit_arg(self, node):
        self.ident(node.arg, node, "argument")
        self.generic_visit(node)

    def visit_alias(self, node):
        self.ident(node.asname, node, "import alias")

    def visit_Import(self, node):
        for a in node.names:
            self.import_name(a.name, node)
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        if node.level:
            self.add("import", "relative imports are not allowed", node)
            return
        self.import_name(node.module, node)
        for a in node.names:
            if a.name == "*":
                self.add("import", f"'from {node.module} import *' is not allowed", node)
            elif a.name.startswith("_"):
                self.add("import", f"'from {node.module} import {a.name}' is private", node)
        self.generic_visit(node)

    def import_name(self, name, node):
        # Under on_violation: raise, a denied import is a catchable runtime
        # ImportBlockedError (scripts use `except ImportError` fallbacks).
        if self.config.terminate and self.import_denied(name):
            self.add("import", f"import of '{name}' is not allowed", node)

    def import_denied(self, name):
        parts = name.split(".")
        if any(p.startswith("_") for p in parts):
            return True
        return any(".".join(parts[: i + 1]) in self.config.deny for i in range(len(parts)))

    def visit_Global(self, node):
        for n in node.names:
            self.ident(n, node, "global name")

    visit_Nonlocal = visit_Global

    def visit_ExceptHandler(self, node):
        self.ident(node.name, node, "exception name")
        self.generic_visit(node)

    def visit_MatchAs(self, node):
        self.ident(node.name, node, "capture name")
        self.generic_visit(node)

    def visit_MatchStar(self, node):
        self.ident(node.name, node, "capture name")

    def visit_MatchMapping(self, node):
        self.ident(node.rest, node, "capture name")
        self.generic_visit(node)

    def visit_MatchClass(self, node):
        for attr in node.kwd_attrs:
            problem = match_attr_problem(attr)
            if problem:
                self.add("attribute", f"{problem}: '{attr}'", node)
        self.generic_visit(node)

    def _type_param(self, node):
        self.ident(node.name, node, "type parameter")
        self.generic_visit(node)

    visit_TypeVar = visit_ParamSpec = visit_TypeVarTuple = _type_param

    def visit_TypeAlias(self, node):
        self.generic_visit(node)


def _mangle(cls_name, attr):
    if cls_name and attr.startswith("__") and not attr.endswith("__"):
        stripped = cls_name.lstrip("_")
        if stripped:
            return f"_{stripped}{attr}"
    return attr


def _call(name, *args):
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


class Rewriter(ast.NodeTransformer):
    def __init__(self):
        self._classes = [None]
        self._matches = 0
        self._augtargets = set()

    def _scoped(self, node, cls_name):
        self._classes.append(cls_name)
        node = self.generic_visit(node)
        self._classes.pop()
        return node

    def visit_ClassDef(self, node):
        # Bases, decorators and keywords are evaluated outside the class scope.
        for field in ("bases", "keywords", "decorator_list"):
            setattr(node, field, [self.visit(n) for n in getattr(node, field)])
        self._classes.append(node.name)
        node.body = self._stmts(node.body)
        self._classes.pop()
        return node

    def _stmts(self, stmts):
        out = []
        for s in stmts:
            r = self.visit(s)
            if isinstance(r, list):
                out.extend(r)
            elif r is not None:
                out.append(r)
        return out

    def visit_AugAssign(self, node):
        if isinstance(node.target, ast.Attribute):
            self._augtargets.add(id(node.target))
        return self.generic_visit(node)

    def visit_Attribute(self, node):
        node = self.generic_visit(node)
        name = _mangle(self._classes[-1], node.attr)
        public = not name.startswith("_") and name not in SLOW_PUBLIC
        if isinstance(node.ctx, ast.Load):
            # A public name outside SLOW_PUBLIC is read natively: such names
            # lead to no frame, code, traceback or namespace, and modules
            # answer through their proxies (tests/reachability_test.ts
            # audits the allowed modules for this). It keeps attribute-heavy
            # code near native speed.
            if public:
                return node
            return ast.copy_location(_call(GETATTR, node.value, ast.Constant(name)), node)
        args = [node.value, ast.Constant(name)]
        if id(node) in self._augtargets:
            helper = WRITE
            args.append(ast.Constant(True))
        else:
            helper = WRITE_PUBLIC if public else WRITE
        node.value = ast.copy_location(_call(helper, *args), node.value)
        return node

    def visit_Match(self, node):
        """Class patterns and dotted value patterns make C code fetch
        attributes. Their classes and values are computed before the match
        (through the guard) and bound to hidden names; class patterns that
        see the subject itself are pre-checked against it."""
        node.subject = self.visit(node.subject)
        n = self._matches
        self._matches += 1
        subject = f"__pf_ms{n}__"
        values = f"__pf_mv{n}__"
        pre = [ast.Assign(targets=[ast.Name(id=subject, ctx=ast.Store())], value=node.subject)]
        value_exprs = []

        def hoist_value(expr):
            value_exprs.append(self.visit(expr))
            return ast.Attribute(value=ast.Name(id=values, ctx=ast.Load()), attr=f"v{len(value_exprs) - 1}", ctx=ast.Load())

        def walk(p, top):
            if isinstance(p, ast.MatchClass):
                tmp = f"__pf_mc{n}_{len(pre)}__"
                check = _call(
                    MATCHCLS, self.visit(p.cls),
                    ast.Name(id=subject, ctx=ast.Load()) if top else ast.Constant(None),
                    ast.Constant(top), ast.Constant(len(p.patterns)),
                    ast.Tuple(elts=[ast.Constant(a) for a in p.kwd_attrs], ctx=ast.Load()),
                )
                pre.append(ast.Assign(targets=[ast.Name(id=tmp, ctx=ast.Store())], value=check))
                p.cls = ast.Name(id=tmp, ctx=ast.Load())
                for sub in p.patterns + p.kwd_patterns:
                    walk(sub, False)
            elif isinstance(p, ast.MatchValue):
                if isinstance(p.value, ast.Attribute):
                    p.value = hoist_value(p.value)
            elif isinstance(p, ast.MatchAs):
                if p.pattern is not None:
                    walk(p.pattern, top)
            elif isinstance(p, ast.MatchOr):
                for sub in p.patterns:
                    walk(sub, top)
            elif isinstance(p, ast.MatchSequence):
                for sub in p.patterns:
                    walk(sub, False)
            elif isinstance(p, ast.MatchMapping):
                p.keys = [hoist_value(k) if isinstance(k, ast.Attribute) else k for k in p.keys]
                for sub in p.patterns:
                    walk(sub, False)

        for case in node.cases:
            walk(case.pattern, True)
            if case.guard is not None:
                case.guard = self.visit(case.guard)
            case.body = self._stmts(case.body)
        if value_exprs:
            pre.append(ast.Assign(
                targets=[ast.Name(id=values, ctx=ast.Store())],
                value=ast.Call(func=ast.Name(id=NAMESPACE, ctx=ast.Load()), args=[], keywords=[
                    ast.keyword(arg=f"v{i}", value=v) for i, v in enumerate(value_exprs)]),
            ))
        for p in pre:
            ast.copy_location(p, node)
        return pre + [node]


def check_tree(tree, config):
    c = Checker(config)
    c.visit(tree)
    return c.findings


def rewrite(tree):
    tree = Rewriter().visit(tree)
    ast.fix_missing_locations(tree)
    return tree
