from dataclasses import dataclass, field, asdict, astuple, replace, fields
from typing import List

@dataclass(order=True)
class Item:
    sort_index: float = field(init=False, repr=False)
    name: str
    price: float
    qty: int = 0
    tags: List[str] = field(default_factory=list)

    def __post_init__(self):
        self.sort_index = self.price * self.qty

    @property
    def total(self):
        return self.price * self.qty

items = [Item("pen", 1.5, 10), Item("book", 12.0, 2, ["paper"]), Item("mug", 6.25, 3)]
for it in sorted(items, reverse=True):
    print(it, f"{it.total:.2f}")
print(asdict(items[1]))
print(astuple(items[2]))
print(replace(items[0], qty=1).total)
print([f.name for f in fields(Item)])
print(Item("a", 1, 1) == Item("a", 1, 1), Item("a", 1, 1) < Item("b", 2, 1))
