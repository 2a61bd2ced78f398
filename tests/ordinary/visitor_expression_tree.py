from dataclasses import dataclass
from typing import Union
import operator

@dataclass(frozen=True)
class Num:
    value: float

@dataclass(frozen=True)
class Var:
    name: str

@dataclass(frozen=True)
class BinOp:
    op: str
    left: "Expr"
    right: "Expr"

@dataclass(frozen=True)
class Call:
    func: str
    args: tuple

Expr = Union[Num, Var, BinOp, Call]

class NodeVisitor:
    def visit(self, node):
        method = getattr(self, f"visit_{type(node).__name__}", self.generic_visit)
        return method(node)
    def generic_visit(self, node):
        raise TypeError(f"no visitor for {type(node).__name__}")

class Evaluator(NodeVisitor):
    OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
    FUNCS = {"max": max, "min": min, "abs": abs}
    def __init__(self, env):
        self.env = env
    def visit_Num(self, node):
        return node.value
    def visit_Var(self, node):
        return self.env[node.name]
    def visit_BinOp(self, node):
        return self.OPS[node.op](self.visit(node.left), self.visit(node.right))
    def visit_Call(self, node):
        return self.FUNCS[node.func](*(self.visit(a) for a in node.args))

class Printer(NodeVisitor):
    def visit_Num(self, node):
        return f"{node.value:g}"
    def visit_Var(self, node):
        return node.name
    def visit_BinOp(self, node):
        return f"({self.visit(node.left)} {node.op} {self.visit(node.right)})"
    def visit_Call(self, node):
        return f"{node.func}({', '.join(map(self.visit, node.args))})"

class VarCollector(NodeVisitor):
    def __init__(self):
        self.names = []
    def visit_Num(self, node):
        pass
    def visit_Var(self, node):
        if node.name not in self.names:
            self.names.append(node.name)
    def visit_BinOp(self, node):
        self.visit(node.left); self.visit(node.right)
    def visit_Call(self, node):
        for a in node.args:
            self.visit(a)

tree = BinOp("+", Num(2), BinOp("*", Var("x"), Call("max", (Var("y"), Num(10), BinOp("-", Var("x"), Num(1))))))
print(Printer().visit(tree))
for env in ({"x": 3, "y": 4}, {"x": 20, "y": -1}):
    print(env, "=>", Evaluator(env).visit(tree))
vc = VarCollector(); vc.visit(tree)
print("vars:", vc.names, hasattr(Printer(), "visit_Num"), hasattr(Printer(), "visit_Str"))
try:
    Evaluator({}).visit("oops")
except TypeError as e:
    print("error:", e)
print(tree.left == Num(2), hash(Num(2)) == hash(Num(2.0)), Evaluator.OPS["/"](7, 2))
