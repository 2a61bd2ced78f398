from typing import Protocol, TypeVar, Generic, Optional, Union, NamedTuple, TypedDict, get_type_hints, runtime_checkable, Literal

@runtime_checkable
class Shape(Protocol):
    def area(self) -> float: ...

class Square:
    def __init__(self, s: float) -> None:
        self.s = s
    def area(self) -> float:
        return self.s ** 2

T = TypeVar("T")

class Stack(Generic[T]):
    def __init__(self) -> None:
        self.items: list[T] = []
    def push(self, item: T) -> None:
        self.items.append(item)
    def pop(self) -> Optional[T]:
        return self.items.pop() if self.items else None

class Pair(NamedTuple):
    key: str
    value: int = 0

class Movie(TypedDict, total=False):
    title: str
    year: int

def f(a: int, b: "str" = "x") -> Union[int, str]:
    return a

print(isinstance(Square(2), Shape), Square(3).area())
s: Stack[int] = Stack()
s.push(1); s.push(2)
print(s.pop(), s.pop(), s.pop(), Stack[int])
p = Pair("a", 5)
print(p, p._replace(value=6), p._asdict(), Pair._fields)
m: Movie = {"title": "X"}
print(m, sorted(Movie.__optional_keys__), Movie.__required_keys__)
print(get_type_hints(f))
print(f.__annotations__)
Mode = Literal["r", "w"]
print(Mode)
