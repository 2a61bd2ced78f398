from abc import ABC, abstractmethod


class Shape(ABC):
    @abstractmethod
    def area(self): ...

    @abstractmethod
    def perimeter(self): ...

    def describe(self):
        return f"{type(self).__name__}: area={self.area():.1f}"


class Square(Shape):
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side ** 2

    def perimeter(self):
        return 4 * self.side


class Half(Shape):
    def area(self):
        return 1.0


print(sorted(Shape.__abstractmethods__))
print(sorted(Half.__abstractmethods__), Square.__abstractmethods__)
try:
    Half()
except TypeError as e:
    print("TypeError:", "abstract" in str(e))
print(Square(3).describe(), Square(3).perimeter())
