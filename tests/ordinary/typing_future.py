from __future__ import annotations
from dataclasses import dataclass
import typing

@dataclass
class Node:
    value: int
    children: list[Node]
    parent: Node | None = None

    def add(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
        return child

root = Node(1, [])
root.add(Node(2, []))
print(root.value, [c.value for c in root.children], root.children[0].parent.value)
print(Node.__annotations__)
print(typing.get_type_hints(Node.add))
