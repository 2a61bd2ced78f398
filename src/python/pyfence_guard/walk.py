"""Walks over a script's syntax tree, for the passes that run on every
script before it runs (transform.py, check.py, prologue.py).

ast.walk, ast.NodeVisitor and ast.NodeTransformer visit every expression
context and operator (children that hold no code: `Load`, `Add`, `Eq`),
and look up each node's fields and visitor by name. On a 90-line script
that made the guard's passes over the tree about 20 ms of each run. These
do the same work, less those children, with fields and visitors looked up
once per node type."""

import ast

_AST = ast.AST
# The fields that only ever hold contexts and operators.
_NO_CODE_FIELDS = frozenset({"ctx", "op", "ops"})
_fields_of = {}


def code_fields(t):
    """The fields of node type t that may hold code."""
    fields = _fields_of.get(t)
    if fields is None:
        fields = _fields_of[t] = tuple(f for f in t._fields if f not in _NO_CODE_FIELDS)
    return fields


def children(node):
    """node's child nodes that may hold code, in ast.iter_child_nodes order."""
    out = []
    for field in _fields_of.get(type(node)) or code_fields(type(node)):
        v = getattr(node, field, None)
        if type(v) is list:
            for x in v:
                if isinstance(x, _AST):
                    out.append(x)
        elif isinstance(v, _AST):
            out.append(v)
    return out


def walk(tree):
    """Every node under `tree` that may hold code, each before its children
    (ast.walk's nodes less contexts and operators, siblings in another order)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(children(node))


def depth(tree, limit):
    """How deep the tree is, counting contexts and operators as ast.walk
    would (a level below the node that holds them); stops past `limit`."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        t = type(node)
        leaf = d + 1 if _has_leaves(t, node) else d
        if leaf > deepest:
            deepest = leaf
            if deepest > limit:
                break
        for child in children(node):
            stack.append((child, d + 1))
    return deepest


def _has_leaves(t, node):
    for f in t._fields:
        if f in _NO_CODE_FIELDS:
            v = getattr(node, f, None)
            if isinstance(v, _AST) or (type(v) is list and v):
                return True
    return False


# ast.fix_missing_locations's rule: lineno and col_offset count as missing
# when absent, the end positions also when None.
_LOCATIONS = (("lineno", False), ("end_lineno", True), ("col_offset", False), ("end_col_offset", True))


def fix_missing_locations(tree):
    """ast.fix_missing_locations, over the nodes that have locations (contexts
    and operators have none), in the same order."""
    todo = [(tree, (1, 1, 0, 0))]
    while todo:
        node, inherited = todo.pop()
        attrs = node._attributes
        here = list(inherited)
        for i, (attr, none_is_missing) in enumerate(_LOCATIONS):
            if attr in attrs:
                if (getattr(node, attr, None) is None) if none_is_missing else not hasattr(node, attr):
                    setattr(node, attr, here[i])
                else:
                    here[i] = getattr(node, attr)
        here = tuple(here)
        for child in reversed(children(node)):
            todo.append((child, here))
    return tree


def _visitor(self, node):
    """The visit_<NodeType> method of self's class, or its generic_visit
    (kept in the class's own `_visitors` table)."""
    cls = type(self)
    table = cls.__dict__.get("_visitors")
    if table is None:
        table = {}
        cls._visitors = table
    t = type(node)
    fn = table.get(t)
    if fn is None:
        fn = table[t] = getattr(cls, "visit_" + t.__name__, cls.generic_visit)
    return fn


class Visitor:
    """ast.NodeVisitor, less contexts and operators. Visitors are methods of
    the class (looked up once per node type)."""

    def visit(self, node):
        return _visitor(self, node)(self, node)

    def generic_visit(self, node):
        table = type(self).__dict__.get("_visitors")
        for child in children(node):
            fn = table.get(type(child)) if table is not None else None
            if fn is None:
                fn = _visitor(self, child)
            fn(self, child)


class Transformer(Visitor):
    """ast.NodeTransformer, less contexts and operators: a visitor returns
    the node to put in its place, None to remove it, or a list to splice in
    (in a list field)."""

    def generic_visit(self, node):
        table = type(self).__dict__.get("_visitors")
        for field in _fields_of.get(type(node)) or code_fields(type(node)):
            old = getattr(node, field, None)
            if type(old) is list:
                new = None
                for i, x in enumerate(old):
                    if not isinstance(x, _AST):
                        if new is not None:
                            new.append(x)
                        continue
                    fn = table.get(type(x)) if table is not None else None
                    y = fn(self, x) if fn is not None else self.visit(x)
                    if new is None:
                        if y is x:
                            continue
                        new = old[:i]
                    if y is None:
                        continue
                    if isinstance(y, _AST):
                        new.append(y)
                    else:
                        new.extend(y)
                if new is not None:
                    old[:] = new
            elif isinstance(old, _AST):
                fn = table.get(type(old)) if table is not None else None
                y = fn(self, old) if fn is not None else self.visit(old)
                if y is None:
                    delattr(node, field)
                elif y is not old:
                    setattr(node, field, y)
        return node
