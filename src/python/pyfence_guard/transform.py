"""Decide on the AST, then rewrite it: attribute access goes through the
guard, import statements become calls of the guard's importer, `match`
class patterns are vetted before they run. Names of the injected helpers
are dunders starting with `__pf`, which checked code can never spell.

The same check and rewrite serve the script and the code library
functions generate from text on its behalf (dataclasses, namedtuple,
annotations): `library=True` additionally admits the dunder names such
code binds itself (`__create_fn__`, `__dataclass_type_x__`), and nothing
else it might try to reach."""

import __future__
import ast

from . import walk
from .errors import SCRIPT_FILENAME
from .names import (
    CLASS_WRITE_DUNDERS, DEFINE_DUNDERS, FUNCTION_WRITE_DUNDERS, READ_DUNDERS, SLOW_PUBLIC, is_dunder,
    match_attr_problem, static_attr_problem,
)

GETATTR = "__pf_ga__"
DUNDER_VALUE = "__pf_dv__"
WRITE = "__pf_wr__"
WRITE_PUBLIC = "__pf_wp__"
MATCHCLS = "__pf_mc__"
NAMESPACE = "__pf_ns__"
IMPORT = "__pf_imp__"
IMPORT_FROM = "__pf_from__"
VALUE = "__pf_val__"
HELPER_PREFIX = "__pf"
MAX_DEPTH = 100
# Names generated code may never bind or read: the namespace machinery.
_LIBRARY_FORBIDDEN = frozenset({
    "__builtins__", "__import__", "__build_class__", "__loader__", "__spec__",
    "__file__", "__path__", "__package__", "__cached__", "__name__", "__dict__",
    "__annotations__", "__annotate__", "__module__", "__qualname__", "__class__",
})
_FUTURE_FLAGS = {name: getattr(__future__, name).compiler_flag for name in __future__.all_feature_names}


class Finding:
    __slots__ = ("kind", "detail", "line", "col")

    def __init__(self, kind, detail, node):
        self.kind = kind
        self.detail = detail
        line = getattr(node, "lineno", None)
        col = getattr(node, "col_offset", None)
        self.line = line if type(line) is int else None
        # The AST's offset: 0-based, in UTF-8 bytes (check.py reports characters).
        self.col = col if type(col) is int else None

    def as_dict(self):
        out = {"kind": self.kind, "detail": self.detail}
        if self.line is not None:
            out["line"] = self.line
        if self.col is not None:
            out["col"] = self.col
        return out


def parse(code, code_bytes, mode="exec", filename=SCRIPT_FILENAME):
    """ast.parse of a str (so coding cookies mean nothing), size and depth capped."""
    if len(code) > code_bytes or len(code.encode("utf-8", "surrogatepass")) > code_bytes:
        raise SyntaxError(f"source exceeds {code_bytes} bytes")
    try:
        tree = ast.parse(code, filename, mode)
    except (RecursionError, MemoryError) as e:
        raise SyntaxError(f"source too complex to parse: {type(e).__name__}") from None
    except ValueError as e:
        raise SyntaxError(str(e)) from None
    if depth(tree) > MAX_DEPTH:
        raise SyntaxError(f"source nested deeper than {MAX_DEPTH} levels")
    return tree


def depth(tree):
    return walk.depth(tree, MAX_DEPTH)


def _bound_names(tree):
    """Every name the code binds itself (arguments, definitions, targets)."""
    out = set()
    for node in walk.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            out.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.add(node.name)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
    return out


class Checker(walk.Visitor):
    """Collects every reason to refuse the code (it does not stop at the first)."""

    def __init__(self, config, library=False, tree=None):
        self.config = config
        self.library = library
        self.findings = []
        self._class_body = [False]
        self._own = _bound_names(tree) if library and tree is not None else frozenset()
        self._future_at = set()

    def add(self, kind, detail, node):
        self.findings.append(Finding(kind, detail, node))

    def ident(self, name, node, what, class_level=False):
        if not name:
            return
        if name.startswith(HELPER_PREFIX):
            self.add("name", f"{what} '{name}' is reserved for the guard", node)
        elif not is_dunder(name):
            return
        elif self.library:
            if name in _LIBRARY_FORBIDDEN or name not in self._own:
                self.add("name", f"generated code names '{name}'", node)
        elif not (class_level and self._class_body[-1] and name in DEFINE_DUNDERS):
            self.add("name", f"{what} '{name}' is not allowed", node)

    def visit_Module(self, node):
        # `from __future__` may only follow the docstring.
        body = node.body
        start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str) else 0
        for stmt in body[start:]:
            if not (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__" and not stmt.level):
                break
            self._future_at.add(id(stmt))
        self.generic_visit(node)

    def visit_Name(self, node):
        if not self.library and (node.id in DEFINE_DUNDERS
                                 or node.id in ("__name__", "__doc__") and isinstance(node.ctx, ast.Load)):
            # A protocol method bound to a name (a class decorator's
            # `cls.__repr__ = __repr__`); the namespace names stay refused.
            return
        self.ident(node.id, node, "name", class_level=True)

    def visit_Attribute(self, node):
        if isinstance(node.ctx, ast.Load):
            problem = static_attr_problem(node.attr)
        elif is_dunder(node.attr) and node.attr not in CLASS_WRITE_DUNDERS | FUNCTION_WRITE_DUNDERS:
            problem = "assigning a dunder attribute"
        else:
            problem = None
        if problem:
            self.add("attribute", f"{problem}: '.{node.attr}'", node)
        self.generic_visit(node)

    def _function(self, node):
        # Protocol methods are also defined outside class bodies (a class
        # decorator's __repr__); namespace names never are.
        if not (node.name in DEFINE_DUNDERS and not self.library):
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
        if self.library:
            self.add("name", "generated code defines a class", node)
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

    def visit_keyword(self, node):
        if node.arg is not None and node.arg.startswith(HELPER_PREFIX):
            self.add("name", f"keyword '{node.arg}' is reserved for the guard", node)
        self.generic_visit(node)

    def visit_alias(self, node):
        self.ident(node.asname, node, "import alias")

    def visit_Import(self, node):
        if self.library:
            self.add("import", "generated code imports", node)
        for a in node.names:
            self.import_name(a.name, node)
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        if node.module == "__future__" and not node.level:
            if id(node) not in self._future_at or self.library:
                self.add("syntax", "from __future__ imports must occur at the beginning of the file", node)
            for a in node.names:
                if a.name not in _FUTURE_FLAGS:
                    self.add("syntax", f"future feature {a.name} is not defined", node)
            return
        if self.library:
            self.add("import", "generated code imports", node)
        if node.level:
            self.add("import", "relative imports are not allowed", node)
            return
        self.import_name(node.module, node)
        for a in node.names:
            if a.name == "*":
                self.add("import", f"'from {node.module} import *' is not allowed", node)
            elif a.name[:1] == "_":
                self.add("import", f"'from {node.module} import {a.name}' is private", node)
        self.generic_visit(node)

    def import_name(self, name, node):
        # Under on_violation: raise or imports: probe, a refused import is a
        # catchable runtime ImportBlockedError (scripts use `except
        # ImportError` fallbacks); otherwise only what no policy could allow
        # is refused before running.
        why = self.config.import_refusal(name)
        if why is not None and self.config.terminate and why != "not in the policy's allow-list" \
                and not self.config.import_probe:
            self.add("import", f"import of '{name}' is not allowed ({why})", node)

    def visit_Global(self, node):
        for n in node.names:
            self.ident(n, node, "global name")
            if self.library and is_dunder(n):
                self.add("name", f"generated code declares '{n}' global", node)

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


def _is_docstring(stmt):
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _mangle(cls_name, attr):
    if cls_name and attr.startswith("__") and not attr.endswith("__"):
        stripped = cls_name.lstrip("_")
        if stripped:
            return f"_{stripped}{attr}"
    return attr


def _call(name, *args):
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


def _assign(name, value, where):
    return ast.copy_location(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=value), where)


class Rewriter(walk.Transformer):
    def __init__(self):
        self._classes = [None]
        self._counter = 0
        self._augtargets = set()
        self.future_flags = 0

    def _fresh(self, kind):
        self._counter += 1
        return f"__pf_{kind}{self._counter}__"

    def visit_ClassDef(self, node):
        # Bases, decorators and keywords are evaluated outside the class scope.
        for field in ("bases", "keywords", "decorator_list"):
            setattr(node, field, [self.visit(n) for n in getattr(node, field)])
        self._classes.append(node.name)
        body = self._stmts(node.body) or [ast.copy_location(ast.Pass(), node)]
        self._classes.pop()
        # A class body looks names up in its namespace first, and a
        # metaclass's __prepare__ may hand it a mapping the script holds (or
        # whose __getitem__/__missing__ answers for any name): the guard's
        # helpers and hidden names are globals there, and in the annotation
        # scopes nested in it.
        helpers = sorted({n.id for n in walk.walk(ast.Module(body=body, type_ignores=[]))
                          if isinstance(n, ast.Name) and n.id.startswith(HELPER_PREFIX)})
        if helpers:
            at = 1 if _is_docstring(body[0]) else 0
            body.insert(at, ast.copy_location(ast.Global(names=helpers), node))
        node.body = body
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
            # A public name outside SLOW_PUBLIC is read natively (its value is
            # still checked when it is not plain data): such names lead to no
            # frame, code, traceback or namespace, and modules answer through
            # their proxies (tests/reachability_test.ts audits the allowed
            # modules for this). It keeps attribute-heavy code near native speed.
            if public:
                return node
            # A readable dunder is readable on anything (reads.decide): the
            # interpreter reads it (`super().__init__` stays one
            # LOAD_SUPER_ATTR), the guard checks the value.
            if name in READ_DUNDERS:
                return ast.copy_location(_call(DUNDER_VALUE, node, ast.Constant(name)), node)
            return ast.copy_location(_call(GETATTR, node.value, ast.Constant(name)), node)
        args = [node.value, ast.Constant(name)]
        if id(node) in self._augtargets:
            helper = WRITE
            args.append(ast.Constant(True))
        else:
            helper = WRITE_PUBLIC if public else WRITE
        node.value = ast.copy_location(_call(helper, *args), node.value)
        return node

    def visit_Import(self, node):
        out = []
        for a in node.names:
            leaf = a.asname is not None
            target = a.asname or a.name.partition(".")[0]
            call = _call(IMPORT, ast.Constant(a.name), ast.Constant(None), ast.Constant(0), ast.Constant(leaf))
            out.append(_assign(target, call, node))
        return out

    def visit_ImportFrom(self, node):
        if node.module == "__future__" and not node.level:
            for a in node.names:
                self.future_flags |= _FUTURE_FLAGS.get(a.name, 0)
            return None
        tmp = self._fresh("i")
        module = node.module or ""
        names = tuple(a.name for a in node.names)
        out = [_assign(tmp, _call(IMPORT, ast.Constant(module), ast.Constant(names),
                                  ast.Constant(node.level), ast.Constant(True)), node)]
        for a in node.names:
            value = _call(IMPORT_FROM, ast.Name(id=tmp, ctx=ast.Load()), ast.Constant(a.name), ast.Constant(module))
            out.append(_assign(a.asname or a.name, value, node))
        out.append(ast.copy_location(ast.Delete(targets=[ast.Name(id=tmp, ctx=ast.Del())]), node))
        return out

    def visit_Match(self, node):
        """Class patterns and dotted value patterns make C code fetch
        attributes. Their classes (vetted by the guard) and values (read
        through it) are computed before the match and bound to hidden names."""
        node.subject = self.visit(node.subject)
        values = self._fresh("mv")
        pre = []
        value_exprs = []

        def hoist_value(expr):
            value_exprs.append(self.visit(expr))
            return ast.Attribute(value=ast.Name(id=values, ctx=ast.Load()), attr=f"v{len(value_exprs) - 1}",
                                 ctx=ast.Load())

        def walk(p):
            if isinstance(p, ast.MatchClass):
                tmp = self._fresh("mc")
                pre.append(_assign(tmp, _call(MATCHCLS, self.visit(p.cls), ast.Constant(len(p.patterns))), node))
                p.cls = ast.Name(id=tmp, ctx=ast.Load())
                for sub in p.patterns + p.kwd_patterns:
                    walk(sub)
            elif isinstance(p, ast.MatchValue):
                if isinstance(p.value, ast.Attribute):
                    p.value = hoist_value(p.value)
            elif isinstance(p, ast.MatchAs):
                if p.pattern is not None:
                    walk(p.pattern)
            elif isinstance(p, (ast.MatchOr, ast.MatchSequence)):
                for sub in p.patterns:
                    walk(sub)
            elif isinstance(p, ast.MatchMapping):
                p.keys = [hoist_value(k) if isinstance(k, ast.Attribute) else k for k in p.keys]
                for sub in p.patterns:
                    walk(sub)

        for case in node.cases:
            walk(case.pattern)
            if case.guard is not None:
                case.guard = self.visit(case.guard)
            case.body = self._stmts(case.body) or [ast.copy_location(ast.Pass(), node)]
        if value_exprs:
            pre.append(_assign(values, ast.Call(func=ast.Name(id=NAMESPACE, ctx=ast.Load()), args=[], keywords=[
                ast.keyword(arg=f"v{i}", value=v) for i, v in enumerate(value_exprs)]), node))
        return pre + [node]


def check_tree(tree, config, library=False):
    c = Checker(config, library=library, tree=tree)
    c.visit(tree)
    return c.findings


def rewrite(tree):
    """The rewritten tree and the `from __future__` flags it asked for."""
    r = Rewriter()
    tree = r.visit(tree)
    walk.fix_missing_locations(tree)
    return tree, r.future_flags
