from dataclasses import dataclass, InitVar, field
import dataclasses

@dataclass
class Base:
    id: int
    created: str = "today"

@dataclass
class User(Base):
    name: str = "anon"
    password: InitVar[str] = None
    hashed: str = field(init=False, default="")

    def __post_init__(self, password):
        self.hashed = "".join(reversed(password)) if password else "-"

u = User(7, name="ann", password="secret")
print(u)
print(dataclasses.is_dataclass(u), [f.name for f in dataclasses.fields(User)])
Point = dataclasses.make_dataclass("Point", [("x", int), ("y", int, dataclasses.field(default=0))])
print(Point(1), Point(1, 2) == Point(1, 2))
