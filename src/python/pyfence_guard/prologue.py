"""The membrane's part of the rewrite: where values enter script code
without a call the script made (transform.py routes the script's own
attribute reads, writes and imports; this pass runs after it).

- A prologue in each script function that code other than the script may
  call: every method (C protocols call __exit__, __eq__, __release_buffer__;
  library code calls whatever it is handed), every lambda, and every other
  function whose name is used as a value anywhere (passed, stored,
  decorated, named in a string). A function the script only ever calls by
  name gets no prologue: its callers are the script's, its arguments the
  script's values. Each parameter whose type is not in the fast path
  (`__pf_D__`) goes through `__pf_in__`: *args and **kwargs item by item.
- Writes and private reads on `self` in a method skip the guard when the
  prologue found `self` to be an instance of a class that is the script's
  through and through (`__pf_PW__`, writes.py) and no hook has changed
  since (`__pf_fw__`).
- `x = yield` checks what it receives; `except ... as e` checks what it
  caught; a `match` case checks what its pattern bound.

Code compiled at run time (the script's exec, code a library generates) is
not the whole script: every function in it gets a prologue."""

import ast
import copy

from .names import is_dunder
from .walk import Transformer, children, walk

PARAM = "__pf_in__"
PARAMS = "__pf_ia__"
LAMBDA = "__pf_lc__"
SENT = "__pf_cv__"
CAUGHT = "__pf_exc__"
SAFE = "__pf_D__"
PLAIN_WRITE = "__pf_PW__"
PLAIN_SELF = "__pf_pw__"
KEY_ERROR = "__pf_KE__"
FAST_WRITES = "__pf_fw__"
TYPE = "__pf_type__"
SUPER = "__pf_super__"
SELF_PLAIN = "__pf_s__"
_WRITE_HELPERS = frozenset({"__pf_wp__", "__pf_wr__"})
_READ_HELPER = "__pf_ga__"
_DUNDER_HELPER = "__pf_dv__"
# Any of these lets code reach a function without naming it in the source.
_NAMESPACE_BUILTINS = frozenset({"globals", "locals", "vars", "dir", "eval", "exec", "compile",
                                 "__import__", "breakpoint"})


def _at(new, where):
    """`new` (a node this pass made, and whatever it made inside it) placed
    where `where` is; nodes it took from the tree keep their places. (No
    ast.fix_missing_locations(): a walk of the whole tree, for a few nodes.)"""
    todo = [new]
    while todo:
        n = todo.pop()
        if getattr(n, "lineno", None) is None and "lineno" in n._attributes:
            ast.copy_location(n, where)
        elif n is not new:
            continue
        todo.extend(children(n))
    return new


def _name(id_):
    return ast.Name(id=id_, ctx=ast.Load())


def _call(fn, *args):
    return ast.Call(func=_name(fn), args=list(args), keywords=[])


def _type_unknown(param):
    """`__pf_type__(p) not in __pf_D__`"""
    return ast.Compare(left=_call(TYPE, _name(param)), ops=[ast.NotIn()], comparators=[_name(SAFE)])


def _type_known(param):
    """`__pf_type__(p) in __pf_D__`"""
    return ast.Compare(left=_call(TYPE, _name(param)), ops=[ast.In()], comparators=[_name(SAFE)])


def _rebind(param, value):
    return ast.Assign(targets=[ast.Name(id=param, ctx=ast.Store())], value=value)


def _param_check(param):
    return ast.If(test=_type_unknown(param), body=[_rebind(param, _call(PARAM, _name(param)))], orelse=[])


# Node types that bind a name, by the field that holds it (parsed trees hold
# these exact classes: no subclasses, so a lookup by type is enough).
_BINDING_FIELD = {
    ast.FunctionDef: "name", ast.AsyncFunctionDef: "name", ast.ClassDef: "name", ast.arg: "arg",
    ast.ExceptHandler: "name", ast.MatchAs: "name", ast.MatchStar: "name", ast.MatchMapping: "rest",
    ast.TypeVar: "name", ast.ParamSpec: "name", ast.TypeVarTuple: "name",
}


def _note_binding(node, counts):
    """Count the names `node` binds (counts: name -> how many times; a
    global or nonlocal declaration counts twice, so it is never "once")."""
    t = type(node)
    if t is ast.Name:
        if type(node.ctx) is not ast.Load:
            counts[node.id] = counts.get(node.id, 0) + 1
        return
    field = _BINDING_FIELD.get(t)
    if field is not None:
        n = getattr(node, field)
        if n:
            counts[n] = counts.get(n, 0) + 1
    elif t is ast.alias:
        n = node.asname or node.name.partition(".")[0]
        counts[n] = counts.get(n, 0) + 1
    elif t is ast.Global or t is ast.Nonlocal:
        for n in node.names:
            counts[n] = counts.get(n, 0) + 2


def _bound_names(tree):
    """Name -> how many times the code binds it, anywhere."""
    counts = {}
    for node in walk(tree):
        _note_binding(node, counts)
    return counts


def called_only(tree):
    """Names of functions the code only ever calls by name: bound once (by
    their undecorated def, outside class bodies), every other use a call,
    never named in a string, and no builtin in the code that reaches
    namespaces by name. (One walk: walk() yields a node before its
    children, so a call is seen before the name it calls, a class before
    its body.)"""
    strings = []
    loads = set()
    called = set()
    in_class = set()
    defs = []
    counts = {}
    for node in walk(tree):
        _note_binding(node, counts)
        t = type(node)
        if t is ast.Name:
            if type(node.ctx) is ast.Load:
                if node.id in _NAMESPACE_BUILTINS:
                    return frozenset()
                if id(node) not in called:
                    loads.add(node.id)
        elif t is ast.Call:
            if type(node.func) is ast.Name:
                called.add(id(node.func))
        elif t is ast.Constant:
            if type(node.value) is str:
                strings.append(node.value)
        elif t is ast.ClassDef:
            in_class.update(id(stmt) for stmt in node.body)
        elif t is ast.FunctionDef or t is ast.AsyncFunctionDef:
            if id(node) not in in_class and not node.decorator_list:
                defs.append(node)
    return frozenset(node.name for node in defs if counts.get(node.name) == 1 and node.name not in loads
                     and not any(node.name in s for s in strings))


def _rebinds(fn, name):
    """`name` is assigned, deleted or declared global/nonlocal anywhere in fn's body."""
    for node in (n for stmt in fn.body for n in walk(stmt)):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return True
        if isinstance(node, ast.arg) and node.arg == name:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name == name:
            return True
        if isinstance(node, ast.ExceptHandler) and node.name == name:
            return True
    return False


def _is_super_init(node):
    """`__pf_dv__(super().__init__, '__init__')`, as transform.py writes
    `super().__init__` (zero-argument super only: it reads `self` itself)."""
    if not (type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == _DUNDER_HELPER
            and len(node.args) == 2 and not node.keywords):
        return False
    attr, name = node.args
    if not (type(attr) is ast.Attribute and attr.attr == "__init__" and type(name) is ast.Constant
            and name.value == "__init__"):
        return False
    call = attr.value
    return type(call) is ast.Call and type(call.func) is ast.Name and call.func.id == "super" \
        and not call.args and not call.keywords


def _super_native():
    """When `super().__init__` may be read natively: `self` is plain, so every
    class after this one in self's MRO is the script's (or object) and the
    value is one the script put there, as it would read it by name; and
    `super` is still the real one (a global of an earlier session script
    could have replaced it)."""
    return ast.BoolOp(op=ast.And(), values=[
        _name(SELF_PLAIN), ast.Compare(left=_name("super"), ops=[ast.Is()], comparators=[_name(SUPER)])])


def _native_super_init():
    return ast.Attribute(value=ast.Call(func=_name("super"), args=[], keywords=[]), attr="__init__", ctx=ast.Load())


class _SelfAccess(Transformer):
    """In one method's own body (not nested scopes): writes and private
    reads on `self` that the guard may skip when `self` is plain."""

    def __init__(self, self_name):
        self.self_name = self_name
        self.used = False

    def _guarded_call_on_self(self, node, helpers):
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers \
            and len(node.args) >= 2 and isinstance(node.args[0], ast.Name) \
            and node.args[0].id == self.self_name and isinstance(node.args[1], ast.Constant) \
            and isinstance(node.args[1].value, str) and not is_dunder(node.args[1].value)

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if not isinstance(node.ctx, ast.Load) and self._guarded_call_on_self(node.value, _WRITE_HELPERS):
            self.used = True
            fast = ast.BoolOp(op=ast.And(), values=[_name(SELF_PLAIN), _name(FAST_WRITES)])
            node.value = _at(ast.IfExp(test=fast, body=_name(self.self_name), orelse=node.value),
                                           node.value)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        if self._guarded_call_on_self(node, (_READ_HELPER,)) and len(node.args) == 2 \
                and node.args[1].value[:1] == "_":
            self.used = True
            native = ast.Attribute(value=_name(self.self_name), attr=node.args[1].value, ctx=ast.Load())
            return _at(ast.IfExp(test=_name(SELF_PLAIN), body=native, orelse=node), node)
        if _is_super_init(node):
            self.used = True
            return _at(ast.IfExp(test=_super_native(), body=_native_super_init(), orelse=node), node)
        return node

    def visit_Expr(self, node):
        call = node.value
        if type(call) is not ast.Call or not _is_super_init(call.func):
            return self.generic_visit(node)
        # The statement `super().__init__(...)`, as most subclasses write it:
        # an `if` rather than a conditional expression, so that the native
        # branch compiles to the interpreter's super-method call (no bound
        # method is made).
        self.used = True
        call.args = [self.visit(a) for a in call.args]
        call.keywords = [self.visit(k) for k in call.keywords]
        native = ast.Call(func=_native_super_init(), args=call.args, keywords=call.keywords)
        guarded = ast.Call(func=call.func, args=copy.deepcopy(call.args), keywords=copy.deepcopy(call.keywords))
        return _at(ast.If(test=_super_native(), body=[ast.Expr(value=native)], orelse=[ast.Expr(value=guarded)]),
                   node)

    def _skip(self, node):
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _skip


class _Pass(Transformer):
    def __init__(self, called_only):
        self.called_only = called_only
        self._class_body = [False]

    def visit_ClassDef(self, node):
        for field in ("bases", "keywords", "decorator_list"):
            setattr(node, field, [self.visit(n) for n in getattr(node, field)])
        self._class_body.append(True)
        node.body = [self.visit(s) for s in node.body]
        self._class_body.pop()
        return node

    def _function(self, node):
        is_method = self._class_body[-1]
        node.decorator_list = [self.visit(d) for d in node.decorator_list]
        node.args = self.visit(node.args)
        if node.returns is not None:
            node.returns = self.visit(node.returns)
        self._class_body.append(False)
        node.body = [self.visit(s) for s in node.body]
        self._class_body.pop()
        if not is_method and node.name in self.called_only:
            return node
        decorators = {d.id for d in node.decorator_list if isinstance(d, ast.Name)}
        a = node.args
        positional = [p.arg for p in a.posonlyargs + a.args]
        prologue = []
        self_name = None
        if is_method and positional and "staticmethod" not in decorators and "classmethod" not in decorators \
                and not _rebinds(node, positional[0]):
            self_name = positional[0]
            access = _SelfAccess(self_name)
            node.body = [access.visit(s) for s in node.body]
            if access.used:
                # A dict lookup the interpreter specializes; a class not yet
                # decided on is a KeyError (an exception costs nothing until
                # raised, and each class raises at most once a decision).
                plain = ast.Compare(
                    left=ast.Subscript(value=_name(PLAIN_WRITE), slice=_call(TYPE, _name(self_name)), ctx=ast.Load()),
                    ops=[ast.Is()], comparators=[_call(TYPE, _name(self_name))])
                prologue.append(ast.Try(
                    body=[ast.Assign(targets=[ast.Name(id=SELF_PLAIN, ctx=ast.Store())], value=plain)],
                    handlers=[ast.ExceptHandler(type=_name(KEY_ERROR), name=None, body=[ast.Assign(
                        targets=[ast.Name(id=SELF_PLAIN, ctx=ast.Store())], value=_call(PLAIN_SELF, _name(self_name)))])],
                    orelse=[], finalbody=[]))
                prologue.append(ast.If(
                    test=ast.BoolOp(op=ast.And(), values=[ast.UnaryOp(op=ast.Not(), operand=_name(SELF_PLAIN)),
                                                          _type_unknown(self_name)]),
                    body=[_rebind(self_name, _call(PARAM, _name(self_name)))], orelse=[]))
            else:
                prologue.append(_param_check(self_name))
        for p in positional + [p.arg for p in a.kwonlyargs]:
            if p != self_name:
                prologue.append(_param_check(p))
        for p in (a.vararg, a.kwarg):
            if p is not None:
                prologue.append(_rebind(p.arg, _call(PARAMS, _name(p.arg))))
        body = node.body
        start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str) else 0
        for stmt in prologue:
            _at(stmt, node)
        node.body = body[:start] + prologue + body[start:]
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Lambda(self, node):
        self._class_body.append(False)
        node = self.generic_visit(node)
        self._class_body.pop()
        a = node.args
        checks = []
        for p in a.posonlyargs + a.args + a.kwonlyargs:
            checks.append(ast.BoolOp(op=ast.Or(), values=[_type_known(p.arg), _call(LAMBDA, _name(p.arg))]))
        if a.vararg is not None:
            checks.append(ast.Call(func=_name(LAMBDA), args=[ast.Starred(value=_name(a.vararg.arg),
                                                                          ctx=ast.Load())], keywords=[]))
        if a.kwarg is not None:
            values = ast.Call(func=ast.Attribute(value=_name(a.kwarg.arg), attr="values", ctx=ast.Load()),
                              args=[], keywords=[])
            checks.append(ast.Call(func=_name(LAMBDA), args=[ast.Starred(value=values, ctx=ast.Load())],
                                   keywords=[]))
        if checks:
            test = checks[0] if len(checks) == 1 else ast.BoolOp(op=ast.And(), values=checks)
            node.body = _at(ast.IfExp(test=test, body=node.body, orelse=ast.Constant(None)), node.body)
        return node

    def _comprehension_scope(self, node):
        self._class_body.append(False)
        node = self.generic_visit(node)
        self._class_body.pop()
        return node

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension_scope

    def visit_Expr(self, node):
        # A yield whose value is dropped receives nothing worth checking.
        if isinstance(node.value, ast.Yield):
            if node.value.value is not None:
                node.value.value = self.visit(node.value.value)
            return node
        return self.generic_visit(node)

    def visit_Yield(self, node):
        node = self.generic_visit(node)
        return _at(_call(SENT, node), node)

    def visit_ExceptHandler(self, node):
        node = self.generic_visit(node)
        if node.name:
            check = _at(_rebind(node.name, _call(CAUGHT, _name(node.name))), node)
            node.body = [check] + node.body
        return node

    def visit_match_case(self, node):
        node = self.generic_visit(node)
        names = []
        for p in ast.walk(node.pattern):  # (a pattern is small; its names in ast.walk order)
            if isinstance(p, (ast.MatchAs, ast.MatchStar)) and p.name:
                names.append(p.name)
            elif isinstance(p, ast.MatchMapping) and p.rest:
                names.append(p.rest)
        if names:
            if node.guard is not None:
                node.guard = _at(ast.BoolOp(op=ast.And(), values=[_call(LAMBDA, *[_name(n) for n in names]),
                                                                  node.guard]), node.guard)
            node.body = [_at(_rebind(n, _call(SENT, _name(n))), node.pattern) for n in names] + node.body
        return node


def free_names(tree):
    """Names the code reads but never binds (its globals and builtins)."""
    bound = _bound_names(tree)
    return {n.id for n in walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            and n.id not in bound}


def add(tree, whole_script):
    """Add the membrane's checks to a rewritten tree (in place). Returns the
    names of the functions that got no prologue (`whole_script`: the tree is
    all the code that can name its functions; otherwise every function gets
    one). Code compiled later (dynamic.py) and annotations evaluated later
    (library.py) may not name those functions: only the script's calls may
    reach them."""
    called = called_only(tree) if whole_script else frozenset()
    _Pass(called).visit(tree)
    return called
