from __future__ import annotations
import dataclasses, typing
from typing import ClassVar
@dataclasses.dataclass
class A:
    x: typing.ClassVar[int] = 0
    z: ClassVar[int] = 5
    y: int = 1
print([f.name for f in dataclasses.fields(A)], A(2))
