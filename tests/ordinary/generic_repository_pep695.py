from dataclasses import dataclass, field
from typing import Protocol, Callable, Iterator, runtime_checkable

@runtime_checkable
class HasId(Protocol):
    id: int

type Predicate[T] = Callable[[T], bool]
type Pair = tuple[str, int]

class Repository[T: HasId]:
    def __init__(self) -> None:
        self._items: dict[int, T] = {}

    def add(self, item: T) -> T:
        if item.id in self._items:
            raise KeyError(f"duplicate id {item.id}")
        self._items[item.id] = item
        return item

    def get(self, id: int) -> T | None:
        return self._items.get(id)

    def find(self, pred: Predicate[T]) -> list[T]:
        return [i for i in self._items.values() if pred(i)]

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._items.values(), key=lambda i: i.id))

    def __len__(self) -> int:
        return len(self._items)

@dataclass
class Book:
    id: int
    title: str
    year: int
    tags: list[str] = field(default_factory=list)

@dataclass
class Author:
    id: int
    name: str

def first[T](items: list[T], default: T) -> T:
    return items[0] if items else default

def pairs[K, V](d: dict[K, V]) -> list[tuple[K, V]]:
    return sorted(d.items())

books: Repository[Book] = Repository()
for b in [Book(3, "Dune", 1965, ["sf"]), Book(1, "Emma", 1815), Book(2, "Ubik", 1969, ["sf", "pkd"])]:
    books.add(b)
authors = Repository[Author]()
authors.add(Author(1, "Austen"))
print(len(books), [b.title for b in books], books.get(2).title, books.get(9))
print([b.title for b in books.find(lambda b: "sf" in b.tags)], first(books.find(lambda b: b.year > 2000), None))
print(first([5, 6], 0), pairs({"b": 2, "a": 1}), isinstance(Book(9, "x", 1), HasId), isinstance("s", HasId))
try:
    books.add(Book(1, "Dup", 2000))
except KeyError as e:
    print("KeyError:", e)
p: Pair = ("x", 1)
print(p, Predicate.__name__, Pair.__name__, Repository.__name__, first.__name__)
print(Pair.__value__, Repository.__type_params__, first.__type_params__)
