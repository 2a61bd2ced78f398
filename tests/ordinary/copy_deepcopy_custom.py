import copy
from dataclasses import dataclass, field

class Graph:
    def __init__(self, name):
        self.name = name
        self.nodes = {}
        self.version = 0
    def link(self, a, b):
        na = self.nodes.setdefault(a, Node(a))
        nb = self.nodes.setdefault(b, Node(b))
        na.out.append(nb); nb.inc.append(na)
        self.version += 1
        return self
    def __repr__(self):
        edges = sorted(f"{n.label}->{o.label}" for n in self.nodes.values() for o in n.out)
        return f"Graph({self.name!r}, v{self.version}, {edges})"

class Node:
    def __init__(self, label):
        self.label, self.out, self.inc = label, [], []

g = Graph("net").link("a", "b").link("b", "c").link("c", "a")
g2 = copy.deepcopy(g)
g2.name = "copy"
g2.link("c", "d")
print(g, g2, sep="\n")
print(g2.nodes["a"].inc[0] is g2.nodes["c"], g2.nodes["a"] is g.nodes["a"])
shallow = copy.copy(g)
print(shallow.nodes is g.nodes, shallow.name)

class Document:
    def __init__(self, title, body, cache=None):
        self.title, self.body = title, body
        self.cache = cache if cache is not None else {}
        self.revision = 1
    def __copy__(self):
        new = Document(self.title, self.body)
        new.revision = self.revision
        return new
    def __deepcopy__(self, memo):
        new = Document(copy.deepcopy(self.title, memo), copy.deepcopy(self.body, memo))
        new.revision = self.revision + 1
        memo[id(self)] = new
        return new

d = Document("t", ["p1", "p2"], cache={"render": "<html>"})
c1, c2 = copy.copy(d), copy.deepcopy(d)
c2.body.append("p3")
print(c1.cache, c1.body is d.body, c1.revision, c2.revision, d.body, c2.body)

class Session:
    def __init__(self, user):
        self.user = user
        self.token = f"tok-{user}"
        self.connection = "live-socket"
    def __getstate__(self):
        state = self.__dict__.copy()
        state["connection"] = None
        return state
    def __setstate__(self, state):
        self.__dict__.update(state)
        self.connection = "reconnected"

s2 = copy.deepcopy(Session("ann"))
print(vars(s2))

@dataclass
class Team:
    name: str
    members: list = field(default_factory=list)

t = Team("core", ["a", "b"])
t_sh, t_dp = copy.copy(t), copy.deepcopy(t)
t.members.append("c")
print(t_sh.members, t_dp.members, copy.replace(t, name="ops"))
nested = {"a": [1, [2, 3]], "b": (4, [5])}
dn = copy.deepcopy(nested); dn["a"][1].append(9); dn["b"][1].append(6)
print(nested, dn, copy.copy(nested)["a"] is nested["a"])

class Point:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __replace__(self, **changes):
        return Point(changes.get("x", self.x), changes.get("y", self.y))
    def __repr__(self):
        return f"Point({self.x}, {self.y})"

p = Point(1, 2)
print(copy.copy(p), copy.deepcopy([p, p])[0], copy.replace(p, y=5))
