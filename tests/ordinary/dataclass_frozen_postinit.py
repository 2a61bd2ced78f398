from dataclasses import dataclass, field, FrozenInstanceError
import math

@dataclass(frozen=True)
class Vector:
    x: float
    y: float
    length: float = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "length", math.hypot(self.x, self.y))

    def scaled(self, k):
        return Vector(self.x * k, self.y * k)

v = Vector(3, 4)
print(v, v.length, v.scaled(2).length)
try:
    v.x = 10
except FrozenInstanceError as e:
    print("frozen:", e)
print(hash(v) == hash(Vector(3, 4)), {v, Vector(3, 4)} == {v})

@dataclass(slots=True, kw_only=True)
class Config:
    host: str = "localhost"
    port: int = 8080
    debug: bool = False

c = Config(port=9000, debug=True)
print(c, hasattr(c, "__dict__"))
