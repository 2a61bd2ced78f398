from abc import ABC, abstractmethod
import math, copy

class Shape(ABC):
    @abstractmethod
    def area(self): ...

    def describe(self):
        return f"{type(self).__name__} with area {self.area():.2f}"

class Circle(Shape):
    def __init__(self, r):
        self.r = r
    def area(self):
        return math.pi * self.r ** 2

class Rect(Shape):
    def __init__(self, w, h):
        self.w, self.h = w, h
        self._history = []
    def area(self):
        return self.w * self.h
    def grow(self, k):
        self._history.append((self.w, self.h))
        self.w *= k; self.h *= k
        return self

try:
    Shape()
except TypeError as e:
    print("abstract:", "abstract" in str(e))
shapes = [Circle(1), Rect(2, 3)]
for s in shapes:
    print(s.describe(), isinstance(s, Shape))
r = Rect(1, 1)
r2 = copy.deepcopy(r).grow(3)
print(r.area(), r2.area(), r2._history, copy.copy(r).w)
