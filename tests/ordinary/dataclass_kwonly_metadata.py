from dataclasses import dataclass, field, fields, KW_ONLY, asdict, astuple, replace, InitVar, FrozenInstanceError
from typing import ClassVar
import copy

@dataclass(frozen=True, slots=True)
class Measurement:
    value: float = field(metadata={"unit": "m", "help": "distance"})
    error: float = field(default=0.0, metadata={"unit": "m"})
    _: KW_ONLY
    source: str = "sensor"
    verified: bool = False

    def __str__(self):
        unit = fields(self)[0].metadata["unit"]
        return f"{self.value}±{self.error}{unit} [{self.source}{'✓' if self.verified else ''}]"

m = Measurement(12.5, 0.2, source="laser")
print(m, repr(m))
print([(f.name, f.kw_only, dict(f.metadata)) for f in fields(Measurement)])
m2 = replace(m, verified=True)
print(m2, m == m2, hash(m) == hash(Measurement(12.5, 0.2, source="laser")))
try:
    m.value = 3
except FrozenInstanceError as e:
    print("frozen:", type(e).__name__)
print(copy.replace(m, error=0.05), astuple(m))

@dataclass(eq=False)
class Node:
    name: str
    children: list["Node"] = field(default_factory=list, repr=False)
    count: ClassVar[int] = 0

    def __post_init__(self):
        Node.count += 1

root = Node("root", [Node("a"), Node("b", [Node("b1")])])
print(root, Node.count, root == Node("root"), root == root, [f.name for f in fields(Node)])
print(asdict(root))
print(asdict(root, dict_factory=lambda kv: {k: v for k, v in kv if k != "children"}))

@dataclass(unsafe_hash=True, order=True)
class Version:
    major: int
    minor: int = 0
    patch: int = 0
    label: str = field(default="", compare=False, hash=False)

vs = [Version(1, 2), Version(1, 10, 1, "rc"), Version(0, 9, 9), Version(1, 2, 0, "x")]
print(sorted(vs), len(set(vs)), max(vs).label, Version(1, 2) == Version(1, 2, 0, "y"))

@dataclass
class Account:
    owner: str
    balance: int = 0
    pin: InitVar[str | None] = None
    masked: str = field(init=False, default="")

    def __post_init__(self, pin):
        self.masked = "*" * len(pin) if pin else "(none)"

a = Account("ann", 5, "1234")
print(a, replace(a, balance=9, pin="99"), Account.__match_args__)
print(Account.__dataclass_fields__["masked"].init, sorted(Account.__dataclass_fields__))
