from enum import Enum
from dataclasses import dataclass

class Op(Enum):
    ADD = "+"
    MUL = "*"

@dataclass
class BinOp:
    op: Op
    left: object
    right: object

@dataclass
class Num:
    value: int

def evaluate(node):
    match node:
        case Num(value=v):
            return v
        case BinOp(Op.ADD, l, r):
            return evaluate(l) + evaluate(r)
        case BinOp(Op.MUL, l, r):
            return evaluate(l) * evaluate(r)
        case _:
            raise ValueError(node)

tree = BinOp(Op.ADD, Num(2), BinOp(Op.MUL, Num(3), Num(4)))
print(evaluate(tree))
print(BinOp.__match_args__, tree)
