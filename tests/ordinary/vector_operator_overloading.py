import math
import functools
import operator

@functools.total_ordering
class Vec:
    __slots__ = ("x", "y", "z")
    def __init__(self, x=0.0, y=0.0, z=0.0):
        self.x, self.y, self.z = x, y, z
    def __iter__(self):
        yield from (self.x, self.y, self.z)
    def __repr__(self):
        return f"Vec({self.x!r}, {self.y!r}, {self.z!r})"
    def __format__(self, spec):
        if spec.endswith("p"):
            r = abs(self)
            return f"<r={r:{spec[:-1]}f}>"
        return "(" + ", ".join(format(c, spec) for c in self) + ")"
    def __add__(self, other):
        if isinstance(other, Vec):
            return Vec(*(a + b for a, b in zip(self, other)))
        return NotImplemented
    def __radd__(self, other):
        return self if other == 0 else self.__add__(other)
    def __sub__(self, other):
        return self + (-other)
    def __neg__(self):
        return Vec(*(-c for c in self))
    def __mul__(self, k):
        if isinstance(k, (int, float)):
            return Vec(*(c * k for c in self))
        return NotImplemented
    __rmul__ = __mul__
    def __matmul__(self, other):
        return sum(a * b for a, b in zip(self, other))
    def __abs__(self):
        return math.sqrt(self @ self)
    def __bool__(self):
        return any(self)
    def __eq__(self, other):
        return isinstance(other, Vec) and tuple(self) == tuple(other)
    def __lt__(self, other):
        return abs(self) < abs(other)
    def __hash__(self):
        return hash(tuple(self))
    def __getitem__(self, i):
        return tuple(self)[i]
    def __round__(self, n=0):
        return Vec(*(round(c, n) for c in self))

a, b = Vec(1, 2, 2), Vec(3, 0, -4)
print(a + b, a - b, 2 * a, a * 0.5, a @ b, abs(a), abs(b))
print(sum([a, b, Vec(1, 1, 1)]), functools.reduce(operator.add, [a, a, a]))
print(f"{a:.1f} {b:+.2e} {a:.3p}", format(b, "5.1f"))
print(bool(Vec()), bool(a), a == Vec(1, 2, 2), a != b, a < b, a >= b, max(a, b))
print(sorted([b, a, Vec(0, 0, 1)]), len({a, Vec(1, 2, 2), b}), a[1:], round(Vec(1.234, 5.678, 9.1011), 1))
x, y, z = b
print(x, y, z, list(map(abs, [a, b])))
try:
    a + 1
except TypeError as e:
    print("TypeError:", e)
try:
    a.w = 1
except AttributeError:
    print("slots prevent new attributes")
print(Vec.__add__(a, b), Vec.__mul__(a, "x"), a.__class__.__name__, Vec.__slots__)
